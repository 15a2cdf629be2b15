/**
 * Exit codes of the `xcore` command, so scripts and supervisors can tell what happened.
 */
export const ExitCode = {
  /** Clean exit: the command succeeded, or the app stopped within its drain deadline. */
  Ok: 0,
  /**
   * `start`/`validate`: the config file is missing or invalid, or boot failed (including a
   * fail-fast plugin failure). Commands that talk to a host: no host address could be found, or
   * the host answered with an error other than those below (409 refused, 400 invalid input, 5xx).
   */
  ConfigOrBootError: 1,
  /** The command line is not valid. */
  Usage: 2,
  /**
   * Shutdown passed its drain deadline: a job or hook was still running and was aborted or
   * abandoned rather than stopped cleanly. Exited at the deadline whatever the code still running does.
   */
  DrainTimeout: 3,
  /** The host could not be reached (connection, DNS, TLS, timeout), or what answered is not the xcore admin API. */
  HostUnreachable: 4,
  /** The host refused the credential: 401 (missing or wrong token), 403 (token without the scope), 429 (too many failures). */
  AuthRefused: 5,
  /** The job, plugin or run request named does not exist on the host (404). */
  NotFound: 6,
  /**
   * The host answered, but what it reported is not ok: `jobs run --wait` whose run failed, timed
   * out, was aborted, expired untaken or was still running at the timeout; `health` when the
   * host's `/health` answers 503 (not ready or not live), or with `--strict` when it reports warnings.
   */
  NotOk: 7,
  /**
   * An exception nobody caught: an uncaught exception in a plugin or job (a throw in a timer it
   * started, logged with the plugin and job when known), after which the app was stopped
   * gracefully; or an unexpected error in xcore itself (a bug: please report it with the log).
   */
  Internal: 70,
  /** A second SIGHUP forced the exit (128 + 1). */
  ForcedSighup: 129,
  /** A second SIGINT forced the exit (128 + 2). */
  ForcedSigint: 130,
  /** A second SIGTERM forced the exit (128 + 15). */
  ForcedSigterm: 143,
} as const;

/** One of the {@link ExitCode} values. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Exit codes of the `xcore` command, so scripts and supervisors can tell what happened.
 */
export const ExitCode = {
  /** Clean exit: the command succeeded, or the app stopped within its drain deadline. */
  Ok: 0,
  /** The config file is missing or invalid, or boot failed (including a fail-fast plugin failure). */
  ConfigOrBootError: 1,
  /** The command line is not valid. */
  Usage: 2,
  /** Shutdown passed its drain deadline: something was aborted rather than stopped cleanly. */
  DrainTimeout: 3,
  /** An unexpected error escaped (a bug: please report it with the log). */
  Internal: 70,
  /** A second SIGINT forced the exit (128 + 2). */
  ForcedSigint: 130,
  /** A second SIGTERM forced the exit (128 + 15). */
  ForcedSigterm: 143,
} as const;

/** One of the {@link ExitCode} values. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * The catalogue of coded errors thrown by `@xcore/cli`.
 */
import { XcoreError, type XcoreErrorOptions } from '@xcore/core';

/** Documentation of every code thrown by `@xcore/cli`: what it means and what to do. */
export const CLI_ERROR_CODES: Readonly<Record<string, string>> = {
  XCORE_ERR_CLI_USAGE: 'The command line is not valid (unknown command or option, missing value). Run `xcore --help`.',
  XCORE_ERR_CLI_HOST_NOT_CONFIGURED:
    'A command that talks to a running host found no address: pass `--url`, set `XCORE_URL`, or run it beside an xcore.yaml whose `services.http` is enabled on a fixed port. Exit code 1.',
  XCORE_ERR_CLI_HOST_UNREACHABLE:
    'The host could not be reached at the URL shown (connection refused, DNS, timeout, TLS), or what answered there is not the xcore admin API (wrong port or basePath). The message says where the URL came from. Exit code 4.',
  XCORE_ERR_CLI_AUTH_REFUSED:
    'The host refused the credential: 401 (no, malformed or unknown token), 403 (the token lacks the scope the command needs) or 429 (too many failed attempts). Pass a token with `--token` or `XCORE_TOKEN` that has the scope. Exit code 5.',
  XCORE_ERR_CLI_NOT_FOUND: 'The job, plugin or run request named does not exist on the host. `xcore jobs ls` / `xcore plugins ls` list what exists. Exit code 6.',
  XCORE_ERR_CLI_REQUEST_FAILED:
    'The host answered the request with another error (409 refused, 400 invalid input, 5xx); the message carries the host\'s own error code and message. Exit code 1.',
};

/** The command line could not be understood. */
export class CliUsageError extends XcoreError {
  constructor(message: string) {
    super('XCORE_ERR_CLI_USAGE', `${message}\nRun \`xcore --help\` for the commands and options.`);
  }
}

/** No host address was given and none could be derived from an xcore.yaml. */
export class CliHostNotConfiguredError extends XcoreError {
  constructor(problem: string) {
    super(
      'XCORE_ERR_CLI_HOST_NOT_CONFIGURED',
      `No xcore host to talk to: ${problem}. Pass --url http://127.0.0.1:8080, set XCORE_URL, or run the command beside the app's xcore.yaml (its services.http enabled on a fixed port).`,
    );
  }
}

/** The host could not be reached, or what answered is not the xcore admin API. */
export class CliHostUnreachableError extends XcoreError {
  /** The URL that was tried. */
  readonly url: string;

  /**
   * @param problem - what went wrong, e.g. `connection refused (nothing listens on that port)`.
   * @param advice - what to do; by default, check that the host runs there or point elsewhere.
   */
  constructor(url: string, source: string, problem: string, options?: XcoreErrorOptions & { advice?: string }) {
    const advice = options?.advice ?? 'Check that `xcore start` runs there with services.http enabled, or point the command elsewhere with --url or XCORE_URL.';
    super('XCORE_ERR_CLI_HOST_UNREACHABLE', `Cannot reach the xcore host at ${url} (from ${source}): ${problem}. ${advice}`, options);
    this.url = url;
  }
}

/** The host refused the credential (401, 403 or 429). */
export class CliAuthRefusedError extends XcoreError {
  /** The HTTP status: 401, 403 or 429. */
  readonly status: number;

  /**
   * @param tokenSource - where the token came from (`--token`, `XCORE_TOKEN`), or `no token`.
   * @param serverMessage - the host's own explanation.
   */
  constructor(status: number, url: string, tokenSource: string, serverMessage: string) {
    const what =
      status === 403
        ? `${url} refused the token from ${tokenSource} (403): it lacks the scope this command needs. The host said: ${serverMessage}`
        : status === 429
          ? `${url} refused this client (429): too many failed authentications. The host said: ${serverMessage} Wait, then retry with a valid token.`
          : tokenSource === 'no token'
            ? `${url} needs a token (401) and none was given. Pass one with --token or set XCORE_TOKEN (a token from services.http.auth with the read scope, or more for writes).`
            : `${url} refused the token from ${tokenSource} (401). The host said: ${serverMessage} Pass a token the host knows with --token or XCORE_TOKEN.`;
    super('XCORE_ERR_CLI_AUTH_REFUSED', what);
    this.status = status;
  }
}

/** The job, plugin or run request named does not exist on the host. */
export class CliNotFoundError extends XcoreError {
  /** @param similar - names that exist and are close to `name` (a typo's likely targets). */
  constructor(kind: 'job' | 'plugin' | 'run request', name: string, serverMessage: string, similar: readonly string[] = []) {
    const list = kind === 'job' ? 'Run `xcore jobs ls` for the job ids (plugin jobs are `<plugin>:<id>`).' : kind === 'plugin' ? 'Run `xcore plugins ls` for the plugins.' : 'Run the job again.';
    const guess = similar.length === 0 ? '' : ` Did you mean ${similar.map((s) => `"${s}"`).join(' or ')}?`;
    super('XCORE_ERR_CLI_NOT_FOUND', `No ${kind} "${name}" on the host: ${serverMessage}${guess} ${list}`);
  }
}

/** The host answered with an error other than auth, not found or unreachable. */
export class CliRequestFailedError extends XcoreError {
  /** The HTTP status. */
  readonly status: number;
  /** The host's error code (e.g. `XCORE_ERR_JOB_REMOVE_REFUSED`). */
  readonly remoteCode: string;

  constructor(what: string, status: number, remoteCode: string, serverMessage: string) {
    super('XCORE_ERR_CLI_REQUEST_FAILED', `${what} failed: the host answered ${status} ${remoteCode}: ${serverMessage}`);
    this.status = status;
    this.remoteCode = remoteCode;
  }
}

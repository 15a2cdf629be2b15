/**
 * The messages a sandboxed plugin's process and the host exchange over the IPC channel.
 *
 * @remarks
 * Every message is plain data (the channel uses Node's `advanced` serialization, a structured
 * clone: `Date`s survive, functions never cross). A request carries an `id` and is answered by
 * one `reply` with the same id. Requests the host sends: `init`, `hook`, `action`, `run` (a job
 * occurrence), `request` (an HTTP request to a mounted route); `abort` cancels a `run` or
 * `request`. The only request the plugin sends is `call`: one method of its grant table, which the
 * host checks by name and arguments before doing anything. Log lines are one-way `log` messages.
 */

/** An error as it crosses the channel: its code survives, so `isXcoreError(err, code)` works on both sides. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly stack?: string;
}

/** What the host tells a fresh sandbox before anything else. */
export interface InitRequest {
  readonly t: 'init';
  readonly id: number;
  /** The plugin's name. */
  readonly plugin: string;
  /** `file:` URL of the bundled entry the host built. */
  readonly entry: string;
  /** The raw `plugins.config.<name>` section; the plugin's own `configSchema` validates it in the sandbox. */
  readonly config: unknown;
  /** The plugin's data folder (the only folder it may write). */
  readonly dataDir: string;
  /** The host logger's level. */
  readonly logLevel: string;
  /** Whether error lines carry every stack of their cause chain (the host's `--debug`, `XCORE_DEBUG` or level). */
  readonly debugErrors: boolean;
  /** Services the host offers this plugin (granted ones that are registered). */
  readonly services: readonly string[];
  /** Where the plugin's routes are served, when the http service listens. */
  readonly httpUrl?: string;
}

/** Runs one lifecycle hook in the sandbox. */
export interface HookRequest {
  readonly t: 'hook';
  readonly id: number;
  readonly hook: 'onLoad' | 'onStart' | 'onStop';
}

/** Another plugin (or the host) calls this plugin's `handle(action, payload)`. */
export interface ActionRequest {
  readonly t: 'action';
  readonly id: number;
  readonly action: string;
  readonly payload: unknown;
}

/** Runs one attempt of a job whose handler lives in the sandbox. */
export interface RunRequest {
  readonly t: 'run';
  readonly id: number;
  /** The key the sandbox registered the handler under. */
  readonly handler: number;
  readonly jobId: string;
  readonly scheduledAt: Date;
  readonly attempt: number;
  readonly args: readonly unknown[];
}

/** An HTTP request for a route the sandbox mounted. */
export interface HttpRequest {
  readonly t: 'request';
  readonly id: number;
  /** The key the sandbox registered the route handler under. */
  readonly handler: number;
  readonly input: SandboxRouteInput;
}

/** The parts of a route's input that cross into the sandbox. */
export interface SandboxRouteInput {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly params: Readonly<Record<string, unknown>>;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: unknown;
  readonly identity: unknown;
  readonly client: string;
  readonly requestId: string;
}

/** What a sandboxed route handler answered: a JSON value, or a status with text. */
export interface SandboxRouteAnswer {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A JSON value (`kind: 'json'`), text (`kind: 'text'`) or nothing (`kind: 'empty'`, 204). */
  readonly kind: 'json' | 'text' | 'empty';
  readonly body?: unknown;
}

/** Cancels a `run` or `request` in progress (its signal aborts in the sandbox). */
export interface AbortMessage {
  readonly t: 'abort';
  /** Id of the request to abort. */
  readonly of: number;
  readonly reason: string;
}

/** The sandbox asks the host to perform a granted method. */
export interface CallRequest {
  readonly t: 'call';
  readonly id: number;
  /** `service.method` (`scheduler.addJob`, `http.route`) or `call` / `config`. */
  readonly method: string;
  readonly args: readonly unknown[];
}

/** The answer to any request. */
export interface ReplyMessage {
  readonly t: 'reply';
  readonly id: number;
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: WireError;
}

/** A pino JSON line written in the sandbox. */
export interface LogMessage {
  readonly t: 'log';
  readonly line: string;
}

/** Messages the host sends. */
export type HostMessage = InitRequest | HookRequest | ActionRequest | RunRequest | HttpRequest | AbortMessage | ReplyMessage;
/** Messages the sandbox sends. */
export type SandboxMessage = CallRequest | ReplyMessage | LogMessage;

/** What the sandbox answers to `init`: what the plugin's definition has. */
export interface InitReply {
  readonly hooks: readonly ('onLoad' | 'onStart' | 'onStop')[];
  readonly handles: boolean;
  readonly actions?: readonly string[];
}

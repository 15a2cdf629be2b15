import { pino, type DestinationStream, type Logger } from 'pino';
import type { XcoreConfig } from '../config/types.js';
import { markErrorStacks, serializeError, wantsErrorStacks } from '../reporting/render-error.js';

/** Options of {@link createLogger} beyond the `logging` config section. */
export interface CreateLoggerOptions {
  /** Bound as `{ app: name }` on every line. @defaultValue none */
  readonly name?: string;
  /**
   * Where JSON lines go (tests pass a stream to read them back). Ignored when `pretty` is set.
   * @defaultValue stdout
   */
  readonly destination?: DestinationStream;
  /**
   * Write every stack of an error's cause chain into `err.stack` (`xcore start --debug`). Stacks
   * are written too at level `debug` or `trace`, and when `XCORE_DEBUG=1`.
   * @defaultValue `false`
   */
  readonly debugErrors?: boolean;
}

/**
 * Creates the application's root pino logger from the `logging` section of `xcore.yaml`.
 *
 * @remarks
 * With `pretty: true` output goes through pino-pretty in a worker thread (pino's transport), so
 * formatting never blocks the event loop; otherwise newline-delimited JSON for log shippers.
 * Errors are serialised under `err` by `serializeError`: the message with what each cause adds
 * (a cause is not repeated), `at` the first frame in the user's code, and the stacks only when
 * debugging (see {@link CreateLoggerOptions.debugErrors}).
 *
 * @example
 * ```ts
 * const logger = createLogger({ level: 'info', pretty: process.stdout.isTTY }, { name: 'shop' });
 * logger.child({ plugin: 'heartbeat' }).info({ ms: 3 }, 'plugin started');
 * ```
 */
export function createLogger(logging: XcoreConfig['logging'], options: CreateLoggerOptions = {}): Logger {
  const base = options.name === undefined ? {} : { app: options.name };
  const debug = wantsErrorStacks(logging.level, { debugErrors: options.debugErrors });
  const common = { level: logging.level, base, serializers: { err: (error: unknown) => serializeError(error, { debug }) } };
  const logger = logging.pretty
    ? pino({
        ...common,
        // Colours only on a terminal: `pretty: true` forced into a file or pipe stays plain text.
        transport: { target: 'pino-pretty', options: { colorize: process.stdout.isTTY === true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,app' } },
      })
    : options.destination === undefined
      ? pino(common)
      : pino(common, options.destination);
  // A sandboxed plugin's logger follows this decision (see loggerErrorStacks).
  markErrorStacks(logger, debug);
  return logger;
}

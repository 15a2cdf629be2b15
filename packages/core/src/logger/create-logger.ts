import { pino, type DestinationStream, type Logger } from 'pino';
import type { XcoreConfig } from '../config/types.js';

/** Options of {@link createLogger} beyond the `logging` config section. */
export interface CreateLoggerOptions {
  /** Bound as `{ app: name }` on every line. @defaultValue none */
  readonly name?: string;
  /**
   * Where JSON lines go (tests pass a stream to read them back). Ignored when `pretty` is set.
   * @defaultValue stdout
   */
  readonly destination?: DestinationStream;
}

/**
 * Creates the application's root pino logger from the `logging` section of `xcore.yaml`.
 *
 * @remarks
 * With `pretty: true` output goes through pino-pretty in a worker thread (pino's transport), so
 * formatting never blocks the event loop; otherwise newline-delimited JSON for log shippers.
 * Errors are serialised under `err`.
 *
 * @example
 * ```ts
 * const logger = createLogger({ level: 'info', pretty: process.stdout.isTTY }, { name: 'shop' });
 * logger.child({ plugin: 'heartbeat' }).info({ ms: 3 }, 'plugin started');
 * ```
 */
export function createLogger(logging: XcoreConfig['logging'], options: CreateLoggerOptions = {}): Logger {
  const base = options.name === undefined ? {} : { app: options.name };
  const common = { level: logging.level, base, serializers: { err: pino.stdSerializers.err } };
  if (logging.pretty) {
    return pino({
      ...common,
      // Colours only on a terminal: `pretty: true` forced into a file or pipe stays plain text.
      transport: { target: 'pino-pretty', options: { colorize: process.stdout.isTTY === true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,app' } },
    });
  }
  return options.destination === undefined ? pino(common) : pino(common, options.destination);
}

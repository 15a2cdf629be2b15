/**
 * The shape of a validated `xcore.yaml`, shared by the config loader and the kernel.
 */

/** pino log levels accepted in `logging.level`. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** A validated, frozen `xcore.yaml`. */
export interface XcoreConfig {
  readonly app: {
    /** Application name, used in logs. @defaultValue `'xcore'` */
    readonly name: string;
    /** Drain deadline for shutdown, ms. @defaultValue `10000` */
    readonly shutdownTimeoutMs: number;
  };
  readonly logging: {
    /** @defaultValue `'info'` */
    readonly level: LogLevel;
    /** Human-readable output via pino-pretty. @defaultValue `true` when stdout is a TTY */
    readonly pretty: boolean;
  };
  readonly plugins: {
    /** Absolute path of the plugins folder (written relative to the config file). @defaultValue `'./plugins'` */
    readonly directory: string;
    /** Plugin names to load, or `'*'` for every plugin found. @defaultValue `'*'` */
    readonly enabled: readonly string[] | '*';
    /** Per-plugin config sections, validated by each plugin's `configSchema`. @defaultValue `{}` */
    readonly config: Readonly<Record<string, unknown>>;
    /** Timeout of each plugin hook, ms. @defaultValue `10000` */
    readonly hookTimeoutMs: number;
    /** Abort boot when a plugin fails to start. @defaultValue `false` */
    readonly failFast: boolean;
  };
  /** Service sections, each validated by the schema its service package contributes. */
  readonly services: Readonly<Record<string, unknown>>;
}

/** A position in a source file (1-based line and column). */
export interface SourcePosition {
  readonly line: number;
  readonly col: number;
}

/** A loaded config: the value plus where it came from, for pointing errors at lines. */
export interface LoadedConfig {
  readonly config: XcoreConfig;
  /** Absolute path of the file, or `'<inline>'`. */
  readonly file: string;
  /** Position of a key path in the file (closest existing ancestor when the path is absent). */
  locate(path: readonly (string | number)[]): SourcePosition | undefined;
}

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
    /**
     * Whether `xcore start` follows which plugin and job code runs for (`trackCodeOrigins`), to
     * name them when an uncaught exception or floating rejection is logged. @defaultValue `true`
     */
    readonly faultOrigins: boolean;
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
    /** Plugins run sandboxed besides those whose manifest says `"sandbox": true`. @defaultValue `[]` */
    readonly sandboxed: readonly string[];
    /** Limits and restarts of sandboxed plugins' processes. */
    readonly sandbox: SandboxConfig;
  };
  /** What the health probes count (`/livez`, `/readyz`, `/health`). */
  readonly health: HealthConfig;
  /** Service sections, each validated by the schema its service package contributes. */
  readonly services: Readonly<Record<string, unknown>>;
}

/** The `health` section of `xcore.yaml`. */
export interface HealthConfig {
  /** Warning checks whose problems fail readiness too. @defaultValue `[]` */
  readonly failReadinessOn: readonly ('jobs' | 'plugins' | 'checks')[];
  /** Time one check may take before it counts as failing, ms. @defaultValue `2000` */
  readonly checkTimeout: number;
  /** Liveness fails while a stall of the event loop this long (ms) happened in the last minute. @defaultValue `30000` */
  readonly eventLoopBlockedAfter: number;
  /**
   * @deprecated Set `services.scheduler.overdue.after` instead. Still accepted: the scheduler uses
   * it for that when that is not set, and warns at boot. No default.
   */
  readonly overdueAfter?: number;
}

/** A position in a source file (1-based line and column). */
export interface SourcePosition {
  readonly line: number;
  readonly col: number;
}

/** One step of a key path: a map key or a list index. */
export type ConfigPathSegment = string | number;

/** A loaded config: the value plus where it came from, for pointing errors at lines. */
export interface LoadedConfig {
  readonly config: XcoreConfig;
  /** Absolute path of the file, or `'<inline>'`. */
  readonly file: string;
  /**
   * Position of a key path in the file (closest existing ancestor when the path is absent).
   *
   * @remarks
   * For a map entry this is where its key is written (`hookTimeoutMs:`), for a list item where
   * the item starts, for `[]` where the document starts.
   */
  locate(path: readonly ConfigPathSegment[]): SourcePosition | undefined;
  /**
   * Position of the value at a key path (for `key: value`, where `value` starts); falls back to
   * {@link LoadedConfig.locate} of the closest existing ancestor when the path is absent.
   */
  locateValue?(path: readonly ConfigPathSegment[]): SourcePosition | undefined;
}

/** What kind of problem a {@link ConfigIssue} is. */
export type ConfigIssueKind = 'syntax' | 'interpolation' | 'schema';

/**
 * One problem in a config file, positioned at `file:line:col`.
 *
 * @remarks
 * `message` is the issue without its position, e.g.
 * `plugins.hookTimeoutMs: expected a duration like 500, "30s", "5m" or "1h30m", found "soon"`;
 * `ConfigInvalidError` prints one issue per line as `file:line:col  message`.
 */
export interface ConfigIssue {
  readonly kind: ConfigIssueKind;
  /** Absolute path of the file, or `'<inline>'`. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly col: number;
  /** Key path, e.g. `"services.scheduler.jobs[2].trigger"`; `""` for the whole file. */
  readonly path: string;
  /** What was expected, e.g. `number`, `one of "info", "warn"`. */
  readonly expected: string;
  /** What was found, e.g. `"abc"`, `nothing (the key is missing)`. */
  readonly found: string;
  /** The issue as one human sentence, without its position. */
  readonly message: string;
}

/** `plugins.sandbox`: limits and restarts of sandboxed plugins' processes (see the README, "Sandboxed plugins"). */
export interface SandboxConfig {
  /** Absolute path of the folder holding one data folder per sandboxed plugin. @defaultValue `'./data'` next to the config file */
  readonly dataDirectory: string;
  /** Heap cap of each sandbox process, MB. @defaultValue `256` */
  readonly maxOldSpaceMb: number;
  /** Resident memory at which the host kills a sandbox process, MB. @defaultValue `512` */
  readonly maxRssMb: number;
  /** Time a sandbox process gets to exit after `onStop` before it is killed, ms. @defaultValue `5000` */
  readonly stopGraceMs: number;
  /** First wait before restarting a crashed sandbox, ms (doubled per crash in the window). @defaultValue `1000` */
  readonly restartDelayMs: number;
  /** Longest wait before a restart, ms. @defaultValue `30000` */
  readonly maxRestartDelayMs: number;
  /** Crashes within `crashWindowMs` after which the plugin is failed. @defaultValue `5` */
  readonly maxCrashes: number;
  /** Window in which crashes are counted, ms. @defaultValue `300000` */
  readonly crashWindowMs: number;
  /** Host environment variables passed to every sandbox. @defaultValue `[]` */
  readonly env: readonly string[];
}

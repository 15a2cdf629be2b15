/**
 * The zod schemas of `xcore.yaml`: one per core section, and the whole file for a set of services.
 */
import { z } from 'zod';
import { duration } from './duration.js';

/** Log levels accepted in `logging.level` (pino's). */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/**
 * Schema of the `app` section.
 *
 * @remarks
 * `name` defaults to `'xcore'`; `shutdownTimeoutMs` (a duration) to 10 s; `faultOrigins` to `true`.
 */
export const appConfigSchema = z.strictObject({
  name: z.string().min(1).default('xcore').describe('Application name, used in logs.'),
  shutdownTimeoutMs: duration().default(10_000).describe('Drain deadline for shutdown: milliseconds or text like "10s". Default 10s.'),
  faultOrigins: z
    .boolean()
    .default(true)
    .describe(
      'Name the plugin and job an uncaught exception or floating rejection came from (`xcore start`); costs about 1.5 µs per async job run, so very high job rates may turn it off.',
    ),
});

/**
 * Builds the schema of the `logging` section.
 *
 * @param prettyDefault - Default of `logging.pretty` (the CLI passes whether stdout is a TTY).
 */
export function loggingConfigSchema(prettyDefault: boolean) {
  return z.strictObject({
    level: z.enum(LOG_LEVELS).default('info').describe('Minimum log level.'),
    pretty: z.boolean().default(prettyDefault).describe('Human-readable logs (pino-pretty). Defaults to true on a terminal.'),
  });
}

/**
 * Schema of `plugins.sandbox`: limits and restarts of sandboxed plugins' processes.
 *
 * @remarks
 * Defaults: `dataDirectory: ./data`, `maxOldSpaceMb: 256`, `maxRssMb: 512`, `stopGraceMs: 5s`,
 * `restartDelayMs: 1s` (doubled per crash up to `maxRestartDelayMs: 30s`), `maxCrashes: 5` within
 * `crashWindowMs: 5m`, `env: []`.
 */
export const sandboxConfigSchema = z.strictObject({
  dataDirectory: z
    .string()
    .min(1)
    .default('./data')
    .describe('Folder holding one data folder per sandboxed plugin (the only place it may write), relative to this file.'),
  maxOldSpaceMb: z.number().int().min(16).max(65_536).default(256).describe("Heap cap of each sandbox process (node --max-old-space-size), MB."),
  maxRssMb: z.number().int().min(32).max(1_048_576).default(512).describe('Resident memory at which the host kills a sandbox process (checked every second on Linux), MB.'),
  stopGraceMs: duration().default(5_000).describe('How long a sandbox process gets to exit after its onStop before it is killed.'),
  restartDelayMs: duration().default(1_000).describe('Wait before restarting a crashed sandbox; doubled per crash in the window.'),
  maxRestartDelayMs: duration().default(30_000).describe('Longest wait before restarting a crashed sandbox.'),
  maxCrashes: z.number().int().min(1).max(1_000).default(5).describe('Crashes within crashWindowMs after which a sandboxed plugin is failed instead of restarted.'),
  crashWindowMs: duration().default(300_000).describe('Window in which crashes are counted against maxCrashes.'),
  env: z
    .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'))
    .default([])
    .describe('Names of host environment variables passed to every sandbox process (nothing else is).'),
});

/**
 * Schema of the `plugins` section.
 *
 * @remarks
 * `directory` is returned as written; the loader resolves it against the config file's folder.
 * Defaults: `directory: ./plugins`, `enabled: '*'`, `config: {}`, `hookTimeoutMs: 10s`,
 * `failFast: false`, `sandboxed: []`, `sandbox` as in {@link sandboxConfigSchema}.
 */
export const pluginsConfigSchema = z.strictObject({
  directory: z.string().min(1).default('./plugins').describe('Folder holding one folder per plugin, relative to this file.'),
  enabled: z
    .union([z.literal('*'), z.array(z.string().min(1))])
    .default('*')
    .describe('Plugin names to load, or "*" for every plugin found.'),
  config: z.record(z.string(), z.unknown()).default({}).describe("Per-plugin config, validated by each plugin's configSchema."),
  hookTimeoutMs: duration().default(10_000).describe('Timeout of each plugin hook: milliseconds or text like "10s". Default 10s.'),
  failFast: z.boolean().default(false).describe('Abort boot when a plugin fails to start.'),
  sandboxed: z
    .array(z.string().min(1))
    .default([])
    .describe('Plugins to run sandboxed (own process, permission model, granted methods only), besides those whose manifest says "sandbox": true.'),
  sandbox: sandboxConfigSchema.prefault({}),
});

/** Warning-level checks `health.failReadinessOn` can escalate to readiness. */
export const READINESS_ESCALATIONS = ['jobs', 'plugins', 'checks'] as const;

/**
 * Schema of the `health` section: what `/livez`, `/readyz` and `/health` count.
 *
 * @remarks
 * Defaults: `failReadinessOn: []` (warnings never fail readiness), `checkTimeout: 2s`,
 * `eventLoopBlockedAfter: 30s`. `overdueAfter` is deprecated (no default): the scheduler's
 * `services.scheduler.overdue.after` is the one setting; a value here is still accepted and used
 * for it when that is not set, with a warning at boot.
 */
export const healthConfigSchema = z.strictObject({
  failReadinessOn: z
    .array(z.enum(READINESS_ESCALATIONS))
    .default([])
    .describe(
      'Warning checks whose problems fail /readyz too: "jobs" (a failing or overdue job), "plugins" (a failed or skipped plugin), "checks" (a check reported to the health plugin as failing). Default none: they show in /health only.',
    ),
  checkTimeout: duration({ min: 1, max: 60_000 }).default(2_000).describe('How long one health check may take before it counts as failing. Default 2s.'),
  eventLoopBlockedAfter: duration({ min: 100 })
    .default(30_000)
    .describe('/livez fails while the event loop was blocked this long (one stall) within the last minute. Default 30s.'),
  overdueAfter: duration({ min: 1 })
    .optional()
    .describe('Deprecated: set services.scheduler.overdue.after instead (the one overdue setting, used by job health, metrics and the job.overdue event). Still accepted: used for it when that is not set, with a warning at boot.'),
});

/**
 * What the config loader needs of a service package: the key of its section and its schema.
 *
 * @remarks
 * Every `ServiceDefinition` is one, so pass service definitions as they are.
 */
export interface ServiceConfigSource {
  /** The key under `services:`. */
  readonly name: string;
  /** Zod schema of the section (strict). */
  readonly configSchema: z.ZodType;
}

/** Options of {@link configSchema}. */
export interface ConfigSchemaOptions {
  /**
   * Default of `logging.pretty`.
   * @defaultValue `false`
   */
  readonly prettyDefault?: boolean;
}

/**
 * Builds the schema of a whole `xcore.yaml` for the given service packages.
 *
 * @remarks
 * Strict at every level the core owns. `services` accepts exactly the names of `services`; an
 * absent section is validated as `{}` so the service's defaults apply (the loader also reads an
 * empty section, `null` in YAML, as absent). A top-level `$schema` string (for editors) is accepted and ignored.
 */
export function configSchema(services: readonly ServiceConfigSource[], options: ConfigSchemaOptions = {}) {
  const shape: Record<string, z.ZodType> = {};
  for (const service of services) {
    shape[service.name] = emptyAsObject(service.configSchema).describe(`Config of the ${service.name} service.`);
  }
  return z.strictObject({
    $schema: z.string().optional().describe('JSON Schema of this file, for editors.'),
    app: emptyAsObject(appConfigSchema),
    logging: emptyAsObject(loggingConfigSchema(options.prettyDefault ?? false)),
    plugins: emptyAsObject(pluginsConfigSchema),
    health: emptyAsObject(healthConfigSchema),
    services: emptyAsObject(z.strictObject(shape)).describe('One section per service package.'),
  });
}

/** A section that may be absent: validated as `{}` so its defaults apply. */
function emptyAsObject<T extends z.ZodType>(schema: T): z.ZodType<z.output<T>, z.input<T> | undefined> {
  return (schema as z.ZodType<unknown, unknown>).prefault({}) as unknown as z.ZodType<z.output<T>, z.input<T> | undefined>;
}

/**
 * A valid app and a table of mutations of it, for comparing `xcore validate` with `xcore start`.
 *
 * @remarks
 * The app has two plugins of its own (`alpha` with a strict config schema, `beta` depending on
 * it), an unused third one (`gamma`), the shipped `health` and `heartbeat` plugins (linked), and
 * YAML jobs in `jobs/work.ts`. The config is written as JSON (valid YAML, so every error still has
 * a line and column); a mutation changes that object, a file, or the text itself. Some mutations
 * are valid on purpose: both commands must accept them.
 */
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The app's config as an object (written as JSON, which is YAML). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test's free-form JSON, mutated by path
export type AppConfig = Record<string, any>;

/** One change to the valid app. */
export interface Mutation {
  readonly name: string;
  /** Changes the config object in place. */
  readonly config?: (config: AppConfig) => void;
  /** Files to write (path relative to the app), replacing the app's own. */
  readonly files?: Readonly<Record<string, string>>;
  /** Changes the written config text (after `config`). */
  readonly text?: (text: string) => string;
}

const ALPHA = `import { z } from 'zod';
export default {
  configSchema: z.strictObject({
    limit: z.number().int().min(1).default(1),
    mode: z.enum(['fast', 'slow']).default('fast'),
    endpoint: z.url().optional(),
  }),
  async onStart(ctx) { ctx.logger.info({ limit: ctx.config.limit }, 'alpha up'); },
  handle: async (action) => ({ action }),
  actions: ['ping'],
};
`;
const BETA = `export default { async onStart(ctx) { await ctx.call('alpha', 'ping'); } };\n`;
const GAMMA = `export default { async onStart() {} };\n`;
const JOBS = `export async function tick() {}\nexport async function nightly() {}\nexport const notFn = 5;\n`;

function manifest(name: string, dependencies: Record<string, string> = {}, version = '1.0.0'): string {
  return JSON.stringify({ name, version, type: 'module', xcore: { name, entry: './src/index.ts', dependencies } });
}

/** The files of the valid app, by path. */
export function baseFiles(): Record<string, string> {
  return {
    'plugins/alpha/package.json': manifest('alpha'),
    'plugins/alpha/src/index.ts': ALPHA,
    'plugins/beta/package.json': manifest('beta', { alpha: '^1.0.0' }),
    'plugins/beta/src/index.ts': BETA,
    'plugins/gamma/package.json': manifest('gamma'),
    'plugins/gamma/src/index.ts': GAMMA,
    'jobs/work.ts': JOBS,
  };
}

/** The config of the valid app. */
export function baseConfig(): AppConfig {
  return {
    app: { name: 'fuzz', shutdownTimeoutMs: '5s' },
    logging: { level: 'info', pretty: false },
    plugins: {
      directory: './plugins',
      enabled: ['alpha', 'beta', 'health', 'heartbeat'],
      hookTimeoutMs: '10s',
      failFast: false,
      config: {
        alpha: { limit: 3, mode: 'fast', endpoint: 'https://example.com/hook' },
        heartbeat: { interval: '5s' },
      },
    },
    services: {
      scheduler: {
        backend: 'memory',
        timezone: 'UTC',
        defaults: { misfireGraceTime: '1m', coalesce: 'latest', timeout: '5m' },
        jobs: [
          { id: 'tick', func: './jobs/work.ts:tick', trigger: { type: 'interval', seconds: 30 } },
          { id: 'nightly', func: './jobs/work.ts:nightly', trigger: { type: 'cron', expression: '0 3 * * *', timezone: 'Europe/Berlin' } },
          { id: 'bounded', func: './jobs/work.ts:tick', trigger: { type: 'interval', minutes: 5, startDate: '2026-01-01T00:00:00Z', endDate: '2036-01-01T00:00:00Z' } },
        ],
      },
    },
  };
}

/** Writes the app with `mutation` applied to a fresh temp folder and returns the folder. */
export function writeMutatedApp(mutation: Mutation): string {
  const dir = mkdtempSync(join(tmpdir(), 'xcore-mutant-'));
  const files = { ...baseFiles(), ...mutation.files };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  mkdirSync(join(dir, 'plugins'), { recursive: true });
  for (const shipped of ['health', 'heartbeat']) symlinkSync(join(ROOT, 'plugins', shipped), join(dir, 'plugins', shipped), 'dir');
  // Plugins import zod; pnpm would link it, here the test package's copy is linked.
  symlinkSync(realpathSync(join(ROOT, 'test', 'node_modules')), join(dir, 'node_modules'), 'dir');
  const config = baseConfig();
  mutation.config?.(config);
  let text = JSON.stringify(config, null, 2) + '\n';
  if (mutation.text !== undefined) text = mutation.text(text);
  writeFileSync(join(dir, 'xcore.yaml'), text);
  return dir;
}

const scheduler = (c: AppConfig): AppConfig => c.services.scheduler;
const job = (c: AppConfig, i: number): AppConfig => c.services.scheduler.jobs[i];
const alphaConfig = (c: AppConfig): AppConfig => c.plugins.config.alpha;
const redis = (extra: Record<string, unknown>) => (c: AppConfig): void => {
  // An unreachable port: these cases must fail before any connection (none of them connects).
  Object.assign(scheduler(c), { backend: 'redis', url: 'redis://127.0.0.1:1', jobs: [] }, extra);
};

/**
 * The mutations: every example of issue 10 point 3, and more of the same kinds (plugin discovery,
 * order, import and config; YAML job modules and exports; trigger values; service sections; the
 * file itself), plus valid variations.
 */
export const MUTATIONS: readonly Mutation[] = [
  // Valid variations: both commands accept them.
  { name: 'the valid app' },
  { name: 'valid: every plugin enabled with "*"', config: (c) => void (c.plugins.enabled = '*') },
  { name: 'valid: no YAML jobs', config: (c) => void (scheduler(c).jobs = []) },
  { name: 'valid: alpha config left to its defaults', config: (c) => void delete c.plugins.config.alpha },
  { name: 'valid: only alpha enabled', config: (c) => { c.plugins.enabled = ['alpha']; delete c.plugins.config.heartbeat; } },
  { name: 'valid: misfireGraceTime null', config: (c) => void (scheduler(c).defaults.misfireGraceTime = null) },
  { name: 'valid: a date trigger', config: (c) => void (job(c, 0).trigger = { type: 'date', runDate: '2030-06-01T12:00:00Z' }) },
  { name: 'valid: a cron with seconds', config: (c) => void (job(c, 1).trigger = { type: 'cron', expression: '*/10 * * * * *' }) },
  { name: 'valid: memory backend ignores a prefix with braces', config: (c) => void (scheduler(c).prefix = 'a{b}') },
  { name: 'valid: interval of 1 ms in milliseconds', config: (c) => void (job(c, 0).trigger = { type: 'interval', milliseconds: 1.2 }) },
  {
    name: 'valid: a disabled scheduler with a job whose module is missing',
    config: (c) => {
      scheduler(c).enabled = false;
      job(c, 0).func = './jobs/nope.ts:tick';
      c.plugins.enabled = ['alpha', 'beta'];
      delete c.plugins.config.heartbeat;
    },
  },
  { name: 'valid before any hook: a plugin whose onStart throws', files: { 'plugins/gamma/src/index.ts': 'export default { async onStart() { throw new Error("gamma down"); } };\n' }, config: (c) => void c.plugins.enabled.push('gamma') },
  { name: 'valid: http on an ephemeral port', config: (c) => void (c.services.http = { enabled: true, port: 0, auth: 'none' }) },
  { name: 'valid: the shipped health config', config: (c) => void (c.plugins.config.health = { summary: '*/30 * * * * *' }) },
  { name: 'valid: gamma enabled too', config: (c) => void c.plugins.enabled.push('gamma') },
  { name: 'valid: a func path through ..', config: (c) => void (job(c, 2).func = './jobs/../jobs/work.ts:nightly') },

  // Plugins: discovery and enabling.
  { name: 'a name in plugins.enabled with no plugin', config: (c) => void c.plugins.enabled.push('ghost') },
  { name: 'a section for a plugin that is not enabled', config: (c) => void (c.plugins.config.gamma = { any: 1 }) },
  { name: 'a section for a plugin that does not exist', config: (c) => void (c.plugins.config.nope = {}) },
  { name: 'plugins.directory that does not exist', config: (c) => void (c.plugins.directory = './nowhere') },
  { name: 'enabled "*" with a section for no plugin', config: (c) => { c.plugins.enabled = '*'; c.plugins.config.zeta = {}; } },
  { name: 'a plugin manifest with an invalid name', files: { 'plugins/gamma/package.json': JSON.stringify({ name: 'gamma', version: '1.0.0', xcore: { name: 'Bad Name!', entry: './src/index.ts' } }) } },
  { name: 'two plugin folders with one name', files: { 'plugins/gamma/package.json': manifest('alpha') } },
  { name: 'a plugin manifest that is not JSON', files: { 'plugins/gamma/package.json': '{ "name": ' } },
  // Plugins: order.
  { name: 'a plugin dependency that is missing', files: { 'plugins/beta/package.json': manifest('beta', { zeta: '^1.0.0' }) } },
  { name: 'a plugin dependency out of its version range', files: { 'plugins/beta/package.json': manifest('beta', { alpha: '^2.0.0' }) } },
  { name: 'a dependency cycle', files: { 'plugins/alpha/package.json': manifest('alpha', { beta: '^1.0.0' }) } },
  { name: 'a dependency on a plugin that is not enabled', config: (c) => void (c.plugins.enabled = ['beta']), text: (t) => t.replace(/"alpha": \{[^}]*\},?/, '') },
  // Plugins: import.
  { name: 'a plugin entry that does not parse', files: { 'plugins/alpha/src/index.ts': 'export default {\n  onStart( {\n};\n' } },
  { name: 'a plugin entry that throws when imported', files: { 'plugins/alpha/src/index.ts': 'throw new Error("alpha cannot load");\n' } },
  { name: 'a plugin entry without a default export', files: { 'plugins/alpha/src/index.ts': 'export const x = 1;\n' } },
  { name: 'a plugin default export that is not a plugin', files: { 'plugins/alpha/src/index.ts': 'export default { onStart: 5 };\n' } },
  { name: 'a plugin definition with an unknown key', files: { 'plugins/alpha/src/index.ts': 'export default { onBoot() {} };\n' } },
  { name: 'a plugin entry that is missing', files: { 'plugins/alpha/package.json': JSON.stringify({ name: 'alpha', version: '1.0.0', xcore: { name: 'alpha', entry: './src/main.ts' } }) } },
  { name: 'a plugin entry importing a missing package', files: { 'plugins/alpha/src/index.ts': 'import "no-such-package-xyz";\nexport default {};\n' } },
  { name: 'failFast with a plugin entry that throws', config: (c) => void (c.plugins.failFast = true), files: { 'plugins/alpha/src/index.ts': 'throw new Error("alpha cannot load");\n' } },
  { name: 'failFast with a missing dependency', config: (c) => void (c.plugins.failFast = true), files: { 'plugins/beta/package.json': manifest('beta', { zeta: '*' }) } },
  // Plugins: configSchema.
  { name: 'plugin config of the wrong type', config: (c) => void (alphaConfig(c).limit = 'three') },
  { name: 'plugin config below its minimum', config: (c) => void (alphaConfig(c).limit = 0) },
  { name: 'plugin config not a whole number', config: (c) => void (alphaConfig(c).limit = 1.5) },
  { name: 'plugin config outside its enum', config: (c) => void (alphaConfig(c).mode = 'medium') },
  { name: 'plugin config url "not a url"', config: (c) => void (alphaConfig(c).endpoint = 'not a url') },
  { name: 'plugin config with an unknown key', config: (c) => void (alphaConfig(c).limitt = 2) },
  { name: 'plugin config a list', config: (c) => void (c.plugins.config.alpha = [1, 2]) },
  { name: 'plugin config a string', config: (c) => void (c.plugins.config.alpha = 'fast') },
  { name: 'shipped plugin config of the wrong type', config: (c) => void (c.plugins.config.heartbeat.interval = 'soon') },
  { name: 'shipped plugin config with an unknown key', config: (c) => void (c.plugins.config.heartbeat.beat = 1) },
  { name: 'shipped health summary cron out of range', config: (c) => void (c.plugins.config.health = { summary: '0 0 32 * *' }) },
  // YAML jobs: modules and exports.
  { name: 'a YAML job whose module does not exist', config: (c) => void (job(c, 0).func = './jobs/nope.ts:tick') },
  { name: 'a YAML job whose export does not exist', config: (c) => void (job(c, 0).func = './jobs/work.ts:nope') },
  { name: 'a YAML job whose export is not a function', config: (c) => void (job(c, 0).func = './jobs/work.ts:notFn') },
  { name: 'a YAML job module that throws on import', config: (c) => void (job(c, 1).func = './jobs/broken.ts:run'), files: { 'jobs/broken.ts': 'throw new Error("broken module");\nexport function run() {}\n' } },
  { name: 'a YAML job module that does not parse', config: (c) => void (job(c, 1).func = './jobs/bad.ts:run'), files: { 'jobs/bad.ts': 'export function run( {\n' } },
  { name: 'a YAML job naming a package that is not installed', config: (c) => void (job(c, 2).func = 'no-such-package-xyz:run') },
  { name: 'a YAML job func without an export', config: (c) => void (job(c, 0).func = './jobs/work.ts') },
  { name: 'two YAML jobs with missing exports', config: (c) => { job(c, 0).func = './jobs/work.ts:a'; job(c, 1).func = './jobs/work.ts:b'; } },
  // YAML jobs: triggers and policy.
  { name: 'milliseconds 0.0001', config: (c) => void (job(c, 0).trigger = { type: 'interval', milliseconds: 0.0001 }) },
  { name: 'weeks 1e300', config: (c) => void (job(c, 0).trigger = { type: 'interval', weeks: 1e300 }) },
  { name: 'an interval with no unit', config: (c) => void (job(c, 0).trigger = { type: 'interval' }) },
  { name: 'a negative interval unit', config: (c) => void (job(c, 0).trigger = { type: 'interval', seconds: -5 }) },
  { name: 'an interval of 11 years', config: (c) => void (job(c, 0).trigger = { type: 'interval', days: 4000 }) },
  { name: 'interval startDate after endDate', config: (c) => Object.assign(job(c, 2).trigger, { startDate: '2030-01-01T00:00:00Z', endDate: '2029-01-01T00:00:00Z' }) },
  { name: 'cron startDate after endDate', config: (c) => Object.assign(job(c, 1).trigger, { startDate: '2030-01-01T00:00:00Z', endDate: '2029-01-01T00:00:00Z' }) },
  { name: 'cron day 32', config: (c) => void (job(c, 1).trigger.expression = '0 0 32 * *') },
  { name: 'cron month 13', config: (c) => void (job(c, 1).trigger.expression = '0 0 1 13 *') },
  { name: 'cron minute -1', config: (c) => void (job(c, 1).trigger.expression = '-1 * * * *') },
  { name: 'cron of one field', config: (c) => void (job(c, 1).trigger.expression = '5') },
  { name: 'cron of 1 MB', config: (c) => void (job(c, 1).trigger.expression = '1 '.repeat(300)) },
  { name: 'cron timezone unknown', config: (c) => void (job(c, 1).trigger.timezone = 'Mars/Olympus') },
  { name: 'scheduler timezone unknown', config: (c) => void (scheduler(c).timezone = 'Nowhere/City') },
  { name: 'date trigger runDate not a date', config: (c) => void (job(c, 0).trigger = { type: 'date', runDate: 'tomorrow' }) },
  { name: 'date trigger in year 10000', config: (c) => void (job(c, 0).trigger = { type: 'date', runDate: 253402300800000 }) },
  { name: 'trigger type unknown', config: (c) => void (job(c, 0).trigger = { type: 'weekly' }) },
  { name: 'duplicate YAML job id', config: (c) => void (job(c, 1).id = 'tick') },
  { name: 'job id with whitespace', config: (c) => void (job(c, 0).id = 'my job') },
  { name: 'maxInstances 0', config: (c) => void (job(c, 0).maxInstances = 0) },
  { name: 'timeout "forever"', config: (c) => void (job(c, 0).timeout = 'forever') },
  { name: 'retries -1', config: (c) => void (job(c, 0).retries = -1) },
  { name: 'coalesce unknown', config: (c) => void (job(c, 0).coalesce = 'most') },
  { name: 'an unknown job key', config: (c) => void (job(c, 0).every = '5s') },
  { name: 'args not a list', config: (c) => void (job(c, 0).args = 'x') },
  { name: 'maxRuns 0', config: (c) => void (job(c, 2).trigger.maxRuns = 0) },
  { name: 'defaults.timeout 0', config: (c) => void (scheduler(c).defaults.timeout = 0) },
  // The scheduler's section.
  { name: 'leaseMs below its minimum', config: (c) => void (scheduler(c).leaseMs = 10) },
  { name: 'pollMs below its minimum', config: (c) => void (scheduler(c).pollMs = 5) },
  { name: 'claimWindowMs above its maximum', config: (c) => void (scheduler(c).claimWindowMs = 120_000) },
  { name: 'backend unknown', config: (c) => void (scheduler(c).backend = 'mongo') },
  { name: 'backend redis without url', config: (c) => { scheduler(c).backend = 'redis'; scheduler(c).jobs = []; } },
  { name: 'backend redis with url and nodes', config: redis({ nodes: ['127.0.0.1:1'] }) },
  { name: 'a Redis prefix with braces', config: redis({ prefix: 'a{b}' }) },
  { name: 'a Redis prefix with a space', config: redis({ prefix: 'my app' }) },
  { name: 'Redis url "not a url"', config: redis({ url: 'not a url' }) },
  { name: 'Redis url with a space in the host', config: redis({ url: 'redis://local host:6379' }) },
  // The http section.
  { name: 'http port not a number', config: (c) => void (c.services.http = { enabled: true, port: 'abc', auth: 'none' }) },
  { name: 'http port above 65535', config: (c) => void (c.services.http = { enabled: true, port: 70_000, auth: 'none' }) },
  { name: 'http with an unknown key', config: (c) => void (c.services.http = { enabled: true, port: 0, auth: 'none', cors: true }) },
  // The file and core sections.
  { name: 'app.shutdownTimeoutMs not a duration', config: (c) => void (c.app.shutdownTimeoutMs = 'soon') },
  { name: 'logging.level unknown', config: (c) => void (c.logging.level = 'loud') },
  { name: 'an unknown top-level key', config: (c) => void (c.extra = 1) },
  { name: 'plugins.hookTimeoutMs 0', config: (c) => void (c.plugins.hookTimeoutMs = 0) },
  { name: 'a YAML syntax error', text: (t) => t.replace('"fuzz"', '"fuzz') },
  { name: 'a duplicate key', text: (t) => t.replace('"name": "fuzz",', '"name": "fuzz",\n    "name": "again",') },
  { name: 'an unset variable', text: (t) => t.replace('"fuzz"', '"${XCORE_TEST_UNSET_VARIABLE}"') },
];

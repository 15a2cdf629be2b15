/**
 * An app for the admin API suites: an `xcore.yaml` with the scheduler (memory or Redis) and the
 * http service with a token per scope, plugins that register jobs, and a YAML job; started with
 * the real, built `xcore start`.
 *
 * @remarks
 * Plugins: `billing` (jobs `sync` with args, 4 runs at a time and the others queued, `charge` that always fails, `cleanup` registered
 * `removable: true`, and `BILLING_JOBS` more named `bulk-NNNN`), `reports` (job `weekly`),
 * `dash` (depends on `reports`). Every job that runs appends `{ job, args, pid }` to the file at
 * `LEDGER` when it is set. The YAML job `nightly` does the same. Every job starts at
 * {@link FAR_FUTURE}, so it runs only when a suite asks.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempAppDir } from './cli-app.js';
import { runXcore, type XcoreProcess } from './cli-process.js';

/** A plain token per scope. */
export const ADMIN_TOKENS = {
  read: 'admin-suite-read-0123456789abcdef',
  operate: 'admin-suite-operate-0123456789abcdef',
  admin: 'admin-suite-admin-0123456789abcdef',
} as const;

const RECORD = `import { appendFileSync } from 'node:fs';
export const record = (ctx) => {
  const ledger = process.env.LEDGER;
  if (ledger) appendFileSync(ledger, JSON.stringify({ job: ctx.jobId, args: ctx.args, pid: process.pid }) + '\\n');
};
`;

/**
 * `startDate` of every job the app registers: the suites expect only the runs they ask for, and
 * without it an hourly interval fires on the hour (UTC) and a cron at its time, whenever a suite
 * crosses one. One fixed instant, so every process of a cluster registers the same definition.
 */
export const FAR_FUTURE = '2100-01-01T00:00:00.000Z';

const BILLING = `import { record } from '../../../record.ts';
const startDate = '${FAR_FUTURE}';
export default {
  async onStart(ctx) {
    const s = ctx.getService('scheduler');
    await s.addJob(record, { id: 'sync', every: '1h', startDate, args: ['own'], maxInstances: 4, overlap: 'queue' });
    await s.addJob(() => { throw new Error('card declined'); }, { id: 'charge', every: '1h', startDate });
    await s.addJob(record, { id: 'cleanup', every: '1h', startDate, removable: true });
    const n = Number(process.env.BILLING_JOBS ?? 0);
    for (let i = 0; i < n; i++) await s.addJob(record, { id: 'bulk-' + String(i).padStart(4, '0'), every: '1h', startDate });
  },
};
`;

const REPORTS = `import { record } from '../../../record.ts';
export default {
  async onStart(ctx) {
    await ctx.getService('scheduler').addJob(record, { id: 'weekly', cron: '0 9 * * 1', startDate: '${FAR_FUTURE}' });
  },
};
`;

/** Options of {@link writeAdminApp}. */
export interface AdminAppOptions {
  /** `memory`, or Redis at this URL. @defaultValue memory */
  readonly redisUrl?: string;
  /** Key prefix on Redis. */
  readonly prefix?: string;
  /** `plugins.enabled`. @defaultValue every plugin */
  readonly plugins?: readonly string[];
  /** `services.http.port`. @defaultValue 0 (a free port) */
  readonly port?: number;
  /** `services.http.basePath`. @defaultValue none */
  readonly basePath?: string;
  /** `services.http.tls` (PEM files). @defaultValue plain HTTP */
  readonly tls?: { readonly cert: string; readonly key: string };
}

/** A written app. */
export interface AdminApp {
  readonly dir: string;
  /** Replaces a plugin's entry (for reloads). */
  writePlugin(name: string, source: string): void;
}

/** Writes the app into a fresh temp folder (removed after a suite that calls `removeTempAppsAfterAll`). */
export function writeAdminApp(options: AdminAppOptions = {}): AdminApp {
  const dir = tempAppDir('admin-');
  const scheduler = options.redisUrl === undefined
    ? '    backend: memory'
    : `    backend: redis\n    url: ${options.redisUrl}\n    prefix: ${options.prefix ?? 'admin'}\n    leaseMs: 3s\n    pollMs: 1s`;
  const tokens = Object.entries(ADMIN_TOKENS).map(([scope, token]) => `\n        - { id: ${scope}-bot, token: "${token}", scopes: [${scope}] }`).join('');
  const enabled = options.plugins === undefined ? '' : `\n  enabled: [${options.plugins.join(', ')}]`;
  writeFileSync(join(dir, 'xcore.yaml'), `app:
  name: admin-fixture
  shutdownTimeoutMs: 10s
logging:
  level: info
  pretty: false
plugins:
  directory: ./plugins${enabled}
services:
  scheduler:
${scheduler}
    jobs:
      - id: nightly
        func: ./record.ts:record
        trigger: { type: cron, expression: "0 3 * * *", startDate: "${FAR_FUTURE}" }
  http:
    enabled: true
    port: ${options.port ?? 0}${options.basePath === undefined ? '' : `\n    basePath: ${options.basePath}`}${options.tls === undefined ? '' : `\n    tls: { cert: "${options.tls.cert}", key: "${options.tls.key}" }`}
    rateLimit: { failures: 1000000 }
    auth:
      tokens:${tokens}
`);
  writeFileSync(join(dir, 'record.ts'), RECORD);
  const writePlugin = (name: string, source: string, dependencies: Record<string, string> = {}): void => {
    const folder = join(dir, 'plugins', name);
    mkdirSync(join(folder, 'src'), { recursive: true });
    writeFileSync(join(folder, 'package.json'), JSON.stringify({ name, version: '1.0.0', type: 'module', xcore: { name, entry: './src/index.ts', dependencies } }));
    writeFileSync(join(folder, 'src', 'index.ts'), source);
  };
  writePlugin('billing', BILLING);
  writePlugin('reports', REPORTS);
  writePlugin('dash', 'export default {};', { reports: '^1.0.0' });
  return { dir, writePlugin: (name, source) => writeFileSync(join(dir, 'plugins', name, 'src', 'index.ts'), source) };
}

/** Starts `xcore start` in `dir` and resolves once it started, with its admin base URL. */
export async function startAdminApp(dir: string, env: Record<string, string> = {}): Promise<{ app: XcoreProcess; url: string }> {
  const app = runXcore(['start', '-c', join(dir, 'xcore.yaml')], { cwd: dir, env });
  const listening = await app.waitFor((l) => l.msg === 'http listening', 30_000);
  await app.waitFor((l) => l.msg === 'xcore started', 30_000);
  return { app, url: String(listening.url) };
}

/** Three processes of one app on one Redis: `a` and `b` run every plugin, `c` all but `billing`. */
export interface AdminCluster {
  readonly a: { app: XcoreProcess; url: string };
  readonly b: { app: XcoreProcess; url: string };
  readonly c: { app: XcoreProcess; url: string };
  /** The file every job run appends `{ job, args, pid }` to. */
  readonly ledger: string;
  /** The app folder of `c` (no billing plugin). */
  readonly withoutBillingDir: string;
}

/**
 * Starts three `xcore start` processes sharing the Redis at `redisUrl` under a fresh prefix (see
 * {@link AdminCluster}); `billing` registers `billingJobs` more jobs. `track` receives each process
 * as soon as it runs, so the caller can kill it whatever happens next.
 */
export async function startAdminCluster(redisUrl: string, billingJobs: number, track: (p: XcoreProcess) => void): Promise<AdminCluster> {
  const prefix = `adm-${randomUUID().slice(0, 8)}`;
  const withBilling = writeAdminApp({ redisUrl, prefix });
  const withoutBilling = writeAdminApp({ redisUrl, prefix, plugins: ['reports', 'dash'] });
  const ledger = join(withBilling.dir, 'ledger.jsonl');
  writeFileSync(ledger, '');
  const env = { LEDGER: ledger, BILLING_JOBS: String(billingJobs) };
  const start = async (dir: string) => {
    const started = await startAdminApp(dir, env);
    track(started.app);
    return started;
  };
  const a = await start(withBilling.dir);
  const b = await start(withBilling.dir);
  const c = await start(withoutBilling.dir);
  return { a, b, c, ledger, withoutBillingDir: withoutBilling.dir };
}

/**
 * One scheduler process of the multi-process Redis suite (`test/multi-process.redis.test.ts`).
 *
 * @remarks
 * Run with `node --import tsx test/helpers/redis-worker.ts`. Registers `JOBS` interval jobs
 * (`job-0` ...) firing every `EVERY_MS` on a `RedisStore` at `REDIS_URL` under `PREFIX`; each run
 * appends `<jobId> <scheduledAt> <NAME> run` to the `LEDGER` file (one `appendFileSync`, atomic for
 * a short line with O_APPEND). `SLOW_JOBS` more (`slow-0` ...) take `SLOW_MS` each and write a
 * `start` line when they begin and an `end` line when they are done, so a kill can be aimed at a
 * run in progress. `SKEW_MS` shifts this process's `Date.now` to simulate clock skew.
 * Prints `ready` on stdout once every job is registered and firing; stops cleanly on SIGTERM.
 */
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`redis-worker: ${name} is not set`);
  return value;
};

const skew = Number(process.env['SKEW_MS'] ?? 0);
if (skew !== 0) {
  const realNow = Date.now.bind(Date);
  Date.now = () => realNow() + skew;
}

const name = env('NAME');
const ledger = env('LEDGER');
const jobs = Number(env('JOBS'));
const everyMs = Number(env('EVERY_MS'));

// Imported after the Date patch, from source (tsx), as the app would run them.
const schedulerSrc = new URL('../../packages/scheduler/src/', import.meta.url);
const { RedisStore } = await import(new URL('stores/redis/redis-store.ts', schedulerSrc).href);
const { Scheduler } = await import(new URL('service/scheduler.ts', schedulerSrc).href);
const requireFromScheduler = createRequire(new URL('package.json', new URL('../', schedulerSrc)));
type PinoFactory = ((options: object, stream: unknown) => unknown) & { destination(fd: number): unknown };
const { pino } = (await import(pathToFileURL(requireFromScheduler.resolve('pino')).href)) as { pino: PinoFactory };

const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'warn', base: { worker: name } }, pino.destination(2));
const store = new RedisStore({ url: env('REDIS_URL'), prefix: env('PREFIX'), commandTimeoutMs: 2000, logger });
const scheduler = new Scheduler({
  store,
  logger,
  owner: name,
  leaseMs: Number(process.env['LEASE_MS'] ?? 3000),
  pollMs: 1000,
});

/** The settings under which the README promises every occurrence runs (at least once after a kill). */
const policy = { every: everyMs, coalesce: 'all', misfireGraceTime: null, maxCatchUp: 1000, overlap: 'queue', recover: true } as const;
type Ctx = { jobId: string; scheduledAt: Date };
const write = (ctx: Ctx, what: string): void => appendFileSync(ledger, `${ctx.jobId} ${ctx.scheduledAt.getTime()} ${name} ${what}\n`);
for (let i = 0; i < jobs; i++) {
  await scheduler.addJob((ctx: Ctx) => write(ctx, 'run'), { id: `job-${i}`, ...policy });
}
const slowMs = Number(process.env['SLOW_MS'] ?? 300);
for (let i = 0; i < Number(process.env['SLOW_JOBS'] ?? 0); i++) {
  await scheduler.addJob(async (ctx: Ctx) => {
    write(ctx, 'start');
    await new Promise((resolve) => setTimeout(resolve, slowMs));
    write(ctx, 'end');
  }, { id: `slow-${i}`, ...policy });
}
scheduler.startFiring();
process.stdout.write('ready\n');

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  void (async () => {
    await scheduler.stop({ deadlineMs: 2000 });
    await scheduler.dispose();
    process.exit(0);
  })();
});

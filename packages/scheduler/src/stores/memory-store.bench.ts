/**
 * Micro-benchmark of the {@link MemoryStore} alone (not a test; run on demand).
 *
 * @remarks
 * Registers N interval schedules (one per phase millisecond across a second, like N jobs each
 * firing every second), then drives the store the way the runner does, on an injected clock:
 * every millisecond claim what is due and commit it with the next run one second later. Prints
 * memory per schedule (JS heap plus ArrayBuffers; definitions and store separately), registration cost, claim+commit cost per
 * fire, and a bare binary-heap pop+push loop over the same fires as the floor.
 *
 * Run: `node --expose-gc --import tsx packages/scheduler/src/stores/memory-store.bench.ts [N] [seconds]`
 */
import { MemoryStore } from './memory-store.js';
import { scheduleHash } from './schedule-hash.js';
import type { CommitItem, ScheduleDefinition, SchedulePolicy } from './store.js';

const N = Number(process.argv[2] ?? 100_000);
const SECONDS = Number(process.argv[3] ?? 5);
const PERIOD_MS = 1000;
const BATCH = 5000;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

/** JS heap plus ArrayBuffer backing stores (the store's typed-array columns live outside the JS heap). */
function heapUsed(): number {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const policy: SchedulePolicy = Object.freeze({
  misfireGraceTimeMs: null, coalesce: 'latest', maxCatchUp: 100, maxInstances: 1, overlap: 'skip',
  jitterMs: 0, timeoutMs: null, retries: 0, retryDelayMs: 1000, recover: false,
});
const noArgs: readonly unknown[] = Object.freeze([]);

async function main(): Promise<void> {
  const t0 = Date.UTC(2026, 0, 1);
  let now = t0;
  const store = new MemoryStore({ clock: () => now });

  const base = heapUsed();
  const defs: ScheduleDefinition[] = [];
  for (let i = 0; i < N; i++) {
    defs.push({ id: `plugin-${i % 10}:job-${i}`, owner: `plugin-${i % 10}`, trigger: { type: 'interval', everyMs: PERIOD_MS }, policy, args: noArgs });
  }
  const withDefs = heapUsed();

  let start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const definition = defs[i]!;
    await store.upsert({ definition, hash: scheduleHash(definition), nextRunAt: t0 + (i % PERIOD_MS), anchor: t0, replaceExisting: false });
  }
  const registerUs = Number(process.hrtime.bigint() - start) / 1000 / N;
  const withStore = heapUsed();

  // Drive: every ms, claim due and commit each with its next run one period later.
  let fires = 0;
  start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  for (let ms = 0; ms < SECONDS * PERIOD_MS; ms++) {
    now = t0 + ms;
    for (;;) {
      const claims = await store.claimDue('bench', 30_000, BATCH);
      if (claims.length === 0) break;
      const items: CommitItem[] = new Array<CommitItem>(claims.length);
      for (let k = 0; k < claims.length; k++) {
        const c = claims[k]!;
        const at = c.schedule.state.nextRunAt!;
        items[k] = { id: c.schedule.definition.id, token: c.token, fire: [at], missedCount: 0, nextRunAt: at + PERIOD_MS };
      }
      const results = await store.commit('bench', items);
      for (const r of results) if (r.ok) fires += r.accepted.length;
    }
  }
  const cpu = process.cpuUsage(cpuStart);
  const driveUs = Number(process.hrtime.bigint() - start) / 1000;
  const expected = N * SECONDS;
  const afterFiring = heapUsed();

  // Floor: a bare binary heap of numbers, popping and re-pushing the same fires.
  const heap = new Float64Array(N);
  let size = 0;
  const push = (v: number): void => {
    let i = size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heap[p]! <= v) break;
      heap[i] = heap[p]!;
      i = p;
    }
    heap[i] = v;
  };
  const pop = (): number => {
    const top = heap[0]!;
    const last = heap[--size]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= size) break;
      if (c + 1 < size && heap[c + 1]! < heap[c]!) c++;
      if (heap[c]! >= last) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = last;
    return top;
  };
  for (let i = 0; i < N; i++) push(t0 + (i % PERIOD_MS));
  start = process.hrtime.bigint();
  let bareFires = 0;
  const end = t0 + SECONDS * PERIOD_MS;
  while (size > 0 && heap[0]! < end) {
    push(pop() + PERIOD_MS);
    bareFires++;
  }
  const bareUs = Number(process.hrtime.bigint() - start) / 1000;

  const kib = (bytes: number): string => `${(bytes / N).toFixed(0)} B`;
  const rows: [string, string][] = [
    ['schedules', String(N)],
    ['heap per schedule: definitions (caller-owned)', kib(withDefs - base)],
    ['heap per schedule: store (records, heap, index, hash)', kib(withStore - withDefs)],
    ['heap per schedule: store after firing (lease heap grown)', kib(afterFiring - withDefs)],
    ['register (hash + upsert) per schedule', `${registerUs.toFixed(2)} us`],
    ['fires delivered / expected', `${fires} / ${expected}`],
    ['claim+commit wall per fire', `${(driveUs / fires).toFixed(3)} us`],
    ['claim+commit CPU per fire', `${((cpu.user + cpu.system) / fires).toFixed(3)} us`],
    ['bare heap pop+push per fire (floor)', `${(bareUs / bareFires).toFixed(3)} us`],
  ];
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(56)} ${v}\n`);
  await store.close();
}

await main();

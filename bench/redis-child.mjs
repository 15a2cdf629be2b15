/**
 * One worker process of the Redis benchmark (run by redis.mjs over IPC with advanced
 * serialization): `node redis-child.mjs <lib> <url> <n> <procIndex> <procs> <concurrency> <kind> <phase>`.
 *
 * Registers the schedules, reports `ready`, starts working when the parent sends `go` with the
 * window, records every fire whose intended time lies in the window (job index, second of the
 * window, lateness) and CPU time over the window, and after the grace period sends them back.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { now, drift } from './lib/clock.mjs';

// Count every command this process sends (xcore, BullMQ and the bench resolve one ioredis):
// an upper bound on round trips, since a pipeline or a batch sends several commands per trip.
const IORedis = createRequire(import.meta.url)('ioredis');
const proto = (IORedis.default ?? IORedis).prototype;
const originalSend = proto.sendCommand;
let sent = 0;
let byName = null;
proto.sendCommand = function countedSendCommand(command, stream) {
  sent++;
  if (byName) byName.set(command.name, (byName.get(command.name) ?? 0) + 1);
  return originalSend.call(this, command, stream);
};

const [lib, url, nArg, procArg, procsArg, concArg, kind = 'interval', phase = 'spread'] = process.argv.slice(2);
const n = Number(nArg);
const procIndex = Number(procArg);
const GRACE_MS = 3000;
const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

let win = { start: Infinity, end: -Infinity, seconds: 0 };
let capacity = 0;
let jobIdx, slot, lateness;
let recorded = 0;
let total = 0;

/** The job callback: identical for every library. */
function fire(i, intended) {
  const t = now();
  total++;
  if (intended >= win.start && intended < win.end && recorded < capacity) {
    jobIdx[recorded] = i;
    slot[recorded] = Math.floor((intended - win.start) / 1000);
    lateness[recorded++] = t - intended;
  }
}

async function main() {
  const adapter = await import(`./adapters/redis/${lib}.mjs`);
  const instance = await adapter.create({ url, procIndex, procs: Number(procsArg), fire, concurrency: Number(concArg), kind, phase });
  const r0 = now();
  await instance.register(n);
  const registerMs = now() - r0;
  const go = await new Promise((resolve) => {
    process.on('message', (m) => { if (m?.type === 'go') resolve(m); });
    process.send({ type: 'ready', registerMs });
  });
  const seconds = Math.round((go.winEnd - go.winStart) / 1000);
  capacity = Math.ceil(n * seconds * 1.5) + 1000;
  jobIdx = new Int32Array(capacity);
  slot = new Uint16Array(capacity);
  lateness = new Float64Array(capacity);
  win = { start: go.winStart, end: go.winEnd, seconds };
  await instance.start();
  await sleep(go.winStart - now());
  const profA = process.hrtime.bigint();
  const cpuA = process.cpuUsage();
  const totalA = total;
  const sentA = sent;
  const droppedA = instance.dropped?.();
  byName = new Map();
  await sleep(go.winEnd - now());
  const cpu = process.cpuUsage(cpuA);
  // The window on the profile's clock (microseconds of the monotonic clock, as its timestamps).
  const profDir = process.env.XCORE_BENCH_PROF_DIR;
  if (profDir) writeFileSync(`${profDir}/${process.pid}.window.json`, JSON.stringify({ fromUs: Number(profA / 1000n), toUs: Number(process.hrtime.bigint() / 1000n) }));
  const totalB = total;
  const sentB = sent;
  const droppedB = instance.dropped?.();
  const commandsByName = Object.fromEntries(byName);
  byName = null;
  await sleep(go.winEnd + GRACE_MS - now());
  const clockDriftMs = drift();
  // The result goes out before any shutdown: exiting ends the library's timers and connections,
  // and the parent FLUSHALLs before the next run, so a slow shutdown cannot lose a measurement.
  process.send({
    type: 'result', status: 'ok', procIndex, registerMs, clockDriftMs,
    dropped: droppedA && droppedB ? { coalesced: droppedB.coalesced - droppedA.coalesced, skipped: droppedB.skipped - droppedA.skipped } : null,
    cpuUs: cpu.user + cpu.system, clientCommands: sentB - sentA, commandsByName, firesInWindow: totalB - totalA, overflow: recorded >= capacity,
    jobIdx: jobIdx.subarray(0, recorded), slot: slot.subarray(0, recorded), lateness: lateness.subarray(0, recorded),
  }, () => process.exit(0));
}

main().catch((err) => {
  process.send?.({ type: 'result', status: 'error', procIndex, error: String(err?.stack ?? err) }, () => process.exit(1));
});

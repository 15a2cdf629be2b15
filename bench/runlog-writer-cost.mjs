#!/usr/bin/env node
// The run log's writer-thread CPU per 1,000 rows, without PostgreSQL: the same steps as a batch of
// queued runs takes, on one thread. Main thread (after the burst): the slots' texts
// (RunLogRing.textsOf); writer thread: receiving them (RunLogRing.receive) and encoding the COPY
// binary rows straight from the ring's slots (worker/copy-rows.mjs copyBatch). Runs as the bench's
// scheduler runner makes them: 1 % failed with a stack (the side channel), the rest returning
// `{ processed: n }` (a shaped result).
//
// --compare <file>: another copy-rows.mjs (e.g. a saved older one, beside the current so its
// imports resolve), run batch for batch interleaved with the current one: both figures per rep.
//
//   pnpm build && node bench/runlog-writer-cost.mjs [--batch 2000] [--batches 200] [--reps 5] [--compare path]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RunLogRing } from '@xcore/scheduler/run-log-kit';
import * as current from '../packages/runlog-postgres/worker/copy-rows.mjs';

const opts = { batch: 2000, batches: 200, reps: 5, compare: '' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const key = argv[i].replace(/^--/, '');
  if (!(key in opts)) throw new Error(`unknown flag --${key}; flags: ${Object.keys(opts).map((k) => `--${k}`).join(' ')}`);
  opts[key] = typeof opts[key] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
}

const failure = new Error('upstream answered 503');
const ring = new RunLogRing(opts.batch * 2);
const encoders = [{ name: 'current', copy: current }];
if (opts.compare !== '') encoders.push({ name: opts.compare, copy: await import(pathToFileURL(resolve(opts.compare)).href) });
// One reader (the writer thread's view) per encoder, each sent every text, as a worker would be.
for (const e of encoders) {
  e.reader = new e.copy.RingFields(new RunLogRing(ring.shared));
  e.sent = 0;
}
let n = 0;

/** One batch through encoder `e`: fills `batch` slots, then the main-thread and writer-thread steps; returns their ns. */
function batch(e) {
  const slots = [];
  const t = Date.now();
  for (let i = 0; i < opts.batch; i++, n++) {
    const failed = n % 100 === 0;
    slots.push(ring.write({
      record: { jobId: `job-${n % 10_000}`, scheduledAt: t - 3, startedAt: t - 2, finishedAt: t, status: failed ? 'failed' : 'succeeded', attempts: 1, owner: 'bench-1' },
      jobOwner: 'bench',
      ...(failed ? { error: failure } : { result: { processed: n & 63 } }),
    }));
  }
  const t0 = process.hrtime.bigint();
  const strings = e.sent === ring.stringCount ? [] : ring.stringsFrom(e.sent);
  const from = e.sent;
  e.sent = ring.stringCount;
  const texts = ring.textsOf(slots);
  const i32 = Int32Array.from(slots);
  const t1 = process.hrtime.bigint();
  e.reader.ring.receive(from, strings, i32, texts);
  const { rows } = e.copy.copyBatch([], e.reader, i32);
  const t2 = process.hrtime.bigint();
  if (rows !== opts.batch) throw new Error(`${rows} rows of ${opts.batch}`);
  for (const s of slots) ring.release(s);
  return [Number(t1 - t0), Number(t2 - t1)];
}

for (let i = 0; i < 20; i++) for (const e of encoders) batch(e); // warm-up
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const e of encoders) {
  e.main = [];
  e.writer = [];
}
for (let rep = 0; rep < opts.reps; rep++) {
  for (const e of encoders) e.m = e.w = 0;
  for (let k = 0; k < opts.batches; k++) {
    for (const e of k % 2 === 0 ? encoders : [...encoders].reverse()) {
      const [a, b] = batch(e);
      e.m += a;
      e.w += b;
    }
  }
  // ns per row = µs per 1k rows
  for (const e of encoders) {
    e.main.push(e.m / (opts.batches * opts.batch));
    e.writer.push(e.w / (opts.batches * opts.batch));
  }
}
console.log(`batch ${opts.batch}, ${opts.batches} batches x ${opts.reps} reps, Node ${process.version}`);
for (const e of encoders) {
  console.log(`${e.name}: main thread (texts of the slots) ${median(e.main).toFixed(0)} µs per 1k rows (${e.main.map((x) => x.toFixed(0)).join(' ')}); ` +
    `writer thread (receive + COPY rows) ${median(e.writer).toFixed(0)} µs per 1k rows (${e.writer.map((x) => x.toFixed(0)).join(' ')})`);
}

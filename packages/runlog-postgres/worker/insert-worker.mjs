// @ts-check
/**
 * The run log's writer thread: owns the one connection that inserts batches, and encodes the rows
 * of the runs the scheduler queued (reading them from the batcher's RunLogRing, shared memory;
 * `copy-rows.mjs` `copyBatch`: straight from the slots' columns, records made and checked only for
 * the runs that need it), so that neither the record work (run ids, the record check, encoding)
 * nor the socket writes and protocol work of a ~200 KB batch run on the scheduler's loop.
 *
 * Plain JavaScript (no build step), beside `migrations/`: `src/insert-worker-client.ts` and the
 * bundled `dist/index.js` both find it at `new URL('../worker/insert-worker.mjs', import.meta.url)`.
 * It loads `@xcore/scheduler/run-log-kit` (the record helpers alone), not the whole scheduler.
 *
 * workerData: { connection, niceOffset }: `pg` client config (connectionString, timeouts,
 *   application_name), and how much to lower this thread's priority (Linux nice; 0: not at all).
 * in:  { id, copy, text, parts, runs }
 *                                   store one batch: `copy` (COPY ... FROM STDIN (FORMAT binary),
 *                                   the rows from `copy-rows.mjs`); when that hits a run id already
 *                                   stored (a batch retried after a lost answer), `text` instead,
 *                                   the insert that skips those, with one parameter, the JSON array of
 *                                   the records of '[' + parts + ']' (UTF-8 ArrayBuffers of
 *                                   comma-separated record objects) and of `runs` (optional):
 *                                   { shared?, stringsFrom, strings, slots, texts }: the ring's
 *                                   memory (first batch of this thread), the texts its string table
 *                                   gained from index `stringsFrom`, the slots (Int32Array) and
 *                                   their job ids and texts (RunLogRing.textsOf)
 *      { close: true }              end the connection, then exit
 * out: { id, ok: true, refused }    stored; `refused`: the problems of queued runs whose record
 *                                   failed the check (not stored)
 *      { id, ok: false, error }     error: { message, code } (`code`: SQLSTATE or Node's, if any)
 *      { idleError: message }       the server closed the idle connection (logged by the main thread)
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { RunLogRing, recordsOfBatch } from '@xcore/scheduler/run-log-kit';
import { RingFields, copyBatch } from './copy-rows.mjs';

if (parentPort === null) throw new Error('insert-worker.mjs runs as a worker thread');
const port = parentPort;

/**
 * Lowers this thread's priority by `niceOffset` (Linux): its work then waits while the scheduler's
 * event loop (and the rest of the machine) needs the CPUs, and its queue absorbs the delay. On
 * Linux the nice value is a per-thread attribute (setpriority(2), NOTES): the thread's own id,
 * from `/proc/thread-self` (`<pid>/task/<tid>`), given to `os.setPriority` changes this thread
 * alone, never the process's event loop. Elsewhere priority is per process: left alone.
 * @param {number} niceOffset
 */
function lowerPriority(niceOffset) {
  if (process.platform !== 'linux' || niceOffset <= 0) return;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return;
    setPriority(tid, Math.min(19, getPriority(tid) + niceOffset));
  } catch {
    // not allowed (a container's seccomp profile, say): run at the inherited priority
  }
}

lowerPriority(workerData.niceOffset);

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');
const EMPTY = Buffer.alloc(0);
const decoder = new TextDecoder();
const pool = new pg.Pool({ ...workerData.connection, max: 1 });
// An idle connection the server ends is reported here; without a listener it would end the thread.
pool.on('error', (err) => port.postMessage({ idleError: err.message }));

/** This thread's reader of the batcher's ring (made from the first batch with queued runs), with its encoded texts. @type {RingFields | undefined} */
let ring;

/** SQLSTATE unique_violation: a COPY met a run id already stored. */
const UNIQUE_VIOLATION = '23505';

/**
 * Runs `copy` with `data` as its input on the writer's connection. A connection left in an unknown
 * state (not an error the server answered) is dropped from the pool, not reused.
 * @param {string} copy @param {Buffer} data
 */
async function copyIn(copy, data) {
  const client = await pool.connect();
  try {
    await new Promise((resolve, reject) => {
      const stream = client.query(copyStreams.from(copy));
      stream.on('error', reject);
      stream.on('finish', resolve);
      stream.end(data);
    });
    client.release();
  } catch (error) {
    client.release(error instanceof pg.DatabaseError ? undefined : /** @type {Error} */ (error));
    throw error;
  }
}

/**
 * The records written as they are (`write()` checked them), and the queued runs' slots, read into
 * this thread's reader of the ring.
 * @param {ArrayBuffer[]} parts
 * @param {{ shared?: import('@xcore/scheduler/run-log-kit').RunLogRingShared, stringsFrom: number, strings: string[], slots: Int32Array, texts: import('@xcore/scheduler/run-log-kit').RunLogRingTexts } | undefined} runs
 * @returns {{ written: import('@xcore/scheduler/run-log-kit').RunLogRecord[], slots: Int32Array }}
 */
function batchOf(parts, runs) {
  /** @type {import('@xcore/scheduler/run-log-kit').RunLogRecord[]} */
  let written = [];
  if (parts.length > 0) {
    const pieces = [OPEN];
    for (const part of parts) pieces.push(pieces.length > 1 ? COMMA : EMPTY, Buffer.from(part));
    pieces.push(CLOSE);
    written = JSON.parse(decoder.decode(Buffer.concat(pieces)));
  }
  if (runs === undefined) return { written, slots: NO_SLOTS };
  if (runs.shared !== undefined) ring = new RingFields(new RunLogRing(runs.shared));
  if (ring === undefined) throw new Error('the run log\'s writer thread was sent ring slots before the ring');
  ring.ring.receive(runs.stringsFrom, runs.strings, runs.slots, runs.texts);
  return { written, slots: runs.slots };
}

const NO_SLOTS = new Int32Array(0);

port.on('message', async (message) => {
  if (message.close === true) {
    await pool.end().catch(() => undefined);
    port.close();
    return;
  }
  try {
    const { written, slots } = batchOf(message.parts, message.runs);
    // The rows straight from the ring's columns (copy-rows.mjs); records are made only for the
    // runs that need the whole check, and for the rare insert below.
    const { data, rows, refused } = copyBatch(written, ring, slots);
    if (rows > 0) {
      try {
        await copyIn(message.copy, data);
      } catch (error) {
        if (!(error instanceof pg.DatabaseError && error.code === UNIQUE_VIOLATION)) throw error;
        // Some of these rows are stored already (a retry after a lost answer): COPY stored none of
        // the batch; the insert stores the rest. A Buffer parameter goes out in binary format,
        // which for `json` is the UTF-8 text itself.
        const records = slots.length === 0 ? written : [...written, ...recordsOfBatch(Array.from(slots), ring?.ring).records];
        await pool.query(message.text, [Buffer.from(JSON.stringify(records), 'utf8')]);
      }
    }
    port.postMessage({ id: message.id, ok: true, refused });
  } catch (error) {
    const e = /** @type {{ message?: unknown, code?: unknown }} */ (error ?? {});
    port.postMessage({
      id: message.id,
      ok: false,
      error: { message: String(e.message ?? error), code: typeof e.code === 'string' ? e.code : undefined },
    });
  }
});

// @ts-check
/**
 * The run log's writer thread: owns the one connection that inserts batches, so that the socket
 * writes and protocol work of a ~200 KB batch never run on the scheduler's event loop.
 *
 * Plain JavaScript (no build step), beside `migrations/`: `src/insert-worker-client.ts` and the
 * bundled `dist/index.js` both find it at `new URL('../worker/insert-worker.mjs', import.meta.url)`.
 *
 * workerData: `pg` client config (connectionString, timeouts, application_name).
 * in:  { id, text, parts }          insert one batch: `text` with one parameter, the JSON array
 *                                   '[' + parts (UTF-8 ArrayBuffers, comma-separated records) + ']'
 *      { close: true }              end the connection, then exit
 * out: { id, ok: true }             stored
 *      { id, ok: false, error }     error: { message, code } (`code`: SQLSTATE or Node's, if any)
 *      { idleError: message }       the server closed the idle connection (logged by the main thread)
 */
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';

if (parentPort === null) throw new Error('insert-worker.mjs runs as a worker thread');
const port = parentPort;
const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');
const EMPTY = Buffer.alloc(0);
const pool = new pg.Pool({ ...workerData, max: 1 });
// An idle connection the server ends is reported here; without a listener it would end the thread.
pool.on('error', (err) => port.postMessage({ idleError: err.message }));

port.on('message', async (message) => {
  if (message.close === true) {
    await pool.end().catch(() => undefined);
    port.close();
    return;
  }
  try {
    // Bytes all the way: a Buffer parameter goes out in binary format, which for `json` is the
    // UTF-8 text itself, so the batch is never decoded and re-encoded here.
    const pieces = [OPEN];
    for (const part of message.parts) pieces.push(pieces.length > 1 ? COMMA : EMPTY, Buffer.from(part));
    pieces.push(CLOSE);
    await pool.query(message.text, [Buffer.concat(pieces)]);
    port.postMessage({ id: message.id, ok: true });
  } catch (error) {
    const e = /** @type {{ message?: unknown, code?: unknown }} */ (error ?? {});
    port.postMessage({
      id: message.id,
      ok: false,
      error: { message: String(e.message ?? error), code: typeof e.code === 'string' ? e.code : undefined },
    });
  }
});

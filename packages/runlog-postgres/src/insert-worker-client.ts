/**
 * The main thread's side of the writer thread (`worker/insert-worker.mjs`): hands it a batch (the
 * ring slots of queued runs, and written records as JSON bytes) and waits for PostgreSQL's answer.
 *
 * @remarks
 * Measured on the benchmark (`bench/runlog.mjs`): inserting a 500-record batch (~190 KB) from the
 * event loop spent 1-2 ms in one go in `pg`'s protocol encoding and the socket `writev`, 20 times a
 * second, which is exactly what a runner's p99 lateness sees, and posting the batch as one string
 * still copied ~190 KB in one go. So written records travel as UTF-8 buffers transferred without a
 * copy, and the worker decodes, joins and sends them on its own thread. Runs the scheduler queued
 * are already in the batcher's {@link RunLogRing} (shared memory): a batch of them is only their
 * slot numbers, the texts the ring's string table gained since this worker last heard (each once),
 * and the slots' job ids and texts (the result's JSON, or the whole run as JSON for the few that do
 * not fit the ring's layout, e.g. errors), each joined into one string (`RunLogRing.textsOf`).
 * The worker reads the slots and encodes their rows for COPY (straight from the slots' columns
 * when their record is sure to pass the check, else by making and checking the record). The worker starts on the first insert, is restarted after it dies (the
 * insert in flight fails and is retried; the new worker is sent the ring and its whole string
 * table), and never keeps the process alive.
 */
import { Worker } from 'node:worker_threads';
import type { RunLogRecordProblem, RunLogRing, RunLogRingShared, RunLogRingTexts } from '@xcore/scheduler';

/** The statements a batch is stored with: `copy` first, `insert` when that meets a run id already stored. */
export interface BatchSql {
  /** `COPY ... FROM STDIN (FORMAT binary)` of the run_log columns (`copySql`). */
  readonly copy: string;
  /** The insert that skips stored run ids, its one parameter the records' JSON (`insertSql`). */
  readonly insert: string;
}

/** Queued runs of a batch: slots of `ring`. */
export interface RingRuns {
  readonly ring: RunLogRing;
  readonly slots: readonly number[];
}

/** What a batch message says about its ring slots (see `worker/insert-worker.mjs`). */
interface RunsMessage {
  /** The ring's memory, sent once per worker. */
  readonly shared?: RunLogRingShared;
  readonly stringsFrom: number;
  readonly strings: readonly string[];
  readonly slots: Int32Array;
  readonly texts: RunLogRingTexts;
}

/** `pg` client settings the worker's connection uses. */
export interface WriterConnection {
  readonly connectionString: string;
  readonly statement_timeout: number;
  readonly query_timeout: number;
  readonly connectionTimeoutMillis: number;
  readonly keepAlive: boolean;
  readonly application_name: string;
}

interface Pending {
  resolve(refused: RunLogRecordProblem[]): void;
  reject(error: Error): void;
}

type Reply = { id: number; ok: true; refused: RunLogRecordProblem[] } | { id: number; ok: false; error: { message: string; code?: string } } | { idleError: string };

const WORKER_FILE = new URL('../worker/insert-worker.mjs', import.meta.url);

/**
 * How far the writer thread lowers its own priority (Linux nice, added to the process's; capped
 * at 19), so that it never takes a CPU the scheduler's event loop is waiting for.
 *
 * @remarks
 * Per thread on Linux (the worker sets its own id's nice: see `worker/insert-worker.mjs`); a
 * no-op elsewhere. Its queue absorbs the delay: at 10k runs a second the writer needs about 3 %
 * of a core. See bench/README.md for the values measured.
 */
export const WRITER_NICE_OFFSET = 10;

/** A writer thread holding one PostgreSQL connection for inserts. */
export class InsertWorkerClient {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** The ring the current worker was given, and how many of its texts it has been sent. */
  private sentRing: RunLogRing | undefined;
  private stringsSent = 0;

  /**
   * @param connection - the worker's `pg` settings.
   * @param onIdleError - told when the server closes the worker's idle connection.
   */
  constructor(
    private readonly connection: WriterConnection,
    private readonly onIdleError: (message: string) => void,
  ) {}

  /**
   * Stores the records made of `parts` (UTF-8 JSON pieces of records, comma-separated inside each)
   * and of the `runs` (ring slots, read on the writer thread: they must stay unchanged until this
   * settles) on the writer's connection: `sql.copy` with the rows in binary format, or, when that
   * meets a run id already stored, `sql.insert` with their JSON (see {@link BatchSql}). The buffers
   * are transferred (the caller loses them). Resolves with the problems of queued runs whose record
   * failed the check (not stored); rejects with `pg`'s error (message and code).
   */
  insert(sql: BatchSql, parts: ArrayBuffer[], runs?: RingRuns): Promise<RunLogRecordProblem[]> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    const message = runs === undefined ? undefined : this.runsMessage(runs);
    const transfer: ArrayBuffer[] = message === undefined ? parts : [...parts, message.slots.buffer as ArrayBuffer];
    return new Promise<RunLogRecordProblem[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, copy: sql.copy, text: sql.insert, parts, runs: message }, transfer);
    });
  }

  private runsMessage({ ring, slots }: RingRuns): RunsMessage {
    const fresh = this.sentRing !== ring;
    if (fresh) {
      this.sentRing = ring;
      this.stringsSent = 0;
    }
    const stringsFrom = this.stringsSent;
    const strings = stringsFrom === ring.stringCount ? [] : ring.stringsFrom(stringsFrom);
    this.stringsSent = ring.stringCount;
    return { ...(fresh ? { shared: ring.shared } : {}), stringsFrom, strings, slots: Int32Array.from(slots), texts: ring.textsOf(slots) };
  }

  /** Ends the connection and the thread, waiting at most `timeoutMs`; then terminates it. */
  async close(timeoutMs: number): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker === undefined) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ close: true });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), Math.max(0, timeoutMs)); });
    if ((await Promise.race([exited, late])) === 'late') await worker.terminate();
    clearTimeout(timer);
    this.failAll(new Error('the run log closed while this batch was being written'));
  }

  private start(): Worker {
    const worker = new Worker(WORKER_FILE, { workerData: { connection: this.connection, niceOffset: WRITER_NICE_OFFSET } });
    // A new thread knows no ring yet: the next batch with queued runs sends it and every text.
    this.sentRing = undefined;
    this.stringsSent = 0;
    worker.unref();
    worker.on('message', (reply: Reply) => {
      if ('idleError' in reply) return this.onIdleError(reply.idleError);
      const waiting = this.pending.get(reply.id);
      if (waiting === undefined) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiting.resolve(reply.refused);
      else waiting.reject(Object.assign(new Error(reply.error.message), reply.error.code === undefined ? {} : { code: reply.error.code }));
    });
    const lost = (why: string): void => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(new Error(`the run log's writer thread ${why}; the batch is retried on a new one`));
    };
    worker.on('error', (error) => lost(`failed (${error.message})`));
    worker.on('exit', (code) => lost(`exited with code ${code}`));
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}

// @ts-check
/**
 * Run-log records as the data of `COPY run_log (<columns>) FROM STDIN (FORMAT binary)`: what the
 * writer thread sends PostgreSQL instead of one JSON parameter unpacked by `json_to_recordset`.
 *
 * In binary format the server parses no text at all for the uuid, the three timestamps, the
 * numbers and the flag (each arrives as its own binary value), and no JSON array: measured by
 * `bench/runlog-pg-cost.mjs`, the backend's CPU per row is a fraction of the JSON insert's.
 *
 * Layout (PostgreSQL docs, "COPY", Binary Format): the 19-byte header, then per row an int16
 * field count and, per field, an int32 byte length (-1 for NULL) and the value in the type's
 * binary send format; an int16 -1 ends the data. Values here:
 *   uuid         16 bytes
 *   text         UTF-8 bytes (the sink's client_encoding is UTF8)
 *   timestamptz  int64 microseconds since 2000-01-01 00:00 UTC
 *   float8       IEEE 754, big-endian
 *   int4         big-endian
 *   bool         1 byte
 *   jsonb        a version byte (1), then the JSON text
 *
 * The records were checked (`runLogRecordProblem`): run ids are lowercase UUIDs, texts hold no NUL,
 * times and counts are whole finite numbers. Plain JavaScript beside `insert-worker.mjs`.
 *
 * {@link copyBatch} writes queued runs straight from the run-log ring's columns
 * (`RunLogRing.readValid`): no record object, no run-id text (the UUID's 16 bytes are made from the
 * time and the slot's random bits), the result's JSON text as it was captured, and the string
 * table's texts (owner, process, requester) encoded once per text. Runs `readValid` leaves out are
 * assembled and checked as records (`recordsOfBatch`); the rows are the same bytes either way.
 */
import { RUN_LOG_OUTCOMES, RUN_LOG_RING_NULL, assembleRunLogRecord, emptySlotFields, runLogRecordProblem } from '@xcore/scheduler/run-log-kit';

/** The columns in the order each row's fields are written (the `COPY` statement names them). */
export const COPY_COLUMNS = [
  'run_id', 'job_id', 'owner', 'outcome', 'scheduled_at', 'started_at', 'finished_at', 'duration_ms', 'attempts',
  'occurrences', 'error_message', 'error_stack', 'manual', 'requested_by', 'process', 'result', 'result_omitted',
];

const FIELDS = COPY_COLUMNS.length;
const HEADER = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
/** 2000-01-01 00:00 UTC in epoch ms: PostgreSQL's timestamp epoch. */
const PG_EPOCH_MS = 946_684_800_000;
const TWO_32 = 2 ** 32;
/** Hex digit value by char code (lowercase and uppercase). */
const HEX = new Uint8Array(128);
for (let i = 0; i < 16; i++) {
  HEX['0123456789abcdef'.charCodeAt(i)] = i;
  HEX['0123456789ABCDEF'.charCodeAt(i)] = i;
}
/** Where the 32 hex digits of a UUID text are (the dashes skipped). */
const UUID_DIGITS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
/** Texts up to this long are written by `id` (ASCII in a loop, cheaper than a native call). */
const SHORT_LEN = 64;

/** The outcome texts as COPY fields (length and ASCII bytes), by outcome index. */
const OUTCOME_FIELDS = RUN_LOG_OUTCOMES.map((o) => {
  const b = Buffer.alloc(4 + o.length);
  b.writeInt32BE(o.length, 0);
  b.write(o, 4, 'latin1');
  return b;
});

/**
 * Writes `v` (an int32 or uint32) big-endian at `at`: byte stores, cheaper here than
 * `Buffer#writeInt32BE` (its range checks ran for every field of every row: the writer thread's
 * largest line in a profile). @param {Buffer} buf @param {number} at @param {number} v
 */
function put32(buf, at, v) {
  buf[at] = v >>> 24;
  buf[at + 1] = (v >>> 16) & 0xff;
  buf[at + 2] = (v >>> 8) & 0xff;
  buf[at + 3] = v & 0xff;
}

/** A growing buffer that writes COPY binary fields. */
class CopyWriter {
  constructor(size = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(size);
    this.at = 0;
  }

  /** Room for `n` more bytes. @param {number} n */
  room(n) {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  null() {
    this.room(4);
    put32(this.buf, this.at, -1);
    this.at += 4;
  }

  /** A short text (an id, an outcome): ASCII written here, anything else by `text`. @param {string} s */
  id(s) {
    const n = s.length;
    if (n > SHORT_LEN) return this.text(s);
    this.room(4 + n);
    const { buf } = this;
    const o = this.at + 4;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) return this.text(s);
      buf[o + i] = c;
    }
    put32(buf, this.at, n);
    this.at = o + n;
  }

  /** @param {string | null} s */
  idOrNull(s) {
    if (s === null) this.null();
    else this.id(s);
  }

  /** @param {string} s */
  text(s) {
    this.room(4 + s.length * 3);
    const n = this.buf.write(s, this.at + 4, 'utf8');
    put32(this.buf, this.at, n);
    this.at += 4 + n;
  }

  /** @param {string | null} s */
  textOrNull(s) {
    if (s === null) this.null();
    else this.text(s);
  }

  /**
   * A JSON text as jsonb (version 1). A short ASCII text (the common small result, `{"processed":3}`)
   * is written by a loop, like {@link CopyWriter.id}: `Buffer#write` costs a native call per row.
   * @param {string} json
   */
  jsonb(json) {
    const n = json.length;
    this.room(5 + n * 3);
    const { buf } = this;
    buf[this.at + 4] = 1;
    const o = this.at + 5;
    if (n <= SHORT_LEN) {
      let i = 0;
      for (; i < n; i++) {
        const c = json.charCodeAt(i);
        if (c > 0x7f) break;
        buf[o + i] = c;
      }
      if (i === n) {
        put32(buf, this.at, n + 1);
        this.at = o + n;
        return;
      }
    }
    const bytes = buf.write(json, o, 'utf8');
    put32(buf, this.at, bytes + 1);
    this.at = o + bytes;
  }

  /** A lowercase UUID text as its 16 bytes. @param {string} id */
  uuid(id) {
    this.room(20);
    const { buf } = this;
    put32(buf, this.at, 16);
    const b = this.at + 4;
    for (let i = 0; i < 16; i++) {
      const c = UUID_DIGITS[i];
      buf[b + i] = (HEX[id.charCodeAt(c)] << 4) | HEX[id.charCodeAt(c + 1)];
    }
    this.at += 20;
  }

  /**
   * A field already encoded (length and bytes). Short ones (a NULL, an owner, an outcome) are
   * copied by a loop: `Buffer#copy`'s checks and native call cost more than their few bytes.
   * @param {Buffer} field
   */
  field(field) {
    const n = field.length;
    this.room(n);
    if (n <= SHORT_LEN) {
      const { buf, at } = this;
      for (let i = 0; i < n; i++) buf[at + i] = field[i];
    } else {
      field.copy(this.buf, this.at);
    }
    this.at += n;
  }

  /**
   * The 16 bytes of the UUID v7 `runLogIdFrom(ms, high, low)` makes (the same id, without its text):
   * 48 bits of ms, the version 7, 12 random bits, the variant with 2 more, then the rest.
   * @param {number} ms @param {number} high @param {number} low
   */
  uuidOf(ms, high, low) {
    this.room(20);
    const { buf } = this;
    const at = this.at;
    put32(buf, at, 16);
    const b = at + 4;
    const t = Math.max(0, Math.min(0xffff_ffff_ffff, Math.floor(ms)));
    const tTop = Math.floor(t / TWO_32); // 16 bits
    buf[b] = tTop >>> 8;
    buf[b + 1] = tTop & 0xff;
    put32(buf, b + 2, t - tTop * TWO_32);
    // 36 random bits each: the top nibble, then 32 bits.
    const hTop = Math.floor(high / TWO_32);
    const hLow = high - hTop * TWO_32;
    const lTop = Math.floor(low / TWO_32);
    const lLow = low - lTop * TWO_32;
    // hex digits h0..h17 of the text form: h0 = hTop, h1..h8 of hLow, h9 = lTop, h10..h17 of lLow.
    const h3 = (hLow >>> 20) & 0xf;
    buf[b + 6] = 0x70 | hTop;
    buf[b + 7] = (hLow >>> 24) & 0xff; // h1 h2
    buf[b + 8] = ((8 | (h3 & 3)) << 4) | ((hLow >>> 16) & 0xf); // variant + 2 bits of h3, h4
    buf[b + 9] = (hLow >>> 8) & 0xff; // h5 h6
    buf[b + 10] = hLow & 0xff; // h7 h8
    buf[b + 11] = (lTop << 4) | (lLow >>> 28); // h9 h10
    buf[b + 12] = (lLow >>> 20) & 0xff; // h11 h12
    buf[b + 13] = (lLow >>> 12) & 0xff; // h13 h14
    buf[b + 14] = (lLow >>> 4) & 0xff; // h15 h16
    buf[b + 15] = ((lLow & 0xf) << 4) | (h3 >> 2); // h17, the other 2 bits of h3
    this.at += 20;
  }

  /** Epoch ms as timestamptz. @param {number} ms */
  time(ms) {
    this.room(12);
    const us = (ms - PG_EPOCH_MS) * 1000; // whole, within 2^53 for any year a record can hold
    const high = Math.floor(us / TWO_32);
    const { buf, at } = this;
    put32(buf, at, 8);
    put32(buf, at + 4, high);
    put32(buf, at + 8, us - high * TWO_32);
    this.at += 12;
  }

  /** @param {number | null} ms */
  timeOrNull(ms) {
    if (ms === null) this.null();
    else this.time(ms);
  }

  /** @param {number | null} v */
  float8OrNull(v) {
    if (v === null) return this.null();
    this.room(12);
    put32(this.buf, this.at, 8);
    this.buf.writeDoubleBE(v, this.at + 4);
    this.at += 12;
  }

  /** @param {number} v */
  int4(v) {
    this.room(8);
    put32(this.buf, this.at, 4);
    put32(this.buf, this.at + 4, v);
    this.at += 8;
  }

  /** @param {boolean} v */
  bool(v) {
    this.room(5);
    put32(this.buf, this.at, 1);
    this.buf[this.at + 4] = v ? 1 : 0;
    this.at += 5;
  }

  /** @param {number} n */
  int16(n) {
    this.room(2);
    this.buf[this.at] = (n >>> 8) & 0xff;
    this.buf[this.at + 1] = n & 0xff;
    this.at += 2;
  }
}

/** Starts the COPY data: the header. @param {number} rows - expected, to size the buffer */
function begin(rows) {
  const w = new CopyWriter(Math.max(4096, rows * 256));
  w.room(HEADER.length);
  HEADER.copy(w.buf, 0);
  w.at = HEADER.length;
  return w;
}

/** Ends the COPY data: the trailer. @param {CopyWriter} w */
function end(w) {
  w.int16(-1);
  return w.buf.subarray(0, w.at);
}

/** One checked record as a row. @param {CopyWriter} w @param {import('@xcore/scheduler/run-log-kit').RunLogRecord} r */
function recordRow(w, r) {
  w.int16(FIELDS);
  w.uuid(r.runId);
  w.id(r.jobId);
  w.id(r.owner);
  w.id(r.outcome);
  w.time(r.scheduledAt);
  w.timeOrNull(r.startedAt);
  w.time(r.finishedAt);
  w.float8OrNull(r.durationMs);
  w.int4(r.attempts);
  w.int4(r.occurrences);
  w.textOrNull(r.errorMessage);
  w.textOrNull(r.errorStack);
  w.bool(r.manual);
  w.idOrNull(r.requestedBy);
  w.idOrNull(r.process);
  if (r.result === null) w.null();
  else w.jsonb(JSON.stringify(r.result));
  w.idOrNull(r.resultOmitted);
}

/**
 * The COPY binary data of `records` (checked run-log records), header and trailer included.
 * @param {readonly import('@xcore/scheduler/run-log-kit').RunLogRecord[]} records
 * @returns {Buffer}
 */
export function copyRows(records) {
  const w = begin(records.length);
  for (const r of records) recordRow(w, r);
  return end(w);
}

/**
 * Encodes a ring's string-table texts as COPY fields, once per text (a reader's texts never change).
 */
export class RingFields {
  /** @param {import('@xcore/scheduler/run-log-kit').RunLogRing} ring */
  constructor(ring) {
    this.ring = ring;
    /** @type {(Buffer | undefined)[]} */
    this.encoded = [];
    this.slot = emptySlotFields();
  }

  /** The COPY field of string-table text `id` (or NULL). @param {number} id @returns {Buffer} */
  field(id) {
    if (id === RUN_LOG_RING_NULL) return NULL_FIELD;
    let f = this.encoded[id];
    if (f === undefined) {
      const s = this.ring.stringAt(id);
      const n = Buffer.byteLength(s, 'utf8');
      f = Buffer.allocUnsafe(4 + n);
      f.writeInt32BE(n, 0);
      f.write(s, 4, 'utf8');
      this.encoded[id] = f;
    }
    return f;
  }
}

const NULL_FIELD = Buffer.from([0xff, 0xff, 0xff, 0xff]);

/**
 * The COPY binary data of a batch: `written` records (checked already) and the queued runs of
 * `slots`, read from the ring of `fields` (see the module remarks); the runs whose record fails
 * the check are left out and described in `refused` (what `recordsOfBatch` reports).
 * @param {readonly import('@xcore/scheduler/run-log-kit').RunLogRecord[]} written
 * @param {RingFields | undefined} fields - undefined when `slots` is empty
 * @param {ArrayLike<number>} slots
 * @returns {{ data: Buffer, rows: number, refused: import('@xcore/scheduler/run-log-kit').RunLogRecordProblem[] }}
 */
export function copyBatch(written, fields, slots) {
  const w = begin(written.length + slots.length);
  for (const r of written) recordRow(w, r);
  /** @type {import('@xcore/scheduler/run-log-kit').RunLogRecordProblem[]} */
  const refused = [];
  let rows = written.length;
  if (slots.length > 0) {
    if (fields === undefined) throw new Error('copyBatch: the batch holds queued runs (ring slots) but no ring was given');
    const { ring, slot: f } = fields;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i];
      if (!ring.readValid(slot, f)) {
        const record = assembleRunLogRecord(ring.capture(slot));
        const problem = runLogRecordProblem(record);
        if (problem === null) {
          recordRow(w, record);
          rows++;
        } else {
          refused.push(problem);
        }
        continue;
      }
      w.int16(FIELDS);
      w.uuidOf(f.finishedAt, f.idHigh, f.idLow);
      w.id(f.jobId);
      w.field(fields.field(f.owner));
      w.field(OUTCOME_FIELDS[f.outcome]);
      w.time(f.scheduledAt);
      if (f.startedAt === null) {
        w.null();
        w.time(f.finishedAt);
        w.null();
      } else {
        w.time(f.startedAt);
        w.time(f.finishedAt);
        w.float8OrNull(Math.max(0, f.finishedAt - f.startedAt));
      }
      w.int4(f.attempts);
      w.int4(f.occurrences);
      w.null(); // error message and stack: a run with an error takes the ring's side channel
      w.null();
      w.bool(f.manual);
      w.field(fields.field(f.requestedBy));
      w.field(fields.field(f.process));
      if (f.resultJson === null) w.null();
      else w.jsonb(f.resultJson);
      w.idOrNull(f.resultOmitted);
      rows++;
    }
  }
  return { data: end(w), rows, refused };
}

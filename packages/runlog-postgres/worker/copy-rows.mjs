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
 */

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
    this.buf.writeInt32BE(-1, this.at);
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
    buf.writeInt32BE(n, this.at);
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
    this.buf.writeInt32BE(n, this.at);
    this.at += 4 + n;
  }

  /** @param {string | null} s */
  textOrNull(s) {
    if (s === null) this.null();
    else this.text(s);
  }

  /** A JSON text as jsonb (version 1). @param {string} json */
  jsonb(json) {
    this.room(5 + json.length * 3);
    this.buf[this.at + 4] = 1;
    const n = this.buf.write(json, this.at + 5, 'utf8');
    this.buf.writeInt32BE(n + 1, this.at);
    this.at += 5 + n;
  }

  /** A lowercase UUID text as its 16 bytes. @param {string} id */
  uuid(id) {
    this.room(20);
    this.buf.writeInt32BE(16, this.at);
    const { buf } = this;
    const b = this.at + 4;
    for (let i = 0; i < 16; i++) {
      const c = UUID_DIGITS[i];
      buf[b + i] = (HEX[id.charCodeAt(c)] << 4) | HEX[id.charCodeAt(c + 1)];
    }
    this.at += 20;
  }

  /** Epoch ms as timestamptz. @param {number} ms */
  time(ms) {
    this.room(12);
    const us = (ms - PG_EPOCH_MS) * 1000; // whole, within 2^53 for any year a record can hold
    const high = Math.floor(us / TWO_32);
    this.buf.writeInt32BE(8, this.at);
    this.buf.writeInt32BE(high, this.at + 4);
    this.buf.writeUInt32BE(us - high * TWO_32, this.at + 8);
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
    this.buf.writeInt32BE(8, this.at);
    this.buf.writeDoubleBE(v, this.at + 4);
    this.at += 12;
  }

  /** @param {number} v */
  int4(v) {
    this.room(8);
    this.buf.writeInt32BE(4, this.at);
    this.buf.writeInt32BE(v, this.at + 4);
    this.at += 8;
  }

  /** @param {boolean} v */
  bool(v) {
    this.room(5);
    this.buf.writeInt32BE(1, this.at);
    this.buf[this.at + 4] = v ? 1 : 0;
    this.at += 5;
  }

  /** @param {number} n */
  int16(n) {
    this.room(2);
    this.buf.writeInt16BE(n, this.at);
    this.at += 2;
  }
}

/**
 * The COPY binary data of `records` (checked run-log records), header and trailer included.
 * @param {readonly import('@xcore/scheduler/run-log-kit').RunLogRecord[]} records
 * @returns {Buffer}
 */
export function copyRows(records) {
  const w = new CopyWriter(Math.max(4096, records.length * 256));
  w.room(HEADER.length);
  HEADER.copy(w.buf, 0);
  w.at = HEADER.length;
  for (const r of records) {
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
  w.int16(-1);
  return w.buf.subarray(0, w.at);
}

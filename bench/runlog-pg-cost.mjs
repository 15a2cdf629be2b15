#!/usr/bin/env node
// PostgreSQL's own CPU per run-log row, by insert method and index set: what the sink's backend
// costs the machine at 10k runs a second, without a runner in the way.
//
//   pnpm build && node bench/runlog-pg-cost.mjs [--rows 40000] [--batch 500] [--reps 3]
//     [--variants json:all,copy:all,json:three,copy:three] [--url postgres://postgres@127.0.0.1:5432/postgres]
//
// For each rep, each variant (insert method × index set) gets a fresh schema (the shipped
// migrations, then the variant's index set) and inserts the same `rows` records (as the bench's
// loop runner makes them: 1 % failed with a stack, the rest with a small result) in `batch`-row
// statements on one connection; the variants run interleaved. Measured: the backend's CPU
// (/proc/<pid>/stat of pg_backend_pid(), so the server must run on this machine) and the client's
// CPU to encode the batches, each per row.
//   json:  INSERT ... SELECT FROM json_to_recordset($1) ON CONFLICT DO NOTHING (the sink before)
//   copy:  COPY run_log (...) FROM STDIN (FORMAT binary) (worker/copy-rows.mjs)
//   indexes all: migration 001's six secondary indexes; three: (finished_at, run_id),
//   (job_id, finished_at, run_id) and the partial (outcome, finished_at, run_id) of failures;
//   pkey: the primary key alone; three+owner, three+scheduled, three+jobscheduled: three and one more;
//   shipped: migration 003's four (= three+scheduled); shipped-c: the same with job_id COLLATE "C"
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import { throwawayDatabase } from './lib/throwaway-database.mjs';
import { toRunLogRecord } from '@xcore/scheduler';
import { shippedMigrations } from '@xcore/runlog-postgres';

const require = createRequire(new URL('../packages/runlog-postgres/package.json', import.meta.url));
const { from: copyFrom } = require('pg-copy-streams');
const { copyRows, COPY_COLUMNS } = await import('../packages/runlog-postgres/worker/copy-rows.mjs');

const opts = { rows: 40_000, batch: 500, reps: 3, variants: 'json:all,copy:all,json:three,copy:three', url: 'postgres://postgres@127.0.0.1:5432/postgres' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const key = argv[i].replace(/^--/, '');
  if (!(key in opts)) throw new Error(`unknown flag --${key}; flags: ${Object.keys(opts).map((k) => `--${k}`).join(' ')}`);
  opts[key] = typeof opts[key] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
}

// The JSON insert the sink used before COPY (src/run-log-sql.ts, kept here to compare).
const jsonInsert = (schema) =>
  `INSERT INTO "${schema}".run_log (${COPY_COLUMNS.join(', ')}) ` +
    'SELECT r."runId", r."jobId", r.owner, r.outcome, to_timestamp(r."scheduledAt" / 1000.0), to_timestamp(r."startedAt" / 1000.0), to_timestamp(r."finishedAt" / 1000.0), ' +
    'r."durationMs", r.attempts, r.occurrences, r."errorMessage", r."errorStack", r.manual, r."requestedBy", r.process, r.result, r."resultOmitted" ' +
    'FROM json_to_recordset($1::json) AS r("runId" uuid, "jobId" text, owner text, outcome text, "scheduledAt" float8, "startedAt" float8, "finishedAt" float8, ' +
    '"durationMs" float8, attempts integer, occurrences integer, "errorMessage" text, "errorStack" text, manual boolean, "requestedBy" text, process text, result jsonb, "resultOmitted" text) ' +
    'ON CONFLICT (run_id) DO NOTHING';

// 001's secondary indexes, and the three kept.
const INDEXES = {};
INDEXES.all = [
  'CREATE INDEX ON run_log (finished_at, run_id)',
  'CREATE INDEX ON run_log (job_id, finished_at, run_id)',
  'CREATE INDEX ON run_log (owner, finished_at, run_id)',
  "CREATE INDEX ON run_log (outcome, finished_at, run_id) WHERE outcome <> 'succeeded'",
  'CREATE INDEX ON run_log (scheduled_at, run_id)',
  'CREATE INDEX ON run_log (job_id, scheduled_at, run_id)',
];
INDEXES.three = [INDEXES.all[0], INDEXES.all[1], INDEXES.all[3]];
INDEXES.pkey = [];
INDEXES['three+owner'] = [...INDEXES.three, INDEXES.all[2]];
INDEXES['three+scheduled'] = [...INDEXES.three, INDEXES.all[4]];
INDEXES['three+jobscheduled'] = [...INDEXES.three, INDEXES.all[5]];
// 003's set (what the sink ships), and the same with job_id compared bytewise in its index: under a
// collation other than C, PostgreSQL compares texts with strcoll for every key an insert passes.
INDEXES.shipped = INDEXES['three+scheduled'];
INDEXES['shipped-c'] = [INDEXES.all[0], 'CREATE INDEX ON run_log (job_id COLLATE "C", finished_at, run_id)', INDEXES.all[3], INDEXES.all[4]];
INDEXES['shipped-icu'] = [INDEXES.all[0], 'CREATE INDEX ON run_log (job_id COLLATE "en-US-x-icu", finished_at, run_id)', INDEXES.all[3], INDEXES.all[4]];

const failure = new Error('upstream answered 503');
const t0 = Date.now();
const records = Array.from({ length: opts.rows }, (_, i) => {
  const t = t0 + Math.floor(i / 10);
  const failed = i % 100 === 0;
  return toRunLogRecord({
    record: { jobId: `bench:job-${i % 10_000}`, scheduledAt: t - 3, startedAt: t - 2, finishedAt: t, status: failed ? 'failed' : 'succeeded', attempts: 1, owner: 'bench-1' },
    jobOwner: 'bench',
    ...(failed ? { error: failure } : { result: { processed: i & 63 } }),
  });
});

async function backendMs(client) {
  const { rows } = await client.query('SELECT pg_backend_pid() AS pid');
  // ns on a CPU (schedstat), not stat's 10 ms ticks: a variant's rows cost a few hundred ms.
  return Number(readFileSync(`/proc/${rows[0].pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
}

function copyInto(client, schema, buf) {
  return new Promise((resolve, reject) => {
    const stream = client.query(copyFrom(`COPY "${schema}".run_log (${COPY_COLUMNS.join(', ')}) FROM STDIN (FORMAT binary)`));
    stream.on('error', reject);
    stream.on('finish', resolve);
    stream.end(buf);
  });
}

async function variant(admin, dbUrl, schema, method, indexes) {
  await admin.query(`CREATE SCHEMA "${schema}"`);
  const setup = new pg.Client({ connectionString: dbUrl });
  await setup.connect();
  await setup.query(`SET search_path TO "${schema}"`);
  for (const m of shippedMigrations()) await setup.query(m.sql);
  for (const { indexname } of (await setup.query("SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND indexname <> 'run_log_pkey'", [schema])).rows) await setup.query(`DROP INDEX "${indexname}"`);
  for (const sql of INDEXES[indexes]) await setup.query(sql);
  const nIndexes = Number((await setup.query('SELECT count(*) AS n FROM pg_indexes WHERE schemaname = $1', [schema])).rows[0].n);
  await setup.end();
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  const before = await backendMs(c);
  let encodeUs = 0;
  const wall = performance.now();
  for (let i = 0; i < records.length; i += opts.batch) {
    const batch = records.slice(i, i + opts.batch);
    const e = process.cpuUsage();
    const payload = method === 'copy' ? copyRows(batch) : Buffer.from(JSON.stringify(batch), 'utf8');
    const d = process.cpuUsage(e);
    encodeUs += d.user + d.system;
    if (method === 'copy') await copyInto(c, schema, payload);
    else await c.query(jsonInsert(schema), [payload]);
  }
  const wallMs = performance.now() - wall;
  const after = await backendMs(c);
  const stored = Number((await c.query(`SELECT count(*) AS n FROM "${schema}".run_log`)).rows[0].n);
  await c.end();
  return { method, indexes, nIndexes, backendUsPerRow: ((after - before) * 1000) / records.length, encodeUsPerRow: encodeUs / records.length, wallUsPerRow: (wallMs * 1000) / records.length, stored };
}

const db = await throwawayDatabase(opts.url, 'xcore_bench_pgcost');
const dbUrl = db.url;
const inDb = new pg.Client({ connectionString: dbUrl });
await inDb.connect();
const results = [];
const load = loadavg()[0];
try {
  for (let rep = 1; rep <= opts.reps; rep++) {
    for (const [method, indexes] of opts.variants.split(',').map((v) => v.split(':'))) {
      process.stderr.write(`rep ${rep}: ${method}, ${indexes} indexes ...\n`);
      results.push({ rep, ...(await variant(inDb, dbUrl, `v${rep}_${method}_${indexes.replace(/\W/g, '_')}`, method, indexes)) });
    }
  }
} finally {
  await inDb.end();
  await db.drop();
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus()[0]?.model ?? '?'} × ${cpus().length}, Node ${process.version}; ${opts.rows.toLocaleString('en')} rows in ${opts.batch}-row statements, ${opts.reps} interleaved reps; load average ${load.toFixed(1)} → ${loadavg()[0].toFixed(1)}.`);
console.log('');
console.log('| rep | method | indexes (incl. pkey) | PostgreSQL backend CPU µs/row | client encode µs/row | wall µs/row | stored |');
console.log('|---:|---|---:|---:|---:|---:|---:|');
for (const r of results) console.log(`| ${r.rep} | ${r.method} | ${r.indexes} (${r.nIndexes}) | ${r.backendUsPerRow.toFixed(1)} | ${r.encodeUsPerRow.toFixed(2)} | ${r.wallUsPerRow.toFixed(1)} | ${r.stored} |`);
console.log('');
for (const key of opts.variants.split(',').map((v) => v.replace(':', ' '))) {
  const rs = results.filter((r) => `${r.method} ${r.indexes}` === key);
  console.log(`${key}: backend median ${median(rs.map((r) => r.backendUsPerRow)).toFixed(1)} µs/row (range ${Math.min(...rs.map((r) => r.backendUsPerRow)).toFixed(1)}-${Math.max(...rs.map((r) => r.backendUsPerRow)).toFixed(1)}), encode ${median(rs.map((r) => r.encodeUsPerRow)).toFixed(2)} µs/row`);
}

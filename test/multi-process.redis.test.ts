/**
 * Three scheduler processes sharing one Redis: every occurrence fires exactly once while one
 * process is SIGKILLed and restarted, while redis-server is killed and restarted, and with one
 * process's clock skewed. Each run is appended by the job to an external ledger file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisUnavailable, startRedisServer, type RedisServer } from './helpers/redis-server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORKER = fileURLToPath(new URL('./helpers/redis-worker.ts', import.meta.url));
const JOBS = 200;
const EVERY_MS = 1000;
const LEASE_MS = 3000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Worker {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<number | null>;
  stderr(): string;
}

function startWorker(name: string, env: Record<string, string>): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    cwd: ROOT,
    env: { ...process.env, ...env, NAME: name, JOBS: String(JOBS), EVERY_MS: String(EVERY_MS), LEASE_MS: String(LEASE_MS) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => { err = (err + c.toString()).slice(-20_000); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('ready\n')) resolve();
    });
    void exited.then((code) => reject(new Error(`worker ${name} exited (${code}) before ready: ${err}`)));
  });
  return { child, ready, exited, stderr: () => err };
}

async function redisTime(url: string): Promise<number> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const [s, us] = await client.time();
    return Number(s) * 1000 + Math.floor(Number(us) / 1000);
  } finally {
    client.disconnect();
  }
}

describe.skipIf(redisUnavailable({ needBinary: true }))('three processes sharing one Redis', () => {
  let redis: RedisServer | undefined;
  const workers: Worker[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'xcore-ledger-'));

  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fire every occurrence exactly once through a SIGKILLed process, a Redis restart and a skewed clock', async () => {
    redis = await startRedisServer({ appendOnly: true });
    const ledger = join(dir, 'ledger.txt');
    writeFileSync(ledger, '');
    const env = { REDIS_URL: redis.url, PREFIX: 'mp', LEDGER: ledger };
    workers.push(startWorker('w1', env), startWorker('w2', env), startWorker('w3-skewed', { ...env, SKEW_MS: '7000' }));
    await Promise.all(workers.map((w) => w.ready));
    const start = await redisTime(redis.url);
    const wallStart = Date.now();

    const timeline: Record<string, number> = {};
    const mark = (what: string): void => { timeline[what] = Date.now() - wallStart; };
    await sleep(5000);
    mark('kill w1');
    workers[0]!.child.kill('SIGKILL');
    await workers[0]!.exited;
    await sleep(2000);
    const again = startWorker('w1-restarted', env);
    workers.push(again);
    await again.ready;
    mark('w1 restarted');

    await sleep(3000);
    mark('kill redis');
    await redis.kill();
    await sleep(2000);
    await redis.restart();
    mark('redis restarted');
    await sleep(8000);
    const end = await redisTime(redis.url);

    const live = workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
    for (const w of live) w.child.kill('SIGTERM');
    const codes = await Promise.all(live.map((w) => w.exited));
    expect(codes, live.map((w) => w.stderr()).join('\n')).toEqual(live.map(() => 0));

    const runs = new Map<string, number[]>();
    const seen = new Map<string, number>();
    for (const line of readFileSync(ledger, 'utf8').split('\n')) {
      if (line === '') continue;
      const [job, at] = line.split(' ') as [string, string];
      seen.set(`${job} ${at}`, (seen.get(`${job} ${at}`) ?? 0) + 1);
      const list = runs.get(job) ?? [];
      list.push(Number(at));
      runs.set(job, list);
    }
    const duplicates = [...seen].filter(([, n]) => n > 1).map(([k]) => k);
    const lines = readFileSync(ledger, 'utf8').split('\n');
    expect(duplicates, `duplicates: ${duplicates.map((d) => lines.filter((l) => l.startsWith(`${d} `)).join(' & ')).join('; ')}; ` +
      `timeline (ms after start): ${JSON.stringify(timeline)}; start ${start}`).toEqual([]);

    // Every job ran from its first occurrence after start until shortly before the end, with no
    // gap: late runs after the outage are fine (coalesce 'all'), missing ones are not.
    const horizon = end - LEASE_MS - 2 * EVERY_MS;
    const problems: string[] = [];
    expect(runs.size).toBe(JOBS);
    for (const [job, times] of runs) {
      times.sort((a, b) => a - b);
      if (times[0]! > start + EVERY_MS) problems.push(`${job}: first run ${times[0]! - start} ms after start`);
      if (times[times.length - 1]! < horizon) problems.push(`${job}: last run ${horizon - times[times.length - 1]!} ms before the horizon`);
      for (let i = 1; i < times.length; i++) {
        if (times[i]! - times[i - 1]! !== EVERY_MS) problems.push(`${job}: gap ${times[i - 1]! - start} -> ${times[i]! - start} (ms after start)`);
      }
    }
    const logs = join(tmpdir(), `xcore-multi-process-${Date.now()}.log`);
    if (problems.length > 0) writeFileSync(logs, workers.map((w, i) => `--- worker ${i}\n${w.stderr()}`).join('\n'));
    expect(problems.length, `${problems.length} problems; timeline (ms after start): ${JSON.stringify(timeline)}; ` +
      `first: ${problems.slice(0, 8).join('; ')}; worker logs: ${logs}`).toBe(0);
  }, 90_000);
});

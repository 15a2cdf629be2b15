/**
 * A job may throw or reject with any value at all: each run is recorded as failed with a text
 * error, the schedule goes on, `stop()` resolves, and nothing escapes as an exception or an
 * unhandled rejection, also with a logger that really serialises what it is given.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { MemoryStore } from '../stores/memory-store.js';
import { HOSTILE_VALUES } from '../executors/hostile-values.fixtures.js';
import { Scheduler } from './scheduler.js';
import { failOnUnhandledRejections } from './scheduler.fixtures.js';

/** A pino logger at trace level that serialises every line and throws the text away. */
function serialisingLogger(lines: string[]): pino.Logger {
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => { lines.push(chunk.toString()); done(); } });
  return pino({ level: 'trace' }, sink);
}

/** Resolves with `promise`, or rejects after `ms` (so a hang fails the test instead of timing it out). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
    promise.then((v) => { clearTimeout(timer); resolve(v); }, (e: unknown) => { clearTimeout(timer); reject(e); });
  });
}

describe('Scheduler with jobs that throw hostile values', () => {
  const unhandled = failOnUnhandledRejections();
  let scheduler: Scheduler | undefined;
  afterEach(async () => {
    await scheduler?.stop({ deadlineMs: 0 });
    scheduler = undefined;
  });

  for (const hostile of HOSTILE_VALUES) {
    it(`records a run that throws or rejects with ${hostile.name} as failed, and stop() resolves`, async () => {
      const lines: string[] = [];
      scheduler = new Scheduler({ store: new MemoryStore(), logger: serialisingLogger(lines), owner: 'test' });
      const hooks: unknown[] = [];
      scheduler.onFailure(({ record }) => void hooks.push(record.status));
      await scheduler.addJob(() => { throw hostile.make(); }, { id: 'sync', every: '1h' });
      await scheduler.addJob(async () => { await Promise.resolve(); throw hostile.make(); }, { id: 'async', every: '1h' });
      await scheduler.addJob(() => Promise.reject(hostile.make()), { id: 'rejected', every: '1h', retries: 1, retryDelay: 1 });

      for (const id of ['sync', 'async', 'rejected']) {
        const record = await within(scheduler.runJob(id), 5_000, `runJob("${id}")`);
        expect([record.status, typeof record.error]).toEqual(['failed', 'string']);
        expect(record.error!.length).toBeGreaterThan(0);
        expect(record.error!.length).toBeLessThanOrEqual(4_200);
        const [last] = await scheduler.history(id, { limit: 1 });
        expect(last?.status).toBe('failed');
        expect((await scheduler.getJob(id))?.lastRun?.status).toBe('failed');
      }
      expect(hooks).toEqual(['failed', 'failed', 'failed']);
      await within(scheduler.stop({ deadlineMs: 1_000 }), 5_000, 'stop()');
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
      expect(lines.some((line) => line.includes('job failed'))).toBe(true);
    });
  }

  it('records a scheduled (not manual) run that rejects with a cyclic null-prototype object as failed', async () => {
    scheduler = new Scheduler({ store: new MemoryStore(), logger: serialisingLogger([]), owner: 'test' });
    const failed = new Promise<string | undefined>((resolve) => scheduler!.on('job.failed', ({ record }) => resolve(record.error)));
    await scheduler.addJob(async () => { throw HOSTILE_VALUES[0]!.make(); }, { id: 'tick', every: 20 });
    scheduler.startFiring();
    expect(typeof (await within(failed, 5_000, 'the first failed run'))).toBe('string');
    await within(scheduler.stop({ deadlineMs: 1_000 }), 5_000, 'stop()');
    expect((await scheduler.history('tick'))[0]?.status).toBe('failed');
    expect(unhandled).toEqual([]);
  });

  it('records a job that returns a revoked Proxy (its then cannot be read) as failed', async () => {
    scheduler = new Scheduler({ store: new MemoryStore(), logger: serialisingLogger([]), owner: 'test' });
    await scheduler.addJob(() => HOSTILE_VALUES.find((h) => h.name === 'a revoked Proxy')!.make(), { id: 'ret', every: '1h' });
    const record = await within(scheduler.runJob('ret'), 5_000, 'runJob');
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/revoked/);
  });

  it('keeps running when an onFailure hook or an event listener throws a hostile value', async () => {
    scheduler = new Scheduler({ store: new MemoryStore(), logger: serialisingLogger([]), owner: 'test' });
    scheduler.onFailure(() => { throw HOSTILE_VALUES[0]!.make(); });
    scheduler.onFailure(() => Promise.reject(HOSTILE_VALUES.find((h) => h.name === 'a revoked Proxy')!.make()));
    scheduler.on('job.failed', () => { throw HOSTILE_VALUES.find((h) => h.name === 'a Proxy whose every trap throws')!.make(); });
    await scheduler.addJob(() => { throw new Error('plain'); }, { id: 'j', every: '1h' });
    const record = await within(scheduler.runJob('j'), 5_000, 'runJob');
    expect([record.status, record.error]).toEqual(['failed', 'plain']);
    await within(scheduler.stop({ deadlineMs: 1_000 }), 5_000, 'stop()');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(unhandled).toEqual([]);
  });
});

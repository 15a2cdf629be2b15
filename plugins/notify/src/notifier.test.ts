/**
 * The notifier on a real event bus, with a channel that records what it is given (the channels
 * themselves are tested against real receivers in `channels/`).
 */
import { describe, expect, it } from 'vitest';
import { createEventBus, type EventBus } from '@xcore/core';
import type { RunRecord } from '@xcore/scheduler';
import { memoryLogger } from '../../../packages/core/src/kernel/kernel.fixtures.js';
import type { Channel } from './channels/channel.js';
import { notifyConfigSchema } from './config.js';
import type { Notification } from './notification.js';
import { Notifier } from './notifier.js';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');

/** A channel that delivers by keeping the message. */
function recordingChannel(name: string, into: Notification[]): Channel {
  return { name, type: 'webhook', policy: { retries: 0, backoff: 1, maxBackoff: 1 }, attempt: async (n) => (into.push(n), { ok: true }), close() {} };
}

function setup(rules: unknown[]) {
  const { logger, lines } = memoryLogger();
  const bus = createEventBus(logger);
  const sent: Notification[] = [];
  const config = notifyConfigSchema.parse({ channels: { hook: { type: 'webhook', url: 'http://127.0.0.1:9/', secret: 'x'.repeat(16) } }, rules });
  let now = T0;
  const notifier = new Notifier({ config, channels: [recordingChannel('hook', sent)], events: bus, logger, app: 'billing', host: 'web-1', now: () => now });
  notifier.start();
  return { bus, sent, lines, notifier, advance: (ms: number) => void (now += ms) };
}

const record = (jobId: string, status: RunRecord['status'], error?: string): RunRecord => ({
  jobId, scheduledAt: T0, startedAt: T0, finishedAt: T0 + 5, status, attempts: 1, ...(error === undefined ? {} : { error }),
});
const run = (bus: EventBus, event: 'scheduler.job.failed' | 'scheduler.job.succeeded' | 'scheduler.job.aborted', jobId: string, owner: string, error?: string): void => {
  const status = event === 'scheduler.job.failed' ? 'failed' : event === 'scheduler.job.aborted' ? 'aborted' : 'succeeded';
  bus.emit(event, { jobId, owner, scheduledAt: new Date(T0), record: record(jobId, status, error) });
};
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('Notifier', () => {
  it('turns missed and skipped occurrences into messages saying why they did not run', async () => {
    const { bus, sent } = setup([{ outcomes: ['missed', 'skipped'], window: 0 }]);
    bus.emit('scheduler.job.missed', { jobId: 'report', owner: 'config', count: 3, first: new Date(T0 - 120_000), last: new Date(T0), nextRunAt: new Date(T0 + 60_000) });
    bus.emit('scheduler.job.skipped', { jobId: 'report', owner: 'config', scheduledAt: new Date(T0), reason: 'max_instances' });
    await flush();
    expect(sent.map((n) => [n.outcome, n.scheduledAt, n.attempts, n.error, n.summary])).toEqual([
      ['missed', null, null, '3 occurrences missed from 2026-03-01T09:58:00.000Z to 2026-03-01T10:00:00.000Z (later than misfireGraceTime, or dropped by coalesce)', 'job report missed occurrences: 3 occurrences missed from 2026-03-01T09:58:00.000Z to 2026-03-01T10:00:00.000Z (later than misfireGraceTime, or dropped by coalesce)'],
      ['skipped', '2026-03-01T10:00:00.000Z', null, 'not run: maxInstances runs were in progress', 'job report skipped an occurrence: not run: maxInstances runs were in progress'],
    ]);
  });

  it('listens to successes only while some job is failing', async () => {
    const { bus, sent } = setup([{ outcomes: ['failed', 'aborted'] }]);
    expect(bus.has('scheduler.job.succeeded')).toBe(false);
    expect([bus.has('scheduler.job.failed'), bus.has('scheduler.job.aborted'), bus.has('scheduler.job.timed_out')]).toEqual([true, true, false]);
    run(bus, 'scheduler.job.failed', 'a', 'app', 'boom');
    run(bus, 'scheduler.job.aborted', 'b', 'app', 'shutdown');
    expect(bus.has('scheduler.job.succeeded')).toBe(true);
    run(bus, 'scheduler.job.succeeded', 'a', 'app');
    expect(bus.has('scheduler.job.succeeded')).toBe(true);
    run(bus, 'scheduler.job.succeeded', 'b', 'app');
    expect(bus.has('scheduler.job.succeeded')).toBe(false);
    await flush();
    expect(sent.map((n) => `${n.event} ${n.jobId} ${n.outcome}`)).toEqual(['failure a failed', 'failure b aborted', 'recovery a succeeded', 'recovery b succeeded']);
  });

  it('applies each matching rule on its own, with its own window and name', async () => {
    const { bus, sent, notifier, advance } = setup([{ name: 'all', window: '1h' }, { name: 'billing', owners: ['billing'], window: 0, recovery: false }]);
    run(bus, 'scheduler.job.failed', 'billing:send', 'billing', 'smtp down');
    advance(1_000);
    run(bus, 'scheduler.job.failed', 'billing:send', 'billing', 'smtp down');
    run(bus, 'scheduler.job.failed', 'orders:sync', 'orders', 'db down');
    run(bus, 'scheduler.job.succeeded', 'billing:send', 'billing');
    await flush();
    expect(sent.map((n) => `${n.rule} ${n.event} ${n.jobId} ${n.counts.sinceLastMessage}/${n.counts.consecutive}`)).toEqual([
      'all failure billing:send 1/1',
      'billing failure billing:send 1/1',
      'billing failure billing:send 1/2',
      'all failure orders:sync 1/1',
      'all recovery billing:send 1/2',
    ]);
    expect(sent[2]!.previousMessageAt).toBe('2026-03-01T10:00:00.000Z');
    expect(notifier.status()).toMatchObject({ suppressed: 1, rules: [{ name: 'all', failingJobs: 1 }, { name: 'billing', failingJobs: 0 }] });
  });

  it('a malformed event is the notifier\'s own error: logged in one line, counted, never thrown at the emitter', () => {
    const { bus, lines, notifier } = setup([{}]);
    expect(() => bus.emit('scheduler.job.failed', { jobId: 'a', owner: 'app', scheduledAt: 'not a date' as unknown as Date, record: record('a', 'failed') })).not.toThrow();
    expect(notifier.status().errors).toBe(1);
    const logged = lines.filter((l) => l['msg'] === 'notify could not handle a job outcome');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 50, job: 'a', error: expect.stringContaining('toISOString') });
    expect(lines.some((l) => l['msg'] === 'event listener failed')).toBe(false);
  });
});

/**
 * The per-channel queue with a channel whose attempts the test answers by hand.
 */
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../packages/core/src/kernel/kernel.fixtures.js';
import { ChannelQueue } from './channel-queue.js';
import type { Channel } from './channels/channel.js';
import type { AttemptOutcome } from './delivery-retry.js';
import { buildNotification, type Notification } from './notification.js';

/** A channel whose attempts wait until the test settles them. */
function gatedChannel() {
  const pending: { id: string; settle: (o: AttemptOutcome) => void; signal: AbortSignal }[] = [];
  const channel: Channel = {
    name: 'gate',
    type: 'webhook',
    policy: { retries: 0, backoff: 1, maxBackoff: 1 },
    attempt: (n, signal) =>
      new Promise<AttemptOutcome>((settle) => {
        pending.push({ id: n.id, settle, signal });
        signal.addEventListener('abort', () => settle({ ok: false, retry: false, reason: 'stopped while sending' }), { once: true });
      }),
    close() {},
  };
  return { channel, pending };
}

const message = (id: string): Notification =>
  buildNotification({
    id, event: 'failure', app: 'a', host: 'h', rule: 'r', jobId: 'j', owner: 'o', outcome: 'failed', scheduledAt: null, attempts: 1, error: 'e',
    counts: { sinceLastMessage: 1, consecutive: 1 }, failingSince: null, previousMessageAt: null, createdAt: '2026-03-01T10:00:00.000Z',
  });
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ChannelQueue', () => {
  it('delivers in order, one at a time with concurrency 1', async () => {
    const { channel, pending } = gatedChannel();
    const queue = new ChannelQueue(channel, { size: 10, concurrency: 1, logger: memoryLogger().logger });
    for (const id of ['m1', 'm2', 'm3']) queue.push(message(id));
    expect(pending.map((p) => p.id)).toEqual(['m1']);
    expect(queue.status()).toMatchObject({ queued: 2, inFlight: 1 });
    pending[0]!.settle({ ok: true });
    await tick();
    pending[1]!.settle({ ok: false, retry: false, reason: 'HTTP 400' });
    await tick();
    expect(pending.map((p) => p.id)).toEqual(['m1', 'm2', 'm3']);
    pending[2]!.settle({ ok: true });
    await queue.whenIdle();
    expect(queue.status()).toMatchObject({ queued: 0, inFlight: 0, sent: 2, failed: 1, dropped: 0 });
    expect(queue.failing).toBe(false);
  });

  it('runs up to concurrency deliveries at once, and drops past size', async () => {
    const { channel, pending } = gatedChannel();
    const { logger, lines } = memoryLogger();
    const queue = new ChannelQueue(channel, { size: 1, concurrency: 2, logger });
    expect(['m1', 'm2', 'm3', 'm4', 'm5'].map((id) => queue.push(message(id)))).toEqual([true, true, true, false, false]);
    expect(pending.map((p) => p.id)).toEqual(['m1', 'm2']);
    expect(queue.status()).toMatchObject({ queued: 1, inFlight: 2, dropped: 2, lastError: expect.stringContaining('has 1 messages waiting (queueSize)') });
    expect(queue.failing).toBe(true);
    expect(lines.filter((l) => l['code'] === 'XCORE_ERR_NOTIFY_QUEUE_FULL').map((l) => l['dropped'])).toEqual([1]);
    // Stop aborts what is in flight and gives up what waits; the drop not logged yet is logged now.
    expect(await queue.stop()).toBe(3);
    expect(queue.status()).toMatchObject({ queued: 0, inFlight: 0, sent: 0, failed: 0, dropped: 5 });
    expect(lines.filter((l) => l['code'] === 'XCORE_ERR_NOTIFY_QUEUE_FULL').map((l) => l['dropped'])).toEqual([1, 1]);
    expect(queue.push(message('late'))).toBe(false);
  });
});

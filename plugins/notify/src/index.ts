/**
 * The `notify` plugin: tells people when scheduled jobs fail and when they recover, by signed
 * webhook and by e-mail.
 *
 * @remarks
 * It follows the outcomes of every job of every owner in this process on the app's event bus
 * (`scheduler.job.failed`, `timed_out`, ... after a run's last retry), routes them through the
 * `rules` of `plugins.config.notify` (job id globs, owners, outcomes, a failure window, recovery
 * messages) to named `channels` (webhook: JSON POST with an HMAC-SHA256 signature; email: SMTP
 * with nodemailer). Sending happens off the run path through a bounded queue per channel with
 * retries; a failure of the notifier is logged in one line and counted, never seen by a run.
 *
 * Actions (through `ctx.call('notify', action, payload)`):
 * - `status`: counts per channel (sent, failed, dropped, retries, queued, last error) and rule.
 * - `test` `{ channel? }`: sends a test message now (one attempt, no retry) to one channel or all,
 *   and answers `{ [channel]: { ok, error? } }`.
 *
 * When the `health` plugin runs, notify reports the check `notify`: `warn` while a channel's last
 * message failed, `ok` again once one is delivered. On stop, messages still queued get most of the
 * hook timeout to go out; what is left then is given up, logged and counted.
 *
 * @packageDocumentation
 */
import { hostname } from 'node:os';
import { definePlugin, type PluginContext } from '@xcore/core';
import type {} from '@xcore/scheduler';
import type { Channel } from './channels/channel.js';
import { createEmailChannel } from './channels/email-channel.js';
import { createWebhookChannel } from './channels/webhook-channel.js';
import { notifyConfigSchema, type NotifyConfig } from './config.js';
import { NotifyPayloadInvalidError } from './errors.js';
import { Notifier, type NotifierHealth } from './notifier.js';

export { notifyConfigSchema, NOTIFY_OUTCOMES } from './config.js';
export type { NotifyConfig, NotifyConfigInput, NotifyOutcome, ChannelConfig, WebhookChannelConfig, EmailChannelConfig, RuleConfig } from './config.js';
export type { Notification, NotificationEvent } from './notification.js';
export type { NotifyStatus } from './notifier.js';
export type { ChannelStatus } from './channel-queue.js';
export { signWebhook, verifyWebhookSignature, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signature.js';
export type { VerifyWebhookInput } from './signature.js';
export { NotifyDeliveryFailedError, NotifyQueueFullError, NotifyPayloadInvalidError, NOTIFY_ERROR_CODES } from './errors.js';

/** Share of the stop budget spent waiting for queues, leaving time to log and close. */
const FLUSH_SHARE = 0.8;

let notifier: Notifier | undefined;
let flushBudgetMs = 0;

/** Makes the channel of each config entry. */
function createChannels(config: NotifyConfig): Channel[] {
  return Object.entries(config.channels).map(([name, channel]) =>
    channel.type === 'webhook' ? createWebhookChannel(name, channel) : createEmailChannel(name, channel),
  );
}

/** Reports to `health` when it runs; notify works the same without it. */
function reportHealth(ctx: PluginContext, health: NotifierHealth): void {
  ctx.call('health', 'report', { check: 'notify', ...health }).catch((err: unknown) => {
    ctx.logger.debug({ error: err instanceof Error ? err.message : String(err) }, 'notify health not reported (is the health plugin running?)');
  });
}

/** Sends a test message to one channel or all: one attempt each, answered per channel. */
async function sendTest(payload: unknown): Promise<Record<string, { ok: boolean; error?: string }>> {
  const current = notifier!;
  const all = Object.keys(current.status().channels);
  let names = all;
  if (payload !== undefined && payload !== null) {
    const requested = typeof payload === 'object' ? (payload as { channel?: unknown }).channel : undefined;
    if (typeof payload !== 'object' || (requested !== undefined && typeof requested !== 'string')) {
      throw new NotifyPayloadInvalidError('test', 'expected nothing, or { channel: "<name>" }');
    }
    if (typeof requested === 'string') names = [requested];
  }
  const results: Record<string, { ok: boolean; error?: string }> = {};
  for (const name of names) {
    const channel = current.channel(name);
    if (channel === undefined) throw new NotifyPayloadInvalidError('test', `no channel "${name}"; channels: ${all.join(', ')}`);
    const message = current.message({
      event: 'test', rule: 'test', jobId: 'notify:test', owner: 'notify', outcome: 'failed', scheduledAt: null, attempts: null, error: null,
      counts: { sinceLastMessage: 0, consecutive: 0 }, failingSince: null, previousMessageAt: null,
    });
    const outcome = await channel.attempt(message, new AbortController().signal);
    results[name] = outcome.ok ? { ok: true } : { ok: false, error: outcome.reason };
  }
  return results;
}

export default definePlugin({
  configSchema: notifyConfigSchema,
  onStart(ctx) {
    const app = ctx.getService('config');
    flushBudgetMs = Math.floor(Math.min(app.plugins.hookTimeoutMs, app.app.shutdownTimeoutMs) * FLUSH_SHARE);
    notifier = new Notifier({
      config: ctx.config,
      channels: createChannels(ctx.config),
      events: ctx.events,
      logger: ctx.logger,
      app: app.app.name,
      host: hostname(),
      onHealthChange: (health) => reportHealth(ctx, health),
    });
    notifier.start();
    const channels = Object.entries(ctx.config.channels).map(([name, c]) => `${name} (${c.type})`);
    ctx.logger.info({ channels, rules: ctx.config.rules.length }, 'notify ready');
  },
  async onStop(ctx) {
    const current = notifier;
    notifier = undefined;
    if (current === undefined) return;
    await current.stop(flushBudgetMs);
    await ctx.call('health', 'remove', { check: 'notify' }).catch(() => undefined);
  },
  actions: ['status', 'test'],
  handle(action, payload) {
    if (action === 'status') return notifier!.status();
    return sendTest(payload);
  },
});

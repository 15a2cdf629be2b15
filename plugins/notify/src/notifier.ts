/**
 * The notifier: follows job outcomes on the app's event bus, applies the rules and their failure
 * windows, and hands messages to the channel queues.
 *
 * @remarks
 * Listeners run on the scheduler's run path, so they only decide and enqueue: a handful of map
 * lookups, no I/O, and they never throw (an error of the notifier itself is logged in one line
 * and counted). `scheduler.job.succeeded` is listened to only while some job is in a failing
 * streak, so an app whose jobs succeed pays nothing for notify on each run.
 */
import { randomUUID } from 'node:crypto';
import type { EventBus, PluginContext } from '@xcore/core';
import type { JobRunEvent, SchedulerEvents } from '@xcore/scheduler';
import type { Channel } from './channels/channel.js';
import { ChannelQueue, type ChannelStatus } from './channel-queue.js';
import type { NotifyConfig, NotifyOutcome } from './config.js';
import { FailureWindows } from './failure-windows.js';
import { buildNotification, type Notification, type NotificationInput } from './notification.js';
import { compileRules, type CompiledRule } from './rule-matcher.js';

/** What `call('notify', 'status')` answers. */
export interface NotifyStatus {
  readonly channels: Readonly<Record<string, ChannelStatus>>;
  readonly rules: readonly {
    readonly name: string;
    /** Jobs in a failing streak under this rule. */
    readonly failingJobs: number;
    /** Failures counted in windows and not sent yet. */
    readonly unreported: number;
  }[];
  /** Failures counted in a window instead of sent, since the notifier started. */
  readonly suppressed: number;
  /** Errors of the notifier itself (each logged once). */
  readonly errors: number;
}

/** The health of the notifier, as reported to the `health` plugin. */
export interface NotifierHealth {
  readonly status: 'ok' | 'warn';
  readonly detail?: string;
}

/** What a {@link Notifier} works with. */
export interface NotifierOptions {
  readonly config: NotifyConfig;
  readonly channels: readonly Channel[];
  readonly events: EventBus;
  readonly logger: PluginContext['logger'];
  /** `app.name`. */
  readonly app: string;
  readonly host: string;
  /** Clock, ms since the epoch (windows and timestamps). @defaultValue `Date.now` */
  readonly now?: () => number;
  readonly random?: () => number;
  /** Called when {@link Notifier.health} changes. */
  readonly onHealthChange?: (health: NotifierHealth) => void;
}

/** The outcome events a rule can ask for, by bus event. */
const FAILURE_EVENTS = {
  failed: 'scheduler.job.failed',
  timed_out: 'scheduler.job.timed_out',
  aborted: 'scheduler.job.aborted',
  missed: 'scheduler.job.missed',
  skipped: 'scheduler.job.skipped',
} as const satisfies Record<NotifyOutcome, string>;

type FailurePayload = SchedulerEvents['job.failed'] | SchedulerEvents['job.missed'] | SchedulerEvents['job.skipped'];

/** How often healthy jobs past their window are forgotten. */
const SWEEP_EVERY_MS = 60_000;

/** See the module comment. */
export class Notifier {
  private readonly rules: readonly CompiledRule[];
  private readonly windows: readonly FailureWindows[];
  private readonly queues = new Map<string, ChannelQueue>();
  private readonly unsubscribe: (() => void)[] = [];
  private offSucceeded: (() => void) | undefined;
  private suppressed = 0;
  private errors = 0;
  private lastSweep = 0;
  private health: NotifierHealth = { status: 'ok' };
  private readonly now: () => number;

  constructor(private readonly options: NotifierOptions) {
    const { config } = options;
    this.now = options.now ?? Date.now;
    this.rules = compileRules(config.rules, Object.keys(config.channels));
    this.windows = this.rules.map((rule) => new FailureWindows(rule.windowMs));
    for (const channel of options.channels) {
      this.queues.set(
        channel.name,
        new ChannelQueue(channel, {
          size: config.queueSize,
          concurrency: config.concurrency,
          logger: options.logger,
          onSettled: () => this.checkHealth(),
          now: this.now,
          ...(options.random === undefined ? {} : { random: options.random }),
        }),
      );
    }
  }

  /** Subscribes to the outcomes the rules ask for. */
  start(): void {
    const wanted = new Set(this.rules.flatMap((rule) => [...rule.outcomes]));
    for (const outcome of wanted) {
      this.unsubscribe.push(this.options.events.on(FAILURE_EVENTS[outcome], (payload: FailurePayload) => this.onFailure(outcome, payload)));
    }
  }

  /**
   * Stops listening, lets the queues deliver for up to `deadlineMs`, then gives up what is left.
   *
   * @returns Messages given up.
   */
  async stop(deadlineMs: number): Promise<number> {
    for (const off of this.unsubscribe.splice(0)) off();
    this.offSucceeded?.();
    this.offSucceeded = undefined;
    const queues = [...this.queues.values()];
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)));
    await Promise.race([Promise.all(queues.map((q) => q.whenIdle())), deadline]);
    clearTimeout(timer);
    const givenUp = await Promise.all(queues.map(async (q) => [q.channel.name, await q.stop()] as const));
    const lost = givenUp.filter(([, n]) => n > 0);
    if (lost.length > 0) {
      this.options.logger.warn({ deadlineMs, givenUp: Object.fromEntries(lost) }, `notify stopped with ${lost.reduce((sum, [, n]) => sum + n, 0)} message(s) not delivered within ${deadlineMs} ms`);
    }
    return lost.reduce((sum, [, n]) => sum + n, 0);
  }

  /** Counts per channel and rule. */
  status(): NotifyStatus {
    return {
      channels: Object.fromEntries([...this.queues].map(([name, q]) => [name, q.status()])),
      rules: this.rules.map((rule, i) => ({ name: rule.name, failingJobs: this.windows[i]!.failing, unreported: this.windows[i]!.unreported })),
      suppressed: this.suppressed,
      errors: this.errors,
    };
  }

  /** Queues `notification` on the named channels (all of them by default). */
  send(notification: Notification, channels: readonly string[] = [...this.queues.keys()]): void {
    for (const name of channels) this.queues.get(name)?.push(notification);
  }

  /** The channel named `name`, if configured. */
  channel(name: string): Channel | undefined {
    return this.queues.get(name)?.channel;
  }

  /** Builds a message with this process's app, host, a fresh id and `createdAt` = `at`. */
  message(input: Omit<NotificationInput, 'id' | 'app' | 'host' | 'createdAt'>, at = this.now()): Notification {
    return buildNotification({ id: randomUUID(), app: this.options.app, host: this.options.host, createdAt: iso(at), ...input });
  }

  private onFailure(outcome: NotifyOutcome, payload: FailurePayload): void {
    try {
      const { jobId, owner } = payload;
      const now = this.now();
      for (const rule of this.rules) {
        if (!rule.matchesFailure(jobId, owner, outcome)) continue;
        const verdict = this.windows[rule.index]!.failure(jobId, now);
        if (!verdict.send) {
          this.suppressed += 1;
          continue;
        }
        const record = 'record' in payload ? (payload as JobRunEvent).record : undefined;
        const notification = this.message({
          event: 'failure',
          rule: rule.name,
          jobId,
          owner,
          outcome,
          scheduledAt: 'scheduledAt' in payload ? payload.scheduledAt.toISOString() : null,
          attempts: record?.attempts ?? null,
          error: record?.error ?? whyNotRun(payload),
          counts: { sinceLastMessage: verdict.sinceLastMessage, consecutive: verdict.consecutive },
          failingSince: iso(verdict.failingSince),
          previousMessageAt: verdict.previousMessageAt === undefined ? null : iso(verdict.previousMessageAt),
        }, now);
        this.send(notification, rule.channels);
      }
      if (now - this.lastSweep >= SWEEP_EVERY_MS) {
        this.lastSweep = now;
        for (const w of this.windows) w.sweep(now);
      }
      this.followSuccesses();
    } catch (error) {
      this.fault(error, payload.jobId);
    }
  }

  private onSuccess(payload: SchedulerEvents['job.succeeded']): void {
    try {
      const { jobId, owner } = payload;
      const now = this.now();
      for (const rule of this.rules) {
        const windows = this.windows[rule.index]!;
        // Only jobs that failed under this rule have state in its windows: no glob to test.
        if (windows.failing === 0) continue;
        const verdict = windows.success(jobId, now, rule.recovery);
        if (verdict === undefined || !verdict.notify) continue;
        this.send(
          this.message({
            event: 'recovery',
            rule: rule.name,
            jobId,
            owner,
            outcome: 'succeeded',
            scheduledAt: payload.scheduledAt.toISOString(),
            attempts: payload.record.attempts,
            error: null,
            counts: { sinceLastMessage: verdict.sinceLastMessage, consecutive: verdict.consecutive },
            failingSince: iso(verdict.failingSince),
            previousMessageAt: verdict.previousMessageAt === undefined ? null : iso(verdict.previousMessageAt),
          }, now),
          rule.channels,
        );
      }
      this.followSuccesses();
    } catch (error) {
      this.fault(error, payload.jobId);
    }
  }

  /** Listens to successes exactly while some job is failing. */
  private followSuccesses(): void {
    const failing = this.windows.some((w) => w.failing > 0);
    if (failing && this.offSucceeded === undefined && this.unsubscribe.length > 0) {
      this.offSucceeded = this.options.events.on('scheduler.job.succeeded', (p) => this.onSuccess(p));
    } else if (!failing && this.offSucceeded !== undefined) {
      this.offSucceeded();
      this.offSucceeded = undefined;
    }
  }


  private fault(error: unknown, jobId: string): void {
    this.errors += 1;
    this.options.logger.error({ job: jobId, error: error instanceof Error ? error.message : String(error) }, 'notify could not handle a job outcome');
  }

  private checkHealth(): void {
    const failing = [...this.queues.values()].filter((q) => q.failing);
    const next: NotifierHealth =
      failing.length === 0
        ? { status: 'ok' }
        : { status: 'warn', detail: failing.map((q) => `${q.channel.name}: ${q.status().lastError ?? 'failing'}`).join('; ') };
    if (next.status === this.health.status && next.detail === this.health.detail) return;
    this.health = next;
    this.options.onHealthChange?.(next);
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Why an occurrence did not run (missed, skipped), for the `error` field. */
function whyNotRun(payload: FailurePayload): string | null {
  if ('count' in payload) {
    const which = payload.count === 1 ? `at ${payload.first.toISOString()}` : `from ${payload.first.toISOString()} to ${payload.last.toISOString()}`;
    return `${payload.count} occurrence${payload.count === 1 ? '' : 's'} missed ${which} (later than misfireGraceTime, or dropped by coalesce)`;
  }
  if ('reason' in payload) return 'not run: maxInstances runs were in progress';
  return null;
}

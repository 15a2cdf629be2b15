/**
 * `RedisStore`: the Store contract on Redis or Redis Cluster, shared by many processes.
 *
 * @remarks
 * Every atomic step is one Lua script (`lua/*.lua`, loaded by `scripts.ts`), every key is built in
 * `keys.ts` under one hash tag per prefix, and Redis's `TIME` is the only clock. Claims and commits
 * are batched (one `EVALSHA` per batch), and a claim returns Redis's clock and the next wakeup
 * with the claims, so a runner firing N schedules per tick costs two round trips per batch (claim,
 * commit), not per firing.
 */
import { randomUUID } from 'node:crypto';
import { Cluster, Redis, type ClusterNode, type ClusterOptions, type RedisOptions } from 'ioredis';
import { RedisOptionsInvalidError, RedisUnavailableError, StoreClosedError, StoreInputError } from '../../errors.js';
import type {
  Claim, ClaimBatch, CommitItem, CommitResult, CommittedRun, FinishedRun, RunRecord, RunSlot, ScheduleDefinition, Store, StoreChange,
  StoredSchedule, UpsertInput, UpsertResult,
} from '../store.js';
import { redisKeys, SCHEDULE_FIELDS, type RedisKeys } from './keys.js';
import { checkTime, checkUpsertInput } from '../store-input.js';
import { ClaimedSchedule, decodeSchedule, type ScheduleFields } from './claimed-schedule.js';
import { loadScripts, runScript, toStoreError, type LuaScript, type RedisClient, type ScriptName } from './scripts.js';

/** The logger calls the store makes (a pino `Logger` fits). */
export interface RedisStoreLogger {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** Options of {@link RedisStore}; give exactly one of `url`, `client` or `nodes`. */
export interface RedisStoreOptions {
  /** `redis://[user:pass@]host:port[/db]` of a single Redis (or `rediss://` for TLS). */
  readonly url?: string;
  /** An ioredis client or Cluster you own; the store neither configures nor closes it. */
  readonly client?: RedisClient;
  /** Seed nodes of a Redis Cluster; the store creates and closes an ioredis `Cluster`. */
  readonly nodes?: readonly ClusterNode[];
  /**
   * Key namespace; every key is `{prefix}:...`, one Cluster slot. Processes sharing schedules use
   * the same prefix.
   * @defaultValue `'xcore'`
   */
  readonly prefix?: string;
  /** Extra ioredis options for the clients the store creates (they override the defaults below). */
  readonly redisOptions?: RedisOptions;
  /** Extra ioredis Cluster options when `nodes` is given. */
  readonly clusterOptions?: ClusterOptions;
  /**
   * A command with no reply after this long rejects with `XCORE_ERR_REDIS_UNAVAILABLE`; any store
   * call, queued or sent, rejects after this plus 2 s (the time for one reconnect).
   * @defaultValue `5000`
   */
  readonly commandTimeoutMs?: number;
  /**
   * How long `commit` keeps retrying while Redis is unreachable before it rejects. A retried
   * commit is answered as the first one was, so a commit whose reply was lost still dispatches
   * the occurrences it recorded; meanwhile the caller's tick waits.
   * @defaultValue `10000`
   */
  readonly commitRetryMs?: number;
  /** Logger for connection problems. @defaultValue no logging */
  readonly logger?: RedisStoreLogger;
}

/**
 * Defaults for clients the store creates, chosen so that Redis trouble surfaces as rejected
 * promises the runner can catch, quickly, instead of hanging calls or crashes:
 * - `maxRetriesPerRequest: 1`: a command caught by a disconnect is retried after one reconnect,
 *   then rejects (ioredis's 20 would keep a runner tick waiting for about a minute);
 * - `enableOfflineQueue: true`: calls made while (re)connecting wait for the connection instead of
 *   failing at once, bounded by the line above and by `commandTimeout`;
 * - `retryStrategy`: reconnect forever with exponential backoff from 50 ms, capped at 2 s, plus
 *   jitter so many processes do not reconnect in lockstep after a Redis restart;
 * - `commandTimeout`: a reply lost on a half-open connection rejects instead of hanging;
 * - `enableAutoPipelining`: the per-run calls of many runs started in one tick (slot acquire,
 *   history record, slot release) share one write and one round trip instead of one each.
 */
function clientDefaults(commandTimeoutMs: number): RedisOptions {
  return {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    connectTimeout: 5_000,
    commandTimeout: commandTimeoutMs,
    enableAutoPipelining: true,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2_000) + Math.floor(Math.random() * 100),
  };
}

const NO_LOG: RedisStoreLogger = { warn: () => {}, debug: () => {} };

/**
 * The Redis implementation of {@link Store}.
 *
 * @remarks
 * Guarantees (with the runner): a claim carries a fencing token; {@link RedisStore.commit} records
 * each occurrence once and refuses a stale token, atomically with advancing the schedule; run
 * slots are leased so a dead process frees them; history is bounded; change hints go over pub/sub
 * on `{prefix}:changes` (hints only: callers cap their sleeps). Redis failures reject with
 * `XCORE_ERR_REDIS_UNAVAILABLE` or `XCORE_ERR_REDIS_COMMAND`; nothing is thrown asynchronously.
 * Configure Redis with `maxmemory-policy noeviction` and persistence (AOF) for durable schedules.
 *
 * @example
 * ```ts
 * const store = new RedisStore({ url: 'redis://127.0.0.1:6379', prefix: 'myapp' });
 * const claims = await store.claimDue('worker-1', 30_000, 500);
 * await store.close();
 * ```
 */
export class RedisStore implements Store {
  readonly kind = 'redis';
  /** The keys of this store's namespace. */
  readonly keys: RedisKeys;
  /** The command client (owned unless passed as `client`). */
  readonly client: RedisClient;

  readonly #owned: boolean;
  readonly #scripts: Readonly<Record<ScriptName, LuaScript>>;
  /** Parsed definitions by id, reused while the stored hash is unchanged (claims parse no JSON). */
  readonly #definitions = new Map<string, { hash: string; definition: ScheduleDefinition }>();
  readonly #logger: RedisStoreLogger;
  /** Longest wait for any store call: the command timeout plus time for one reconnect. */
  readonly #deadlineMs: number;
  readonly #commitRetryMs: number;
  readonly #source = randomUUID();
  readonly #listeners = new Set<(change: StoreChange) => void>();
  #subscriber: RedisClient | undefined;
  #closed = false;

  constructor(options: RedisStoreOptions) {
    const given = (['url', 'client', 'nodes'] as const).filter((k) => options[k] !== undefined);
    if (given.length !== 1) {
      throw new RedisOptionsInvalidError(
        `RedisStore needs exactly one of "url", "client" or "nodes"; got ${given.length === 0 ? 'none' : given.join(', ')}. ` +
          'Pass e.g. { url: "redis://127.0.0.1:6379" }.',
      );
    }
    this.keys = redisKeys(options.prefix ?? 'xcore');
    this.#logger = options.logger ?? NO_LOG;
    this.#scripts = loadScripts();
    const commandTimeoutMs = positive('commandTimeoutMs', options.commandTimeoutMs ?? 5_000);
    this.#deadlineMs = commandTimeoutMs + 2_000;
    this.#commitRetryMs = Math.max(0, options.commitRetryMs ?? 10_000);
    const defaults = clientDefaults(commandTimeoutMs);
    if (options.client) {
      this.client = options.client;
      this.#owned = false;
    } else if (options.nodes) {
      this.client = new Cluster([...options.nodes], {
        ...options.clusterOptions,
        redisOptions: { ...defaults, ...options.redisOptions, ...options.clusterOptions?.redisOptions },
        clusterRetryStrategy: defaults.retryStrategy ?? undefined,
        enableOfflineQueue: true,
        enableAutoPipelining: true,
      });
      this.#owned = true;
    } else {
      this.client = new Redis(options.url as string, { ...defaults, ...options.redisOptions });
      this.#owned = true;
    }
    if (this.#owned) this.#watch(this.client, 'commands');
  }

  /** Redis's clock (`TIME`, read on the namespace's node), epoch ms. */
  async now(): Promise<number> {
    return Number(await this.#script('now', 'time-1', [this.keys.seq], []));
  }

  /** {@inheritDoc Store.upsert} */
  async upsert(input: UpsertInput): Promise<UpsertResult> {
    const { definition, hash } = input;
    checkUpsertInput(input);
    const reply = (await this.#script('upsert', 'upsert-3', [this.keys.all, this.keys.due, this.keys.seq], [
      this.keys.schedulePrefix, this.keys.channel, this.#source, definition.id, definition.owner,
      JSON.stringify(definition), input.hash, optionalTime(input.nextRunAt), String(input.anchor),
      input.replaceExisting ? '1' : '0', definition.trigger.type,
    ])) as [string, unknown];
    this.#emit({ kind: 'upsert', id: definition.id }, reply[0] === 'created' || reply[0] === 'updated');
    if (reply[0] === 'conflict') return { status: 'conflict', existingOwner: String(reply[1]) };
    const status = reply[0] as 'created' | 'updated' | 'unchanged';
    return { status, schedule: this.#decode(definition.id, reply[1] as ScheduleFields) };
  }

  /** {@inheritDoc Store.remove} */
  async remove(id: string): Promise<boolean> {
    const k = this.keys;
    const removed = (await this.#script('remove', 'remove-2', [k.all, k.due], [
      k.schedulePrefix, k.historyPrefix, k.channel, this.#source, id,
    ])) === 1;
    this.#definitions.delete(id);
    this.#emit({ kind: 'remove', id }, removed);
    return removed;
  }

  /** {@inheritDoc Store.get} */
  async get(id: string): Promise<StoredSchedule | null> {
    const fields = (await this.#command('get', (c) => c.hmget(this.keys.schedule(id), ...SCHEDULE_FIELDS))) as ScheduleFields;
    if (!fields[0]) {
      this.#definitions.delete(id);
      return null;
    }
    return this.#decode(id, fields);
  }

  /** {@inheritDoc Store.list} */
  async list(filter?: { owner?: string }): Promise<StoredSchedule[]> {
    const owner = filter?.owner;
    const reply = (await this.#script('list', 'list-1', [this.keys.all], [
      this.keys.schedulePrefix, owner === undefined ? '0' : '1', owner ?? '',
    ])) as Array<[string, ScheduleFields]>;
    return reply.map(([id, fields]) => this.#decode(id, fields));
  }

  /** {@inheritDoc Store.pause} */
  async pause(id: string): Promise<boolean> {
    const done = (await this.#script('pause', 'pause-1', [this.keys.due], [this.keys.schedulePrefix, this.keys.channel, this.#source, id])) === 1;
    this.#emit({ kind: 'pause', id }, done);
    return done;
  }

  /** {@inheritDoc Store.resume} */
  async resume(id: string, nextRunAt: number | null): Promise<boolean> {
    checkTime('resume', `nextRunAt of "${id}"`, nextRunAt, true);
    const done = (await this.#script('resume', 'resume-1', [this.keys.due], [
      this.keys.schedulePrefix, this.keys.channel, this.#source, id, optionalTime(nextRunAt),
    ])) === 1;
    this.#emit({ kind: 'resume', id }, done);
    return done;
  }

  /** {@inheritDoc Store.setNextRunAt} */
  async setNextRunAt(id: string, nextRunAt: number | null): Promise<boolean> {
    checkTime('setNextRunAt', `nextRunAt of "${id}"`, nextRunAt, true);
    const done = (await this.#script('setNextRunAt', 'set-next-run-1', [this.keys.due], [
      this.keys.schedulePrefix, this.keys.channel, this.#source, id, optionalTime(nextRunAt),
    ])) === 1;
    this.#emit({ kind: 'reschedule', id }, done);
    return done;
  }

  /** {@inheritDoc Store.claimDue} */
  async claimDue(owner: string, leaseMs: number, limit: number, exclude?: ReadonlySet<string>): Promise<Claim[]> {
    return (await this.claimBatch(owner, leaseMs, limit, exclude)).claims;
  }

  /** {@inheritDoc Store.claimBatch} */
  async claimBatch(owner: string, leaseMs: number, limit: number, exclude?: ReadonlySet<string>): Promise<ClaimBatch> {
    atLeastOne('claimDue', 'leaseMs', leaseMs);
    atLeastOne('claimDue', 'limit', limit);
    const reply = (await this.#script('claimDue', 'claim-due-1', [this.keys.due], [
      this.keys.schedulePrefix, owner, String(Math.floor(leaseMs)), String(Math.floor(limit)), ...(exclude ?? []),
    ])) as unknown[];
    const claims: Claim[] = new Array<Claim>(reply.length - 2);
    for (let i = 2; i < reply.length; i++) {
      const [id, fields] = reply[i] as [string, ScheduleFields];
      claims[i - 2] = new ClaimedSchedule(this.#definition(id, fields), fields);
    }
    const wakeup = reply[1] as string;
    return { claims, now: Number(reply[0]), nextWakeup: wakeup === '' ? null : Number(wakeup) };
  }

  /** {@inheritDoc Store.commit} */
  async commit(owner: string, items: readonly CommitItem[]): Promise<CommitResult[]> {
    if (items.length === 0) return [];
    const k = this.keys;
    const args: string[] = [k.schedulePrefix, k.channel, this.#source, owner, String(items.length), k.slots, k.slotData, k.jobSlotsPrefix];
    for (const item of items) {
      checkTime('commit', `nextRunAt of "${item.id}"`, item.nextRunAt, true);
      const slots = item.slots;
      if (slots !== undefined) atLeastOne('commit', `slots.leaseMs of "${item.id}"`, slots.leaseMs);
      args.push(
        item.id, String(item.token), optionalTime(item.nextRunAt),
        slots === undefined ? '' : String(Math.max(0, Math.floor(slots.max))), slots === undefined ? '' : String(Math.floor(slots.leaseMs)),
        String(item.fire.length),
      );
      for (const at of item.fire) args.push(String(at));
    }
    const reply = (await this.#retrying('commit', () => this.#script('commit', 'commit-1', [k.due], args))) as string[][];
    const results = items.map((item, i): CommitResult => {
      const row = reply[i] ?? ['missing'];
      if (row[0] !== 'ok') return { id: item.id, ok: false, reason: row[0] === 'stale' ? 'stale' : 'missing' };
      const bar = row.indexOf('|');
      if (bar < 0) return { id: item.id, ok: true, accepted: row.slice(1).map(Number) };
      const accepted = row.slice(1, bar).map(Number);
      const runs = accepted.map((at, j): CommittedRun => ({ runId: `${at}@${owner}`, slotted: row[bar + 1 + j] === '1' }));
      return { id: item.id, ok: true, accepted, runs };
    });
    this.#emit(items.length === 1 ? { kind: 'commit', id: items[0]!.id } : { kind: 'commit' }, true);
    return results;
  }

  /** {@inheritDoc Store.release} */
  async release(owner: string, claims: readonly { id: string; token: number }[]): Promise<void> {
    if (claims.length === 0) return;
    const released = await this.#script('release', 'release-1', [this.keys.due], [
      this.keys.schedulePrefix, this.keys.channel, this.#source, owner, ...claims.flatMap((c) => [c.id, String(c.token)]),
    ]);
    this.#emit(claims.length === 1 ? { kind: 'release', id: claims[0]!.id } : { kind: 'release' }, Number(released) > 0);
  }

  /** {@inheritDoc Store.acquireSlot} */
  async acquireSlot(slot: RunSlot, max: number): Promise<boolean> {
    checkTime('acquireSlot', `leaseUntil of run "${slot.runId}"`, slot.leaseUntil, false);
    const k = this.keys;
    checkTime('acquireSlot', `scheduledAt of run "${slot.runId}"`, slot.scheduledAt, false);
    const taken = await this.#script('acquireSlot', 'acquire-slot-2', [k.slots, k.slotData], [
      k.jobSlotsPrefix, slot.jobId, slot.runId, String(Math.floor(slot.scheduledAt)), slot.owner,
      String(Math.floor(slot.leaseUntil)), String(Math.max(0, Math.floor(max))),
    ]);
    return taken === 1;
  }

  /** {@inheritDoc Store.renewSlots} */
  async renewSlots(owner: string, runIds: readonly { jobId: string; runId: string }[], leaseMs: number): Promise<string[]> {
    atLeastOne('renewSlots', 'leaseMs', leaseMs);
    if (runIds.length === 0) return [];
    const k = this.keys;
    const reply = await this.#script('renewSlots', 'renew-slots-2', [k.slots, k.slotData], [
      k.jobSlotsPrefix, owner, String(Math.floor(leaseMs)), ...runIds.flatMap((r) => [r.jobId, r.runId]),
    ]);
    return (reply as string[]).map(String);
  }

  /** {@inheritDoc Store.releaseSlot} */
  async releaseSlot(jobId: string, runId: string): Promise<void> {
    const k = this.keys;
    const freed = await this.#script('releaseSlot', 'release-slot-2', [k.slots, k.slotData], [
      k.jobSlotsPrefix, jobId, runId, k.channel, this.#source,
    ]);
    this.#emit({ kind: 'release', id: jobId }, freed === 1);
  }

  /** {@inheritDoc Store.finishRuns} */
  async finishRuns(runs: readonly FinishedRun[]): Promise<void> {
    if (runs.length === 0) return;
    const k = this.keys;
    const args: string[] = [k.jobSlotsPrefix, k.schedulePrefix, k.historyPrefix, k.channel, this.#source];
    for (const run of runs) {
      const jobId = run.slot?.jobId ?? run.record?.jobId;
      if (jobId === undefined) continue;
      if (run.record !== undefined && run.slot !== undefined && run.record.jobId !== run.slot.jobId) {
        throw new StoreInputError('finishRuns', `record of "${run.record.jobId}" and slot of "${run.slot.jobId}" belong to different jobs`);
      }
      args.push(jobId, run.slot?.runId ?? '', run.record === undefined ? '' : JSON.stringify(run.record), String(Math.max(0, Math.floor(run.historyLimit) || 0)));
    }
    const freed = await this.#script('finishRuns', 'finish-runs-2', [k.slots, k.slotData], args);
    this.#emit({ kind: 'release' }, Number(freed) > 0);
  }

  /** {@inheritDoc Store.reapExpiredSlots} */
  async reapExpiredSlots(limit: number): Promise<RunSlot[]> {
    if (!(limit >= 1)) return [];
    const reply = (await this.#script('reapExpiredSlots', 'reap-slots-2', [this.keys.slots, this.keys.slotData], [
      this.keys.jobSlotsPrefix, String(Math.floor(limit)),
    ])) as string[];
    const slots: RunSlot[] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) {
      const data = JSON.parse(reply[i] as string) as Omit<RunSlot, 'leaseUntil'>;
      // Keep the RunSlot shape: leaseMs and suspect are the store's bookkeeping.
      slots.push({ jobId: data.jobId, runId: data.runId, scheduledAt: data.scheduledAt, owner: data.owner, leaseUntil: Number(reply[i + 1]) });
    }
    return slots;
  }

  /** {@inheritDoc Store.recordRun} */
  async recordRun(record: RunRecord, historyLimit: number): Promise<void> {
    await this.#script('recordRun', 'record-run-2', [this.keys.schedule(record.jobId), this.keys.history(record.jobId)], [
      JSON.stringify(record), String(Math.max(0, Math.floor(historyLimit) || 0)),
    ]);
  }

  /** {@inheritDoc Store.history} */
  async history(id: string, limit: number): Promise<RunRecord[]> {
    if (limit <= 0) return [];
    const items = (await this.#command('history', (c) => c.lrange(this.keys.history(id), 0, Math.floor(limit) - 1))) as string[];
    return items.map((item) => JSON.parse(item) as RunRecord);
  }

  /** {@inheritDoc Store.nextWakeup} */
  async nextWakeup(exclude?: ReadonlySet<string>): Promise<number | null> {
    const skip = exclude?.size ?? 0;
    const reply = (await this.#command('nextWakeup', (c) => (c as Redis).zrange(this.keys.due, 0, String(skip), 'WITHSCORES'))) as string[];
    for (let i = 0; i + 1 < reply.length; i += 2) {
      if (!exclude?.has(reply[i] as string)) return Number(reply[i + 1]);
    }
    return null;
  }

  /** {@inheritDoc Store.onChange} */
  onChange(listener: (change: StoreChange) => void): () => void {
    this.#listeners.add(listener);
    if (!this.#subscriber && !this.#closed) this.#subscribe();
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Closes the connections the store created (not a `client` it was given). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    const clients = [this.#owned ? this.client : undefined, this.#subscriber].filter((c): c is RedisClient => c !== undefined);
    await Promise.all(clients.map(async (c) => {
      if (c.status === 'ready') {
        await c.quit().catch(() => c.disconnect());
      } else {
        c.disconnect();
      }
    }));
  }

  /** Decodes a schedule (see {@link RedisStore.#definition}). */
  #decode(id: string, fields: ScheduleFields): StoredSchedule {
    return decodeSchedule(fields, this.#definition(id, fields));
  }

  /** A schedule's definition, its JSON parsed only when its hash changed since last seen. */
  #definition(id: string, fields: ScheduleFields): ScheduleDefinition {
    const hash = fields[1] ?? '';
    const cached = this.#definitions.get(id);
    if (cached !== undefined && cached.hash === hash) return cached.definition;
    const definition = deepFreeze(JSON.parse(fields[0] as string) as ScheduleDefinition);
    this.#definitions.set(id, { hash, definition });
    return definition;
  }

  #subscribe(): void {
    const subscriber: RedisClient = this.client instanceof Cluster ? this.client.duplicate() : this.client.duplicate();
    this.#subscriber = subscriber;
    this.#watch(subscriber, 'subscriber');
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.keys.channel) return;
      let change: StoreChange & { src?: string };
      try {
        change = JSON.parse(message) as StoreChange & { src?: string };
      } catch {
        return;
      }
      if (change.src === this.#source) return;
      this.#deliver(change.id === undefined ? { kind: change.kind } : { kind: change.kind, id: change.id });
    });
    subscriber.subscribe(this.keys.channel).catch((error: unknown) => {
      this.#logger.warn({ err: error, channel: this.keys.channel }, 'RedisStore could not subscribe to change hints; ioredis resubscribes after reconnecting');
    });
  }

  #watch(client: RedisClient, role: string): void {
    client.on('error', (error: unknown) => {
      this.#logger.warn({ err: error, role, prefix: this.keys.prefix }, 'Redis connection error');
    });
  }

  #emit(change: StoreChange, happened: boolean): void {
    if (happened) this.#deliver(change);
  }

  #deliver(change: StoreChange): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(change);
      } catch (error) {
        this.#logger.warn({ err: error, change }, 'store change listener threw');
      }
    }
  }

  async #script(operation: string, name: ScriptName, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    if (this.#closed) throw new StoreClosedError('redis', operation);
    return this.#deadline(operation, runScript(this.client, this.#scripts[name], keys, args, operation));
  }

  async #command(operation: string, run: (client: RedisClient) => Promise<unknown>): Promise<unknown> {
    if (this.#closed) throw new StoreClosedError('redis', operation);
    const call = (async () => {
      try {
        return await run(this.client);
      } catch (error) {
        throw toStoreError(operation, error);
      }
    })();
    return this.#deadline(operation, call);
  }

  /** Repeats `call` while it rejects with `XCORE_ERR_REDIS_UNAVAILABLE`, for up to `commitRetryMs`. */
  async #retrying<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const giveUpAt = Date.now() + this.#commitRetryMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof RedisUnavailableError) || this.#closed || Date.now() >= giveUpAt) throw error;
        const delay = Math.min(50 * 2 ** attempt, 1_000, Math.max(1, giveUpAt - Date.now()));
        this.#logger.debug({ err: error, operation, retryInMs: delay }, 'Redis unavailable; retrying the unconfirmed call');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /**
   * Rejects with `XCORE_ERR_REDIS_UNAVAILABLE` when `call` has not settled within the deadline.
   *
   * @remarks
   * ioredis's `commandTimeout` covers commands sent to a node, and `maxRetriesPerRequest` the
   * offline queue of a single client; a Cluster's own offline queue (cluster down or still
   * connecting) has no bound, so without this a runner tick could wait forever. The command may
   * still run later; callers treat the rejection as "not confirmed" (a claim then lapses with its
   * lease, a commit's occurrences are not dispatched: at most once).
   */
  #deadline<T>(operation: string, call: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new RedisUnavailableError(
          `RedisStore.${operation}: no answer from Redis within ${this.#deadlineMs} ms (connection down or cluster not ready). ` +
            'The call was not confirmed; retry once Redis is back (the scheduler does this with backoff).',
        ));
      }, this.#deadlineMs);
      timer.unref?.();
    });
    return Promise.race([call, expired]).finally(() => clearTimeout(timer));
  }
}

function optionalTime(value: number | null): string {
  return value === null ? '' : String(Math.floor(value));
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 1) {
    throw new RedisOptionsInvalidError(`RedisStore option "${name}" is ${value}; it must be a finite number >= 1.`);
  }
  return Math.floor(value);
}

function atLeastOne(method: string, name: string, value: number): void {
  if (!Number.isFinite(value) || value < 1) throw new StoreInputError(method, `${name} must be a finite number >= 1, got ${value}`);
}

/** Freezes a parsed definition deeply: it is shared between calls, as MemoryStore shares its own. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

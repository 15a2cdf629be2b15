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
import { Buffer } from 'node:buffer';
import type { Redis } from 'ioredis';
import { StoreClosedError, StoreInputError } from '../../errors.js';
import type {
  AheadPlan, Claim, ClaimBatch, ClaimOptions, CommitItem, CommitResult, CommittedAhead, FinishedRun, FinishRunsOptions, RestoreInput, RestoreResult, RunRecord, RunSlot, Store, StoreChange,
  ScheduleDefinition, StoredSchedule, UpsertInput, UpsertResult,
} from '../store.js';
import { expectedType, redisKeys, SCHEDULE_FIELDS, type RedisKeys } from './keys.js';
import { checkAtLeastOne, checkTime, checkUpsertInput } from '../store-input.js';
import type { ScheduleFields } from './claimed-schedule.js';
import { ChangeHints } from './change-hints.js';
import { closeClient, createClient } from './redis-connection.js';
import { ConnectionOutages } from './connection-outages.js';
import { checkOneRedis, NO_LOG, positive, type RedisStoreLogger, type RedisStoreOptions } from './redis-store-options.js';
import { decodeCommitResults, decodeReapedSlots, ScheduleDecoder, type AheadEntry, type UnknownDefinition } from './reply-decoding.js';
import { keyTypeError, loadScripts, runScript, toStoreError, type LuaScript, type RedisClient, type ScriptName } from './scripts.js';
import { retryWhileUnavailable, withDeadline, type UnavailableRetry } from './unconfirmed-calls.js';
import { RUN_REQUEST_RETENTION_MS, type ProcessInfo, type ProcessPresence, type RunRequest, type RunRequestInput, type RunRequestState, type ScheduleCounts, type ScheduleFilter, type SchedulePage } from '../store-operator.js';
import { decodeListPage, decodePendingRuns, decodeProcesses, decodeRunRequest, decodeRunRequestState, RUN_REQUEST_FIELDS } from './operator-replies.js';

/** Ids one `list-page-2` call examines at most (a page of 500 took 4.6 ms of Redis time on a loaded 2-vCPU machine). */
const LIST_PAGE_SCAN = 1_000;
/** Ids one `count-page-2` call counts at most (5,000 held Redis for 26 ms on a loaded 2-vCPU machine: a script blocks every other client). */
const COUNT_PAGE_SCAN = 1_000;

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
  readonly #decoder = new ScheduleDecoder();
  readonly #logger: RedisStoreLogger;
  /** Longest wait for any store call: the command timeout plus time for one reconnect. */
  readonly #deadlineMs: number;
  /** How `commit` retries while Redis is unavailable (`commitRetryMs`). */
  readonly #commitRetry: UnavailableRetry;
  readonly #hints: ChangeHints;
  /** This store's id in published change hints, so it skips its own. */
  readonly #source: string;
  /** Owners whose last claim or commit was not confirmed: their next claim takes back their own claims. */
  readonly #unconfirmed = new Set<string>();
  /**
   * Sequence number of the last claim call with commit-ahead (epoch ms at the store's creation,
   * then +1 per call: increasing across restarts of a process that keeps its owner id).
   */
  #claimSeq = Date.now();
  /** Per owner, the sequence number of its last claim call whose answer arrived (see `claim-due-3.lua`). */
  readonly #answered = new Map<string, number>();
  /** The packed `|...` commit part of each plan made ahead (see `commit-2.lua`), by plan and max. */
  readonly #aheadParts = new WeakMap<AheadPlan, { max: number; part: string }>();
  /** Keys of the wrong type already logged (each is logged once). */
  readonly #badKeys = new Set<string>();
  /** Resolves at the next `ready` of the command connection. */
  #ready: { promise: Promise<void>; resolve: () => void } | undefined;
  #closed = false;

  constructor(options: RedisStoreOptions) {
    checkOneRedis(options);
    this.keys = redisKeys(options.prefix ?? 'xcore');
    this.#logger = options.logger ?? NO_LOG;
    this.#scripts = loadScripts();
    const commandTimeoutMs = positive('commandTimeoutMs', options.commandTimeoutMs ?? 5_000);
    this.#deadlineMs = commandTimeoutMs + 2_000;
    this.#commitRetry = {
      retryMs: Math.max(0, options.commitRetryMs ?? 10_000), stopped: () => this.#closed, logger: this.#logger, reconnected: () => this.#nextReady(),
    };
    const { client, owned } = createClient(options, commandTimeoutMs);
    this.client = client;
    this.#owned = owned;
    const outages = new ConnectionOutages(this.keys.prefix, this.#logger);
    if (owned) outages.watch(client, 'commands');
    this.#hints = new ChangeHints(client, this.keys, this.#logger, outages);
    this.#source = this.#hints.source;
    let connectedBefore = client.status === 'ready';
    client.on('ready', () => {
      const ready = this.#ready;
      this.#ready = undefined;
      ready?.resolve();
      // A reconnection: hints published meanwhile were lost, and callers waiting out a backoff
      // can go now (the scheduler resumes within the reconnect delay, not at its next retry).
      if (connectedBefore && !this.#closed) this.#hints.emit({ kind: 'connected' }, true);
      connectedBefore = true;
    });
  }

  /** Redis's clock (`TIME`, read on the namespace's node), epoch ms. */
  async now(): Promise<number> {
    return Number(await this.#script('now', 'time-1', [this.keys.seq], []));
  }

  /** {@inheritDoc Store.upsert} */
  async upsert(input: UpsertInput): Promise<UpsertResult> {
    const { definition } = input;
    checkUpsertInput(input);
    const reply = (await this.#script('upsert', 'upsert-4', [this.keys.all, this.keys.due, this.keys.seq, this.keys.gen], [
      this.keys.schedulePrefix, this.keys.channel, this.#source, definition.id, definition.owner,
      JSON.stringify(definition), input.hash, optionalTime(input.nextRunAt), String(input.anchor),
      input.replaceExisting ? '1' : '0', definition.trigger.type,
    ])) as [string, unknown];
    this.#hints.emit({ kind: 'upsert', id: definition.id }, reply[0] === 'created' || reply[0] === 'updated');
    if (reply[0] === 'conflict') return { status: 'conflict', existingOwner: String(reply[1]) };
    const status = reply[0] as 'created' | 'updated' | 'unchanged';
    return { status, schedule: this.#decoder.schedule(definition.id, reply[1] as ScheduleFields) };
  }

  /** {@inheritDoc Store.restore} */
  async restore(inputs: readonly RestoreInput[]): Promise<RestoreResult> {
    for (const input of inputs) checkUpsertInput(input, 'restore');
    const k = this.keys;
    const created: string[] = [];
    let generation: string | undefined;
    // Batches of RESTORE_BATCH: a script blocks every other client while it runs.
    for (let from = 0; from === 0 || from < inputs.length; from += RESTORE_BATCH) {
      const args: string[] = [k.schedulePrefix, k.channel, this.#source];
      for (const { definition, hash, nextRunAt, anchor } of inputs.slice(from, from + RESTORE_BATCH)) {
        args.push(definition.id, definition.owner, JSON.stringify(definition), hash, optionalTime(nextRunAt), String(anchor), definition.trigger.type);
      }
      const reply = (await this.#script('restore', 'restore-4', [k.all, k.due, k.seq, k.gen], args)) as string[];
      generation = reply[0];
      created.push(...reply.slice(1));
    }
    this.#hints.emit(created.length === 1 ? { kind: 'upsert', id: created[0]! } : { kind: 'upsert' }, created.length > 0);
    return generation === undefined ? { created } : { created, generation };
  }

  /** {@inheritDoc Store.remove} */
  async remove(id: string): Promise<boolean> {
    const k = this.keys;
    const removed = (await this.#script('remove', 'remove-2', [k.all, k.due], [
      k.schedulePrefix, k.historyPrefix, k.channel, this.#source, id,
    ])) === 1;
    this.#decoder.forget(id);
    this.#hints.emit({ kind: 'remove', id }, removed);
    return removed;
  }

  /** {@inheritDoc Store.get} */
  async get(id: string): Promise<StoredSchedule | null> {
    const key = this.keys.schedule(id);
    const fields = (await this.#command('get', key, (c) => c.hmget(key, ...SCHEDULE_FIELDS))) as ScheduleFields;
    if (!fields[0]) {
      this.#decoder.forget(id);
      return null;
    }
    return this.#decoder.schedule(id, fields);
  }

  /** {@inheritDoc Store.list} */
  async list(filter?: { owner?: string }): Promise<StoredSchedule[]> {
    const owner = filter?.owner;
    const reply = (await this.#script('list', 'list-1', [this.keys.all], [
      this.keys.schedulePrefix, owner === undefined ? '0' : '1', owner ?? '',
    ])) as Array<[string, ScheduleFields]>;
    return reply.map(([id, fields]) => this.#decoder.schedule(id, fields));
  }

  /** {@inheritDoc Store.pause} */
  async pause(id: string): Promise<boolean> {
    const done = (await this.#script('pause', 'pause-1', [this.keys.due], [this.keys.schedulePrefix, this.keys.channel, this.#source, id])) === 1;
    this.#hints.emit({ kind: 'pause', id }, done);
    return done;
  }

  /** {@inheritDoc Store.resume} */
  async resume(id: string, nextRunAt: number | null): Promise<boolean> {
    checkTime('resume', `nextRunAt of "${id}"`, nextRunAt, true);
    const done = (await this.#script('resume', 'resume-1', [this.keys.due], [
      this.keys.schedulePrefix, this.keys.channel, this.#source, id, optionalTime(nextRunAt),
    ])) === 1;
    this.#hints.emit({ kind: 'resume', id }, done);
    return done;
  }

  /** {@inheritDoc Store.setNextRunAt} */
  async setNextRunAt(id: string, nextRunAt: number | null): Promise<boolean> {
    checkTime('setNextRunAt', `nextRunAt of "${id}"`, nextRunAt, true);
    const done = (await this.#script('setNextRunAt', 'set-next-run-1', [this.keys.due], [
      this.keys.schedulePrefix, this.keys.channel, this.#source, id, optionalTime(nextRunAt),
    ])) === 1;
    this.#hints.emit({ kind: 'reschedule', id }, done);
    return done;
  }

  /** {@inheritDoc Store.claimDue} */
  async claimDue(owner: string, leaseMs: number, limit: number, exclude?: ReadonlySet<string>): Promise<Claim[]> {
    return (await this.claimBatch(owner, leaseMs, limit, exclude)).claims;
  }

  /** {@inheritDoc Store.claimBatch} */
  async claimBatch(owner: string, leaseMs: number, limit: number, exclude?: ReadonlySet<string>, options?: ClaimOptions): Promise<ClaimBatch> {
    checkAtLeastOne('claimDue', 'leaseMs', leaseMs);
    checkAtLeastOne('claimDue', 'limit', limit);
    const k = this.keys;
    const takeBack = this.#unconfirmed.has(owner);
    const ahead = options?.commitAhead === true;
    const seq = ahead ? ++this.#claimSeq : 0;
    let batch: ClaimBatch;
    try {
      // Without definitions: this process knows those of the schedules it registered (upsert
      // replies fill the decoder), and reads the few others after the claim.
      const reply = (await this.#script('claimDue', 'claim-due-3', [k.due, k.gen, k.ownerClaims(owner)], [
        k.schedulePrefix, owner, String(Math.floor(leaseMs)), String(Math.floor(limit)), takeBack ? '1' : '0',
        ahead ? String(seq) : '', k.jobSlotsPrefix, k.slots, k.slotData, k.ownerAhead(owner),
        // Before any answer, the calls of this store's life only (not a previous process's with this owner id).
        String(this.#answered.get(owner) ?? this.#firstSeq), k.channel, this.#source, ...(exclude ?? []),
      ])) as unknown[];
      const decoded = this.#decoder.claimBatch(reply, owner, (key) => this.#badKey('claimDue', key));
      batch = decoded.unknown === undefined ? decoded : await this.#withDefinitions(owner, decoded, decoded.unknown);
      if (decoded.ahead !== undefined) batch = { ...batch, committed: await this.#committedAhead(owner, decoded.ahead) };
    } catch (error) {
      // Not confirmed: the claim may have been applied. The next claim takes back what it took
      // (and answers again what it committed ahead).
      this.#unconfirmed.add(owner);
      throw error;
    }
    if (takeBack) this.#unconfirmed.delete(owner);
    if (ahead) this.#answered.set(owner, seq);
    return batch;
  }

  /** The definition JSON and hash of each schedule (`null`s: gone), in one round trip. */
  async #readDefinitions(schedules: readonly { readonly id: string }[]): Promise<[string | null, string | null][]> {
    const k = this.keys;
    return (await this.#command('claimDue', k.schedulePrefix, async (c) => {
      const pipeline = c.pipeline();
      for (const { id } of schedules) pipeline.hmget(k.schedule(id), 'def', 'hash');
      const results = (await pipeline.exec()) ?? [];
      return results.map(([error, value]) => {
        if (error) throw error;
        return value as [string | null, string | null];
      });
    })) as [string | null, string | null][];
  }

  /** The first sequence number of this store's claim calls, less one. */
  readonly #firstSeq = this.#claimSeq;

  /**
   * The schedules a claim committed ahead, with their definitions: known here by hash, or read
   * (one round trip for all). One removed meanwhile is left out: its run, recorded with a slot,
   * lapses and is reaped as a dead process's would be.
   */
  async #committedAhead(owner: string, entries: readonly AheadEntry[]): Promise<CommittedAhead[]> {
    const committed: CommittedAhead[] = [];
    let unknown: AheadEntry[] | undefined;
    for (const entry of entries) {
      const definition = this.#decoder.known(entry.id, entry.hash);
      if (definition === undefined) (unknown ??= []).push(entry);
      else committed.push(committedAhead(definition, entry, owner));
    }
    if (unknown === undefined) return committed;
    const replies = await this.#readDefinitions(unknown);
    unknown.forEach((entry, i) => {
      const [def, hash] = replies[i] ?? [null, null];
      if (def !== null && hash !== null) committed.push(committedAhead(this.#decoder.definition(entry.id, [def, hash]), entry, owner));
    });
    return committed;
  }

  /**
   * Completes a claim batch with the claims whose definitions the decoder did not know: reads
   * them (one round trip for all). A schedule removed since its claim is left out, and taken out
   * of the owner's claim set (nothing else of it is left to release).
   */
  async #withDefinitions(owner: string, batch: ClaimBatch, unknown: readonly UnknownDefinition[]): Promise<ClaimBatch> {
    const k = this.keys;
    const replies = await this.#readDefinitions(unknown);
    const claims = [...batch.claims];
    const gone: string[] = [];
    unknown.forEach((claim, i) => {
      const [def, hash] = replies[i] ?? [null, null];
      if (def === null || hash === null) gone.push(claim.id);
      else claims[claim.at] = this.#decoder.claim(claim, def, hash);
    });
    if (gone.length > 0) {
      const key = k.ownerClaims(owner);
      await this.#command('claimDue', key, (c) => c.zrem(key, ...gone));
    }
    return { ...batch, claims: gone.length > 0 ? claims.filter((c) => c !== undefined) : claims };
  }

  /** {@inheritDoc Store.commit} */
  async commit(owner: string, items: readonly CommitItem[]): Promise<CommitResult[]> {
    if (items.length === 0) return [];
    const k = this.keys;
    // The items go packed in one argument (see commit-2.lua): ioredis builds a command's RESP text
    // by concatenating a header and the value per argument, which at 7 arguments per item was
    // the largest allocation of a burst. Per item, no message string unless an input is bad,
    // and the slot request's strings once per request object (the runner passes one per policy).
    let packed = '';
    let lastSlots: CommitItem['slots'];
    let slotPart = ',,';
    for (const item of items) {
      const next = item.nextRunAt;
      if (next !== null && !Number.isFinite(next)) checkTime('commit', `nextRunAt of "${item.id}"`, next, true);
      const slots = item.slots;
      if (slots !== lastSlots) {
        if (slots !== undefined) checkAtLeastOne('commit', `slots.leaseMs of "${item.id}"`, slots.leaseMs);
        lastSlots = slots;
        slotPart = slots === undefined ? ',,' : `,${Math.max(0, Math.floor(slots.max))},${Math.floor(slots.leaseMs)}`;
      }
      const fire = item.fire;
      packed += `${Buffer.byteLength(item.id)}:${item.id}${item.token},${next === null ? '' : Math.floor(next)}${slotPart},${fire.length}`;
      for (let j = 0; j < fire.length; j++) packed += `,${fire[j]}`;
      if (item.ahead !== undefined && slots !== undefined && next !== null) packed += this.#aheadPart(item.ahead, slots.max);
      packed += ';';
    }
    const args = [k.schedulePrefix, k.channel, this.#source, owner, String(items.length), k.slots, k.slotData, k.jobSlotsPrefix, packed];
    let reply: unknown;
    try {
      reply = await retryWhileUnavailable('commit', () => this.#script('commit', 'commit-2', [k.due, k.ownerClaims(owner)], args), this.#commitRetry);
    } catch (error) {
      // The claims may still be this owner's (the commit failed, or landed unanswered): its next
      // claim takes them back rather than letting them lapse with their lease.
      this.#unconfirmed.add(owner);
      throw error;
    }
    const results = decodeCommitResults(items, reply as string, owner, k, (key) => this.#badKey('commit', key));
    this.#hints.emit(items.length === 1 ? { kind: 'commit', id: items[0]!.id } : { kind: 'commit' }, true);
    return results;
  }

  /** The `|<grace>/<max>/<occurrences>` part of a commit item (see `commit-2.lua`), once per plan object. */
  #aheadPart(plan: AheadPlan, max: number): string {
    const cached = this.#aheadParts.get(plan);
    if (cached !== undefined && cached.max === max) return cached.part;
    const occurrences = plan.occurrences;
    let part = '';
    if (occurrences.length > 0 && occurrences.every((at) => Number.isSafeInteger(at)) && (plan.graceMs === null || plan.graceMs >= 0)) {
      part = `|${plan.graceMs === null ? '' : Math.floor(plan.graceMs)}/${Math.max(0, Math.floor(max))}/${occurrences.join(',')}`;
    }
    this.#aheadParts.set(plan, { max, part });
    return part;
  }

  /** {@inheritDoc Store.release} */
  async release(owner: string, claims: readonly { id: string; token: number }[]): Promise<void> {
    if (claims.length === 0) return;
    let released: unknown;
    try {
      released = await this.#script('release', 'release-2', [this.keys.due, this.keys.ownerClaims(owner)], [
        this.keys.schedulePrefix, this.keys.channel, this.#source, owner, ...claims.flatMap((c) => [c.id, String(c.token)]),
      ]);
    } catch (error) {
      this.#unconfirmed.add(owner); // the claims may still be held: the next claim takes them back
      throw error;
    }
    this.#hints.emit(claims.length === 1 ? { kind: 'release', id: claims[0]!.id } : { kind: 'release' }, Number(released) > 0);
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
    checkAtLeastOne('renewSlots', 'leaseMs', leaseMs);
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
    this.#hints.emit({ kind: 'release', id: jobId }, freed === 1);
  }

  /** {@inheritDoc Store.finishRuns} */
  async finishRuns(runs: readonly FinishedRun[], options?: FinishRunsOptions): Promise<void> {
    if (runs.length === 0) return;
    const k = this.keys;
    // The runs go packed in one argument (see finish-runs-2.lua and commit).
    let packed = '';
    for (const run of runs) {
      const jobId = run.slot?.jobId ?? run.record?.jobId;
      if (jobId === undefined) continue;
      if (run.record !== undefined && run.slot !== undefined && run.record.jobId !== run.slot.jobId) {
        throw new StoreInputError('finishRuns', `record of "${run.record.jobId}" and slot of "${run.slot.jobId}" belong to different jobs`);
      }
      const runId = run.slot?.runId ?? '';
      const record = run.record === undefined ? '' : JSON.stringify(run.record);
      packed += `${Buffer.byteLength(jobId)}:${jobId}${Buffer.byteLength(runId)}:${runId}${Buffer.byteLength(record)}:${record}${Math.max(0, Math.floor(run.historyLimit) || 0)};`;
    }
    const args = [k.jobSlotsPrefix, k.schedulePrefix, k.historyPrefix, k.channel, this.#source, options?.retry === true ? '1' : '0', packed];
    const [freed, ...badKeys] = (await this.#script('finishRuns', 'finish-runs-2', [k.slots, k.slotData], args)) as [number, ...string[]];
    for (const key of badKeys) this.#badKey('finishRuns', key);
    this.#hints.emit({ kind: 'release' }, Number(freed) > 0);
  }

  /** {@inheritDoc Store.reapExpiredSlots} */
  async reapExpiredSlots(limit: number): Promise<RunSlot[]> {
    if (!(limit >= 1)) return [];
    const reply = (await this.#script('reapExpiredSlots', 'reap-slots-2', [this.keys.slots, this.keys.slotData], [
      this.keys.jobSlotsPrefix, String(Math.floor(limit)),
    ])) as string[];
    return decodeReapedSlots(reply);
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
    const key = this.keys.history(id);
    const items = (await this.#command('history', key, (c) => c.lrange(key, 0, Math.floor(limit) - 1))) as string[];
    return items.map((item) => JSON.parse(item) as RunRecord);
  }

  /** {@inheritDoc Store.nextWakeup} */
  async nextWakeup(exclude?: ReadonlySet<string>): Promise<number | null> {
    const skip = exclude?.size ?? 0;
    const reply = (await this.#command('nextWakeup', this.keys.due, (c) => (c as Redis).zrange(this.keys.due, 0, String(skip), 'WITHSCORES'))) as string[];
    for (let i = 0; i + 1 < reply.length; i += 2) {
      if (!exclude?.has(reply[i] as string)) return Number(reply[i + 1]);
    }
    return null;
  }

  /** {@inheritDoc Store.listPage} */
  async listPage(after: string | null, limit: number, filter: ScheduleFilter = {}): Promise<SchedulePage> {
    checkAtLeastOne('listPage', 'limit', limit);
    const k = this.keys;
    const reply = (await this.#script('listPage', 'list-page-2', [k.ids, k.all], [
      k.schedulePrefix, k.jobSlotsPrefix, after === null ? '-' : `(${after}`, String(Math.floor(limit)),
      String(Math.max(LIST_PAGE_SCAN, Math.floor(limit))), JSON.stringify(filter),
    ])) as unknown[];
    return decodeListPage(reply, this.#decoder);
  }

  /** {@inheritDoc Store.countSchedules} */
  async countSchedules(after: string | null): Promise<ScheduleCounts> {
    const k = this.keys;
    const [next, schedules, paused, failing, running] = (await this.#script('countSchedules', 'count-page-2', [k.ids, k.all], [
      k.schedulePrefix, k.jobSlotsPrefix, after === null ? '-' : `(${after}`, String(COUNT_PAGE_SCAN),
    ])) as [string, number, number, number, number];
    return { schedules, paused, failing, running, next: next === '' ? null : next };
  }

  /** {@inheritDoc Store.requestRun} */
  async requestRun(input: RunRequestInput): Promise<RunRequestState> {
    checkAtLeastOne('requestRun', 'ttlMs', input.ttlMs);
    const k = this.keys;
    const [at, exp] = (await this.#script('requestRun', 'request-run-1', [k.runRequests], [
      k.runRequestPrefix, input.requestId, input.jobId, input.args === undefined ? '' : JSON.stringify(input.args), input.requestedBy,
      String(Math.floor(input.ttlMs)), String(RUN_REQUEST_RETENTION_MS), k.channel, this.#source,
    ])) as [string, string];
    this.#hints.emit({ kind: 'run-request', id: input.jobId }, true);
    return { request: decodeRunRequest(input.requestId, [input.jobId, input.args === undefined ? '' : JSON.stringify(input.args), input.requestedBy, at, exp]), status: 'pending' };
  }

  /** {@inheritDoc Store.pendingRunRequests} */
  async pendingRunRequests(limit: number): Promise<RunRequest[]> {
    checkAtLeastOne('pendingRunRequests', 'limit', limit);
    const k = this.keys;
    const reply = await this.#script('pendingRunRequests', 'pending-runs-1', [k.runRequests], [k.runRequestPrefix, String(Math.floor(limit)), String(RUN_REQUEST_RETENTION_MS)]);
    return decodePendingRuns(reply as string[]);
  }

  /** {@inheritDoc Store.takeRunRequest} */
  async takeRunRequest(owner: string, requestId: string): Promise<RunRequest | null> {
    const k = this.keys;
    const reply = await this.#script('takeRunRequest', 'take-run-1', [k.runRequests], [k.runRequestPrefix, requestId, owner, String(RUN_REQUEST_RETENTION_MS)]);
    return Array.isArray(reply) ? decodeRunRequest(requestId, reply as string[]) : null;
  }

  /** {@inheritDoc Store.finishRunRequest} */
  async finishRunRequest(requestId: string, record: RunRecord): Promise<void> {
    const k = this.keys;
    const done = await this.#script('finishRunRequest', 'finish-run-1', [k.runRequests], [
      k.runRequestPrefix, requestId, JSON.stringify(record), String(RUN_REQUEST_RETENTION_MS), k.channel, this.#source,
    ]);
    this.#hints.emit({ kind: 'run-finished', id: record.jobId }, done === 1);
  }

  /** {@inheritDoc Store.runRequest} */
  async runRequest(requestId: string): Promise<RunRequestState | null> {
    const key = `${this.keys.runRequestPrefix}${requestId}`;
    const values = (await this.#command('runRequest', key, (c) => c.hmget(key, ...RUN_REQUEST_FIELDS))) as (string | null)[];
    return decodeRunRequestState(requestId, values);
  }

  /** {@inheritDoc Store.announce} */
  async announce(owner: string, info: ProcessInfo, ttlMs: number): Promise<void> {
    checkAtLeastOne('announce', 'ttlMs', ttlMs);
    await this.#script('announce', 'announce-1', [this.keys.processes], [this.keys.processInfo, owner, JSON.stringify(info), String(Math.floor(ttlMs))]);
  }

  /** {@inheritDoc Store.processes} */
  async processes(): Promise<ProcessPresence[]> {
    return decodeProcesses((await this.#script('processes', 'processes-1', [this.keys.processes], [this.keys.processInfo])) as string[]);
  }

  /** {@inheritDoc Store.leave} */
  async leave(owner: string): Promise<void> {
    await this.#script('leave', 'leave-1', [this.keys.processes], [this.keys.processInfo, owner]);
  }

  /** {@inheritDoc Store.onChange} */
  onChange(listener: (change: StoreChange) => void): () => void {
    return this.#hints.listen(listener);
  }

  /** Closes the connections the store created (not a `client` it was given). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const subscriber = this.#hints.close();
    const clients = [this.#owned ? this.client : undefined, subscriber].filter((c): c is RedisClient => c !== undefined);
    await Promise.all(clients.map(closeClient));
  }

  /** Logs, once per key, a key of the wrong type a script worked around (only its job is affected). */
  #badKey(operation: string, key: string): void {
    if (this.#badKeys.has(key) || this.#badKeys.size >= 10_000) return;
    this.#badKeys.add(key);
    const type = expectedType(this.keys, key);
    const err = keyTypeError(operation, key, type);
    const log = this.#logger.error ?? this.#logger.warn;
    log.call(this.#logger, { err, key }, `RedisStore: a job's key holds the wrong type; until it is deleted, ${KEY_FAULT_EFFECT[type]} (other jobs are not affected)`);
  }

  /** Resolves at the next `ready` of the command connection (never, if it never comes back). */
  #nextReady(): Promise<void> {
    if (this.#ready === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => { resolve = r; });
      this.#ready = { promise, resolve };
    }
    return this.#ready.promise;
  }

  async #script(operation: string, name: ScriptName, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    if (this.#closed) throw new StoreClosedError('redis', operation);
    return withDeadline(operation, runScript(this.client, this.#scripts[name], keys, args, operation), this.#deadlineMs);
  }

  /** Runs one plain command on `key`; a WRONGTYPE reply becomes the coded error naming `key`. */
  async #command(operation: string, key: string, run: (client: RedisClient) => Promise<unknown>): Promise<unknown> {
    if (this.#closed) throw new StoreClosedError('redis', operation);
    const call = (async () => {
      try {
        return await run(this.client);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('WRONGTYPE')) throw keyTypeError(operation, key, expectedType(this.keys, key));
        throw toStoreError(operation, error);
      }
    })();
    return withDeadline(operation, call, this.#deadlineMs);
  }
}

/** What a job's key of the wrong type costs that job, by the type the store keeps there. */
const KEY_FAULT_EFFECT: Readonly<Record<string, string>> = {
  hash: 'the job cannot be claimed or committed',
  list: 'its run records are dropped',
  zset: 'its runs are not counted against maxInstances',
  string: 'the store cannot use it',
};

/**
 * Definitions per `restore-4.lua` call.
 *
 * @remarks A script blocks every other Redis client while it runs; 500 creations take a few
 * milliseconds, so a process putting back 100k schedules never holds Redis for long at a time.
 */
const RESTORE_BATCH = 500;

function optionalTime(value: number | null): string {
  return value === null ? '' : String(Math.floor(value));
}

/** A {@link CommittedAhead} of `owner`'s claim (run id as `commit-2.lua` and `claim-due-3.lua` make it). */
function committedAhead(definition: ScheduleDefinition, entry: AheadEntry, owner: string): CommittedAhead {
  return { definition, scheduledAt: entry.scheduledAt, nextRunAt: entry.nextRunAt, run: { runId: `${entry.scheduledAt}@${owner}`, slotted: true } };
}

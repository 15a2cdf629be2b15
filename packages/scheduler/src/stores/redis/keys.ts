/**
 * Every Redis key and channel the {@link RedisStore} uses, built in this one place.
 *
 * @remarks
 * All names start with one hash tag, `{<prefix>}`, so they hash to one Redis Cluster slot and each
 * Lua script (which may touch per-schedule keys it builds from the `...Prefix` strings below,
 * passed to it as ARGV) runs on one node. Layout under tag `{p}`:
 *
 * | key                | type | content                                                        |
 * |--------------------|------|----------------------------------------------------------------|
 * | `{p}:all`          | zset | every schedule id, scored by creation sequence (list order)    |
 * | `{p}:seq`          | str  | creation sequence counter                                      |
 * | `{p}:gen`          | str  | the namespace's generation: written with the first schedule, so its absence or a new value tells processes the data was lost |
 * | `{p}:due`          | zset | unpaused schedules with a next run, scored by when they can next be claimed (`max(nextRunAt, leaseUntil)`) |
 * | `{p}:s:<id>`       | hash | a schedule: definition JSON, state fields ({@link SCHEDULE_FIELDS}), `owner`, `ttype` (trigger type), `fired` (occurrence watermark), `ahead` (the plans of its next occurrences made ahead by the last commit, see `claim-due-3.lua`) |
 * | `{p}:h:<id>`       | list | run history, newest first, trimmed to the history limit        |
 * | `{p}:slots`        | zset | every run slot (member = slot key), scored by lease expiry     |
 * | `{p}:slot-data`    | hash | slot key -> slot JSON (`jobId`, `runId`, `scheduledAt`, `owner`, `leaseMs`, `suspect` once a reaper saw it expired) |
 * | `{p}:oc:<owner>`   | zset | the schedules `owner` holds claims on (member = id), scored by lease end; expires with the last lease |
 * | `{p}:oa:<owner>`   | str  | the schedules `owner`'s last claim call committed ahead, under the call's sequence number (`<seq>|<entries>`), for a take-back after a lost answer; expires with the lease |
 * | `{p}:js:<jobId>`   | zset | a job's counted run slots (member = runId), scored by lease expiry; an in-flight slot a commit could not count (max runs in progress) is only in the two keys above |
 * | `{p}:changes`      | chan | pub/sub channel of change hints                                |
 * | `{p}:ids`          | zset | every schedule id at score 0: the id-ordered index of `listPage` (rebuilt from `{p}:all` when their sizes differ) |
 * | `{p}:rq`           | zset | pending run requests (member = request id), scored by request order (`{p}:rq-seq`, a counter string) |
 * | `{p}:r:<requestId>`| hash | a run request: `job`, `args`, `by`, `at`, `exp`, `status`, `owner`, `taken`, `record`; expires an hour after it settles |
 * | `{p}:procs`        | zset | live processes (member = owner id), scored by when their presence lapses |
 * | `{p}:proc-info`    | hash | owner id -> what the process announced (JSON)                  |
 */
import { Buffer } from 'node:buffer';
import { RedisOptionsInvalidError } from '../../errors.js';

/**
 * Field names of a schedule hash, in the order scripts return them (see `decodeSchedule`).
 *
 * @remarks `def` is the definition JSON; `next`/`lease` are epoch ms (`''` = none); `cowner` is the
 * current claim owner (`''` = unclaimed).
 */
export const SCHEDULE_FIELDS = [
  'def', 'hash', 'next', 'paused', 'runs', 'anchor', 'created', 'updated', 'last', 'token', 'cowner', 'lease',
] as const;

/** The keys of one store namespace; see the module doc for the layout. */
export interface RedisKeys {
  /** The user's prefix, e.g. `xcore`. */
  readonly prefix: string;
  /** `{<prefix>}`: the hash tag every key starts with. */
  readonly tag: string;
  readonly all: string;
  readonly seq: string;
  readonly gen: string;
  readonly due: string;
  readonly slots: string;
  readonly slotData: string;
  readonly channel: string;
  /** The id-ordered index of every schedule (`listPage`). */
  readonly ids: string;
  /** Pending run requests. */
  readonly runRequests: string;
  /** Prefix of run request hashes; a script appends the request id. */
  readonly runRequestPrefix: string;
  /** Live processes by presence expiry. */
  readonly processes: string;
  /** What each live process announced. */
  readonly processInfo: string;
  /** Prefix of schedule hashes; a script appends the id. */
  readonly schedulePrefix: string;
  /** Prefix of history lists; a script appends the id. */
  readonly historyPrefix: string;
  /** Prefix of per-job slot sets; a script appends the job id. */
  readonly jobSlotsPrefix: string;
  schedule(id: string): string;
  history(id: string): string;
  jobSlots(jobId: string): string;
  /** The set of schedules `owner` holds claims on (`{p}:oc:<owner>`). */
  ownerClaims(owner: string): string;
  /** What `owner`'s last claim call committed ahead (`{p}:oa:<owner>`). */
  ownerAhead(owner: string): string;
  /**
   * The member naming one run slot in {@link RedisKeys.slots} and {@link RedisKeys.slotData}:
   * `<byte length of jobId>:<jobId><runId>` (unambiguous; `slot_member` in `_prelude.lua` builds the same).
   */
  slotMember(jobId: string, runId: string): string;
}

/**
 * The Redis type the store keeps at `key` (`hash`, `list`, `zset` or `string`), from the layout
 * in the module doc.
 */
export function expectedType(keys: RedisKeys, key: string): 'hash' | 'list' | 'zset' | 'string' {
  if (key.startsWith(keys.schedulePrefix) || key === keys.slotData || key.startsWith(keys.runRequestPrefix) || key === keys.processInfo) return 'hash';
  if (key.startsWith(keys.historyPrefix)) return 'list';
  if (key === keys.seq || key === keys.gen || key === `${keys.runRequests}-seq` || key.startsWith(`${keys.tag}:oa:`)) return 'string';
  return 'zset';
}

/**
 * True when `prefix` can name a namespace: non-empty, without `{`, `}` or whitespace (it becomes
 * the Redis Cluster hash tag `{prefix}`). The config schema and {@link redisKeys} both use it.
 */
export function isValidPrefix(prefix: string): boolean {
  return prefix.length > 0 && !/[{}\s]/.test(prefix);
}

/**
 * Builds the keys of namespace `prefix`.
 *
 * @throws {@link RedisOptionsInvalidError} when `prefix` is empty or holds `{`, `}` or whitespace
 * (a brace would change the hash tag and split the namespace across Cluster slots).
 *
 * @example
 * ```ts
 * redisKeys('xcore').schedule('billing:invoice'); // '{xcore}:s:billing:invoice'
 * ```
 */
export function redisKeys(prefix: string): RedisKeys {
  if (!isValidPrefix(prefix)) {
    throw new RedisOptionsInvalidError(
      `RedisStore option "prefix" is ${JSON.stringify(prefix)}: it must be non-empty and hold no "{", "}" or whitespace, ` +
        'because it becomes the Redis Cluster hash tag "{prefix}". Use e.g. "xcore" or "myapp-prod".',
    );
  }
  const tag = `{${prefix}}`;
  const schedulePrefix = `${tag}:s:`;
  const historyPrefix = `${tag}:h:`;
  const jobSlotsPrefix = `${tag}:js:`;
  return {
    prefix,
    tag,
    all: `${tag}:all`,
    seq: `${tag}:seq`,
    gen: `${tag}:gen`,
    due: `${tag}:due`,
    slots: `${tag}:slots`,
    slotData: `${tag}:slot-data`,
    channel: `${tag}:changes`,
    ids: `${tag}:ids`,
    runRequests: `${tag}:rq`,
    runRequestPrefix: `${tag}:r:`,
    processes: `${tag}:procs`,
    processInfo: `${tag}:proc-info`,
    schedulePrefix,
    historyPrefix,
    jobSlotsPrefix,
    schedule: (id) => schedulePrefix + id,
    history: (id) => historyPrefix + id,
    jobSlots: (jobId) => jobSlotsPrefix + jobId,
    ownerClaims: (owner) => `${tag}:oc:${owner}`,
    ownerAhead: (owner) => `${tag}:oa:${owner}`,
    slotMember: (jobId, runId) => `${Buffer.byteLength(jobId)}:${jobId}${runId}`,
  };
}

/**
 * `@xcore/scheduler`: the `scheduler` service: interval, cron and date jobs with misfire,
 * coalesce, overlap, timeout and retry policies, on a memory or Redis store.
 *
 * @packageDocumentation
 */
export type { TriggerSpec, IntervalTriggerSpec, CronTriggerSpec, DateTriggerSpec, TriggerBounds, TriggerState } from './triggers/trigger.js';
export type {
  Store, StoredSchedule, ScheduleDefinition, ScheduleState, SchedulePolicy, CoalesceMode, RunRecord, RunStatus,
  UpsertInput, UpsertResult, Claim, CommitItem, CommitResult, RunSlot, StoreChange,
} from './stores/store.js';
export { MemoryStore } from './stores/memory-store.js';
export type { MemoryStoreOptions, MemoryStoreLogger } from './stores/memory-store.js';
export { scheduleHash } from './stores/schedule-hash.js';
export { canonicalJson } from './stores/canonical-json.js';
export { RedisStore } from './stores/redis/redis-store.js';
export type { RedisStoreOptions, RedisStoreLogger } from './stores/redis/redis-store.js';
export { redisKeys } from './stores/redis/keys.js';
export type { RedisKeys } from './stores/redis/keys.js';
export { RedisOptionsInvalidError, RedisUnavailableError, RedisCommandError, RedisScriptError } from './errors.js';
export { SCHEDULER_ERROR_CODES, StoreClosedError, StoreInputError, ScheduleNotSerializableError } from './errors.js';

/**
 * `@xcore/scheduler`: the `scheduler` service: interval, cron and date jobs with misfire,
 * coalesce, overlap, timeout and retry policies, on a memory or Redis store; and the run-log sink
 * contract (`RunLogSink`, `toRunLogRecord`, `MemoryRunLog`) that durable run logs such as
 * `@xcore/runlog-postgres` implement.
 *
 * @packageDocumentation
 */
export type { TriggerSpec, IntervalTriggerSpec, CronTriggerSpec, DateTriggerSpec, TriggerBounds, TriggerState } from './triggers/trigger.js';
// Pure trigger math and policy (triggers/, policy/)
export { nextFireTime } from './triggers/next-fire-time.js';
export { cronNextAfter } from './triggers/cron-schedule.js';
export { validateCronExpression, validateTimezone, validateTrigger } from './triggers/validate.js';
export { describeTrigger, formatDuration } from './triggers/describe-trigger.js';
export { applyJitter } from './triggers/jitter.js';
export { retryDelay } from './triggers/retry-delay.js';
export type { RetryDelayOptions, RetryJitter } from './triggers/retry-delay.js';
export { planOccurrences } from './policy/plan.js';
export type { Plan, PlanInput } from './policy/plan.js';
export { CronInvalidError, TimezoneInvalidError, TriggerInvalidError } from './errors.js';
export type {
  Store, StoredSchedule, ScheduleDefinition, ScheduleState, SchedulePolicy, CoalesceMode, RunRecord, RunStatus,
  UpsertInput, UpsertResult, RestoreInput, RestoreResult, Claim, ClaimBatch, CommitItem, CommitResult, CommitSlots, CommittedRun, FinishedRun, FinishRunsOptions, RunSlot, StoreChange,
} from './stores/store.js';
export { MemoryStore } from './stores/memory-store.js';
export type { MemoryStoreOptions, MemoryStoreLogger } from './stores/memory-store.js';
export { scheduleHash } from './stores/schedule-hash.js';
export { canonicalJson } from './stores/canonical-json.js';
export { RedisStore } from './stores/redis/redis-store.js';
export type { RedisStoreOptions, RedisStoreLogger } from './stores/redis/redis-store-options.js';
export type { RedisClient } from './stores/redis/scripts.js';
export { redisKeys } from './stores/redis/keys.js';
export type { RedisKeys } from './stores/redis/keys.js';
export { RedisOptionsInvalidError, RedisUnavailableError, RedisCommandError, RedisKeyTypeError, RedisScriptError } from './errors.js';
export { SCHEDULER_ERROR_CODES, StoreClosedError, StoreInputError, ScheduleNotSerializableError } from './errors.js';
// The scheduler service (service/, runner/, executors/, decorators/, config/, events/)
export { schedulerService, createScheduler, CONFIG_OWNER } from './service/scheduler-definition.js';
export { Scheduler } from './service/scheduler.js';
export type { SchedulerOptions } from './service/scheduler.js';
export type { SchedulerScope } from './service/scheduler-scope.js';
export { PluginScheduler } from './service/plugin-scheduler.js';
export type {
  SchedulerService, JobContext, JobFunction, JobInfo, LastRunInfo, JobChanges, HelperOptions, JobFailure, SchedulerHealth,
} from './service/scheduler-service.js';
export { BUILTIN_DEFAULTS } from './service/job-options.js';
export type {
  AddJobOptions, JobPolicyOptions, TriggerInput, IntervalSpec, BoundsInput, DurationInput, DateInput, ResolvedDefaults,
} from './service/job-options.js';
export { Interval, Cron, scheduledMethods } from './decorators/decorators.js';
export type { DecoratorOptions, ScheduledMethod } from './decorators/decorators.js';
export { schedulerConfigSchema, jobConfigSchema, jobPolicySchema, triggerConfigSchema } from './config/scheduler-config.js';
export type { SchedulerConfig, JobConfig, JobPolicyConfig } from './config/scheduler-config.js';
export { resolveFunc, resolveYamlJobs } from './config/yaml-jobs.js';
export type { ResolvedYamlJob, YamlJobSource } from './config/yaml-jobs.js';
export type { SchedulerEvents, SchedulerEventName, SchedulerListener, JobEventBase, JobStartedEvent, JobRunEvent } from './events/scheduler-events.js';
export { InlineExecutor } from './executors/inline-executor.js';
export type { ExecutionOutcome, ExecutionRequest, ExecutionStatus, InlineExecutorOptions } from './executors/inline-executor.js';
export { Runner } from './runner/runner.js';
// Defined once in core (with `setLongTimeout`); kept here for code that imported it from the scheduler.
export { MAX_TIMER_MS } from '@xcore/core';
export type { RunnerOptions } from './runner/runner.js';
// The run-log sink contract (runlog/): records, sinks, the reference memory sink, batching, config
export type { RunLogRecord, RunLogOutcome, RunLogResultOmitted, JsonValue } from './runlog/run-log-record.js';
export {
  RUN_LOG_OUTCOMES, RUN_LOG_RESULT_MAX_BYTES, RUN_LOG_ERROR_MESSAGE_MAX, RUN_LOG_ERROR_STACK_MAX, RUN_LOG_ID_MAX,
} from './runlog/run-log-record.js';
export { toRunLogRecord, newRunLogId } from './runlog/to-run-log-record.js';
export type { RunLogInput } from './runlog/to-run-log-record.js';
export { validateRunLogRecord } from './runlog/validate-run-log-record.js';
export type {
  RunLogSink, RunLogFilter, RunLogPage, RunLogStats, RunLogFlushOptions, RunLogLogger, RunLogTimeField,
} from './runlog/run-log-sink.js';
export {
  parseRunLogFilter, encodeRunLogCursor, decodeRunLogCursor, runLogMatches, compareNewestFirst, RUN_LOG_DEFAULT_LIMIT, RUN_LOG_MAX_LIMIT,
} from './runlog/run-log-query.js';
export type { RunLogQuery, RunLogCursor } from './runlog/run-log-query.js';
export { MemoryRunLog } from './runlog/memory-run-log.js';
export type { MemoryRunLogOptions } from './runlog/memory-run-log.js';
export { RunLogBatcher } from './runlog/run-log-batcher.js';
export type { RunLogBatcherOptions } from './runlog/run-log-batcher.js';
export { runLogConfigSchema, SQL_IDENTIFIER } from './runlog/run-log-config.js';
export type { RunLogConfig } from './runlog/run-log-config.js';
export { loadRunLogSink, RUN_LOG_BACKEND_PACKAGES } from './runlog/load-run-log-sink.js';
export type { LoadRunLogSinkOptions, RunLogBackendModule, RunLogBackendOptions } from './runlog/load-run-log-sink.js';
export {
  RUN_LOG_ERROR_CODES, RunLogRecordInvalidError, RunLogQueryInvalidError, RunLogClosedError, RunLogOptionsInvalidError,
  RunLogBackendMissingError, RunLogBackendInvalidError,
} from './runlog/run-log-errors.js';
export {
  JobConflictError, JobNotFoundError, JobInvalidError, JobFuncInvalidError, JobTimeoutError, JobAbortedError,
  SchedulerPluginStoppedError, SchedulerStoppedError, SchedulerBackendUnavailableError, SchedulerOptionsInvalidError,
} from './errors.js';

/**
 * `@xcore/scheduler`: the `scheduler` service: interval, cron and date jobs with misfire,
 * coalesce, overlap, timeout and retry policies, on a memory or Redis store; and the run-log sink
 * contract (`RunLogSink`, `toRunLogRecord`, `MemoryRunLog`) that durable run logs such as
 * `@xcore/runlog-postgres` implement.
 *
 * @remarks
 * The surface is what users and other backends need: the service and its contract, job options,
 * decorators, the config schemas, events, the operator view, the Store contract with the two
 * stores, a few pure trigger helpers, and the coded errors. The runner, executor, registry and
 * trigger math behind them are internal.
 *
 * @packageDocumentation
 */
// The service (service/, decorators/, config/, events/)
export { schedulerService, createScheduler } from './service/scheduler-definition.js';
export { yamlJobModuleFile } from './config/yaml-jobs.js';
export { Scheduler } from './service/scheduler.js';
export type { SchedulerOptions, DrainReport } from './service/scheduler.js';
export type {
  SchedulerService, JobContext, JobFunction, JobInfo, LastRunInfo, JobChanges, HelperOptions, JobFailure, SchedulerHealth,
} from './service/scheduler-service.js';
export type {
  AddJobOptions, JobPolicyOptions, TriggerInput, IntervalSpec, BoundsInput, DurationInput, DateInput,
} from './service/job-options.js';
export { Interval, Cron } from './decorators/decorators.js';
export type { DecoratorOptions } from './decorators/decorators.js';
export { schedulerConfigSchema, jobConfigSchema, jobPolicySchema, triggerConfigSchema } from './config/scheduler-config.js';
export type { SchedulerConfig, JobConfig, JobPolicyConfig } from './config/scheduler-config.js';
export type { SchedulerEvents, SchedulerEventName, SchedulerListener, JobEventBase, JobStartedEvent, JobRunEvent, JobMissedEvent } from './events/scheduler-events.js';
export type { RunLineLevel } from './events/run-lines.js';
// The operator view (service/operator-*.ts): every job of every owner, for the admin API, the CLI, a dashboard
export { schedulerOperatorView, schedulerMetrics } from './service/operator-access.js';
// Overdue occurrences and stuck runs (watch/): Scheduler.watch
export { OverdueWatch, OVERDUE_DEFAULTS } from './watch/overdue-watch.js';
export type { OverdueWatchConfig, OverdueJob, StuckRun } from './watch/overdue-watch.js';
// Metrics and traces (metrics/): OpenTelemetry instruments, run spans, the Prometheus text of /metrics
export { SchedulerMetrics, SCHEDULER_METRICS, OTHER_JOB, INSTRUMENTATION_SCOPE } from './metrics/scheduler-metrics.js';
export type { SchedulerMetricsOptions, SchedulerMetricsSources } from './metrics/scheduler-metrics.js';
export { renderPrometheusText, PROMETHEUS_CONTENT_TYPE } from './metrics/prometheus-text.js';
export type { MetricFamily, CounterSample, HistogramSample } from './metrics/metric-registry.js';
export type {
  SchedulerOperatorView, SchedulerState, OperatorProcess, JobListQuery, JobState, JobPage, NextRuns, OperatorJob, OperatorJobDetail, OperatorRun, RunPage,
  RunNowOptions, RunRequestView, OperatorEvent, OperatorEventFilter, RunningScope, TriggerJson, LoggedRun, LoggedRunPage, RunQuery,
} from './service/operator-types.js';
// What the run path publishes (runner/run-observer.ts): Scheduler.observeRuns
export type { RunObserver, EndedRun, MissedOccurrences } from './runner/run-observer.js';
// The Store contract and the stores (stores/), for other backends
export type {
  Store, StoredSchedule, ScheduleDefinition, ScheduleState, SchedulePolicy, CoalesceMode, RunRecord, RunStatus,
  UpsertInput, UpsertResult, RestoreInput, RestoreResult, Claim, ClaimBatch, ClaimOptions, CommittedAhead, AheadPlan, CommitItem, CommitResult, CommitSlots, CommittedRun, FinishedRun, FinishRunsOptions, RunSlot, StoreChange,
} from './stores/store.js';
export type {
  ScheduleFilter, SchedulePage, PagedSchedule, ScheduleCounts, RunRequest, RunRequestInput, RunRequestState, RunRequestStatus, ProcessInfo, ProcessPresence,
} from './stores/store-operator.js';
export type { TriggerSpec, IntervalTriggerSpec, CronTriggerSpec, DateTriggerSpec, TriggerBounds, TriggerState } from './triggers/trigger.js';
export { MemoryStore } from './stores/memory-store.js';
export type { MemoryStoreOptions, MemoryStoreLogger } from './stores/memory-store.js';
export { RedisStore } from './stores/redis/redis-store.js';
export type { RedisStoreOptions, RedisStoreLogger } from './stores/redis/redis-store-options.js';
export type { RedisClient } from './stores/redis/scripts.js';
// Pure trigger helpers (triggers/): preview and check triggers
export { nextFireTime } from './triggers/next-fire-time.js';
export { upcomingRuns } from './triggers/upcoming-runs.js';
export type { UpcomingState } from './triggers/upcoming-runs.js';
export { validateCronExpression, validateTimezone } from './triggers/validate.js';
export { describeTrigger } from './triggers/describe-trigger.js';
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
export { RunLogBatcher, recordsOfBatch } from './runlog/run-log-batcher.js';
export type { RunLogBatcherOptions, RunLogBatchItem, RunLogInsertResult } from './runlog/run-log-batcher.js';
export { RunLogRing, RUN_LOG_RING_STRINGS_MAX } from './runlog/run-log-ring.js';
export type { RunLogRingShared, RunLogRingTexts } from './runlog/run-log-ring.js';
export { assembleRunLogRecord, captureRunLogInput } from './runlog/run-log-build.js';
export type { RunLogCapture } from './runlog/run-log-build.js';
export { runLogRecordProblem } from './runlog/run-log-check.js';
export type { RunLogRecordProblem } from './runlog/run-log-check.js';
export { runLogConfigSchema, SQL_IDENTIFIER } from './runlog/run-log-config.js';
export type { RunLogConfig } from './runlog/run-log-config.js';
export { loadRunLogSink, RUN_LOG_BACKEND_PACKAGES } from './runlog/load-run-log-sink.js';
export type { LoadRunLogSinkOptions, RunLogBackendModule, RunLogBackendOptions } from './runlog/load-run-log-sink.js';
export {
  RUN_LOG_ERROR_CODES, RunLogRecordInvalidError, RunLogQueryInvalidError, RunLogClosedError, RunLogOptionsInvalidError,
  RunLogBackendMissingError, RunLogBackendInvalidError,
} from './runlog/run-log-errors.js';
// Errors
export {
  SCHEDULER_ERROR_CODES,
  JobConflictError, JobNotFoundError, JobInvalidError, JobFuncInvalidError, JobTimeoutError, JobAbortedError,
  JobRemoveRefusedError, JobRunRefusedError, RunRequestNotFoundError, JobQueryInvalidError,
  SchedulerPluginStoppedError, SchedulerStoppedError, SchedulerBackendUnavailableError, SchedulerOptionsInvalidError,
  CronInvalidError, TimezoneInvalidError, TriggerInvalidError,
  StoreClosedError, StoreInputError, ScheduleNotSerializableError,
  RedisOptionsInvalidError, RedisUnavailableError, RedisCommandError, RedisKeyTypeError, RedisScriptError,
  JobExecutorInvalidError, JobCrashedError, JobOutOfMemoryError,
  ExecutorQueueFullError, ExecutorWorkerMissingError, ExecutorSpawnFailedError,
} from './errors.js';

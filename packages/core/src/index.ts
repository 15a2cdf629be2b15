/**
 * `@xcore/core`: the xcore kernel, plugin API, typed service container, config, logger,
 * coded errors and event bus.
 *
 * @packageDocumentation
 */
import type { Logger } from 'pino';
import type { XcoreConfig } from './config/types.js';
import type { EventBus } from './events/event-bus.js';
import type { HealthService } from './health/health-types.js';

export { XcoreError, isXcoreError, CORE_ERROR_CODES } from './errors.js';
export type { XcoreErrorOptions } from './errors.js';
export type { ServiceName, ServiceDefinition, ServiceCheckContext, ServiceCheckResult, ServiceCreateContext, ServiceLifecycleContext, ServiceStopResult, PluginAwareService } from './services/service.js';
export type { PluginContext, PluginDefinition } from './plugins/plugin.js';
export type { EventName, EventBus } from './events/event-bus.js';
export { createKernel } from './kernel/create-kernel.js';
export { checkApp, appCheckError } from './check/check-app.js';
export type { AppCheck, CheckAppOptions } from './check/check-app.js';
export type { AppProblem, AppProblemEffect } from './check/app-problem.js';
export type { PluginCheck, ImportedPlugin } from './check/check-plugins.js';
export type { AppProblemLike } from './errors.js';
export type { Kernel, CreateKernelOptions, PluginState, PluginStatus, StopReport } from './kernel/kernel-types.js';
export type { PluginOperatorView } from './kernel/plugin-operator-view.js';
export type { HealthService, HealthCheck, HealthCheckOutcome, HealthCheckResult, HealthCheckStatus, HealthLevel, HealthReport, HealthStatus, HealthVerdict } from './health/health-types.js';
export { createHealthService } from './health/host-health.js';
export { pluginStatusJson, pluginSummary } from './kernel/kernel-health.js';
export type { PluginStatusJson, PluginSummary } from './kernel/kernel-health.js';
export { defineService } from './services/define-service.js';
export { createContainer } from './services/container.js';
export type { ServiceContainer } from './services/container.js';
export { definePlugin, assertPluginDefinition } from './plugins/define-plugin.js';
export { readPluginManifest } from './plugins/manifest.js';
export type { PluginManifest } from './plugins/manifest.js';
export { discoverPlugins } from './plugins/discover-plugins.js';
export { dependencyOrder, dependentsOf } from './plugins/dependency-order.js';
export type { DependencyNode, DependencyPlan } from './plugins/dependency-order.js';
export { createEventBus } from './events/create-event-bus.js';
export { createLogger } from './logger/create-logger.js';
export { renderError, serializeError, chainMessage, userFrame, debugFromEnv, wantsErrorStacks } from './reporting/render-error.js';
export type { RenderErrorOptions, SerializedError } from './reporting/render-error.js';
export type { CreateLoggerOptions } from './logger/create-logger.js';
/** The pino logger type every xcore logger has (the root logger, plugin and job child loggers). */
export type { Logger } from 'pino';
export { setLongTimeout, MAX_TIMER_MS } from './kernel/long-timeout.js';
export type { LongTimeout } from './kernel/long-timeout.js';
export { abortable } from './kernel/abortable.js';
export { createTsModuleScope } from './plugins/ts-module-scope.js';
export type { TsModuleScope } from './plugins/ts-module-scope.js';
export { trackCodeOrigins, codeOriginsTracked, runWithOrigin, bindOrigin, currentOrigin } from './kernel/code-origin.js';
export type { CodeOrigin } from './kernel/code-origin.js';
export {
  AppInvalidError,
  ServiceUnknownError,
  ServiceDuplicateError,
  ServiceInvalidError,
  ServiceFailedError,
  PluginManifestInvalidError,
  PluginDuplicateError,
  PluginNotFoundError,
  PluginConfigOrphanError,
  PluginDefinitionInvalidError,
  PluginImportFailedError,
  PluginDependencyMissingError,
  PluginDependencyVersionError,
  PluginDependencyCycleError,
  PluginDependencyFailedError,
  PluginHookTimeoutError,
  PluginHookFailedError,
  PluginStartFailedError,
  PluginUnknownError,
  PluginActionUnknownError,
  PluginNotStartedError,
  PluginCallTimeoutError,
  PluginContextClosedError,
  KernelStateError,
  HealthCheckInvalidError,
  BootAbortedError,
  PluginReloadRefusedError,
  PluginReloadFailedError,
  SandboxSymlinkError,
  SandboxNotGrantedError,
  SandboxCallInvalidError,
  SandboxStartFailedError,
  SandboxCrashedError,
  SandboxCrashLoopError,
  SandboxConfigInvalidError,
} from './errors.js';
export type { SandboxStatus } from './sandbox/sandboxed-plugin.js';
export { guardChild, guardianPid, residentBytes } from './sandbox/child-guardian.js';
export type { XcoreConfig, LoadedConfig, LogLevel, SourcePosition, SandboxConfig, HealthConfig } from './config/types.js';
export { duration, durationMs, parseDuration, durationText, durationExpected } from './config/duration.js';
export { editDistance } from './config/edit-distance.js';
export type { DurationBounds } from './config/duration.js';
export { ConfigInvalidError, ConfigNotFoundError } from './errors.js';
export type { ConfigIssue, ConfigIssueKind, ConfigPathSegment } from './config/types.js';
export { loadConfig, parseConfigText } from './config/load-config.js';
export { readYaml } from './config/read-yaml.js';
export type { YamlReadResult } from './config/read-yaml.js';
export type { SourceIndex } from './config/source-index.js';
export type { LoadConfigOptions, ParseConfigOptions } from './config/load-config.js';
export { validateSection } from './config/validate-section.js';
export { positionIssues, makeIssue } from './config/position-issues.js';
export type { ConfigLocator, ZodIssue } from './config/position-issues.js';
export { configJsonSchema } from './config/json-schema.js';
export { configSchema, appConfigSchema, loggingConfigSchema, pluginsConfigSchema, sandboxConfigSchema, healthConfigSchema, READINESS_ESCALATIONS, LOG_LEVELS } from './config/schema.js';
export type { ConfigSchemaOptions, ServiceConfigSource } from './config/schema.js';
export { formatConfigPath } from './config/config-path.js';
export type { ConfigEnv } from './config/interpolate.js';

// The two registries below are declared here, not re-exported: TypeScript merges a
// `declare module '@xcore/core'` augmentation only into interfaces declared in this module, so a
// re-exported interface would silently ignore what service packages and plugins add.

/**
 * The registry of services by name, extended by service packages through declaration merging.
 *
 * @remarks
 * A service package adds itself with
 * `declare module '@xcore/core' { interface XcoreServices { scheduler: SchedulerService } }`,
 * which makes `ctx.getService('scheduler')` return `SchedulerService` with no cast.
 */
export interface XcoreServices {
  /** The validated, frozen `xcore.yaml` (core service, always registered). */
  config: XcoreConfig;
  /** The application's root pino logger (core service, always registered). */
  logger: Logger;
  /** The application's event bus (core service, always registered). */
  events: EventBus;
  /** The host's health checks, served as `/livez`, `/readyz` and `/health` (core service, always registered). */
  health: HealthService;
}

/**
 * The map of event names to payload types, extended by declaration merging.
 *
 * @remarks
 * `declare module '@xcore/core' { interface XcoreEvents { 'orders.created': { id: string } } }`
 * makes `ctx.events.emit('orders.created', { id })` and `on('orders.created', ...)` typed.
 */
export interface XcoreEvents {
  /** A plugin has started. */
  'plugin.started': { plugin: string; durationMs: number };
  /** A plugin has stopped. */
  'plugin.stopped': { plugin: string };
  /** A plugin failed in a hook and was isolated (`hook: 'sandbox'`: its sandbox crashed too often). */
  'plugin.failed': { plugin: string; hook: string; error: unknown };
  /** A sandboxed plugin's process crashed; it is restarted after `restartInMs`. */
  'plugin.crashed': { plugin: string; error: unknown; restartInMs: number };
  /** A crashed sandboxed plugin runs again. */
  'plugin.restarted': { plugin: string; restarts: number };
}


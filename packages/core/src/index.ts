/**
 * `@xcore/core`: the xcore kernel, plugin API, typed service container, config, logger,
 * coded errors and event bus.
 *
 * @packageDocumentation
 */
export { XcoreError, isXcoreError, CORE_ERROR_CODES } from './errors.js';
export type { XcoreErrorOptions } from './errors.js';
export type { XcoreServices, ServiceName, ServiceDefinition, ServiceCreateContext, ServiceLifecycleContext, PluginAwareService } from './services/service.js';
export type { PluginContext, PluginDefinition } from './plugins/plugin.js';
export type { XcoreEvents, EventName, EventBus } from './events/event-bus.js';
export type { XcoreConfig, LoadedConfig, LogLevel, SourcePosition } from './config/types.js';
export { duration, parseDuration } from './config/duration.js';
export { ConfigInvalidError, ConfigNotFoundError } from './errors.js';
export type { ConfigIssue, ConfigIssueKind, ConfigPathSegment } from './config/types.js';
export { loadConfig, parseConfigText } from './config/load-config.js';
export type { LoadConfigOptions, ParseConfigOptions } from './config/load-config.js';
export { validateSection } from './config/validate-section.js';
export { positionIssues, makeIssue } from './config/position-issues.js';
export type { ConfigLocator, ZodIssue } from './config/position-issues.js';
export { configJsonSchema } from './config/json-schema.js';
export { configSchema, appConfigSchema, loggingConfigSchema, pluginsConfigSchema, LOG_LEVELS } from './config/schema.js';
export type { ConfigSchemaOptions } from './config/schema.js';
export { formatConfigPath } from './config/config-path.js';
export type { ConfigEnv } from './config/interpolate.js';

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

import type { z } from 'zod';
import type { ServiceDefinition, ServiceName } from './service.js';

/**
 * Declares a service package: its name, config schema and lifecycle.
 *
 * @remarks
 * An identity helper: it returns `def` unchanged and exists so TypeScript infers the config type
 * of `create(ctx)` from `configSchema` and checks the instance against `XcoreServices[name]`.
 * The kernel validates `services.<name>` with `configSchema` before calling `create`.
 *
 * @example
 * ```ts
 * declare module '@xcore/core' { interface XcoreServices { clock: { now(): number } } }
 * export const clockService = defineService({
 *   name: 'clock',
 *   configSchema: z.strictObject({ offsetMs: z.number().default(0) }).default({ offsetMs: 0 }),
 *   create: ({ config }) => ({ now: () => Date.now() + config.offsetMs }),
 * });
 * ```
 */
export function defineService<K extends ServiceName, TSchema extends z.ZodType>(
  def: ServiceDefinition<K, TSchema>,
): ServiceDefinition<K, TSchema> {
  return def;
}

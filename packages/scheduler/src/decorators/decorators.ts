/**
 * Standard (TC39) method decorators `@Interval` and `@Cron` for class-based plugins.
 *
 * @remarks
 * Standard decorators, not TypeScript's legacy `experimentalDecorators`. Node 20 has no
 * `Symbol.metadata`, so the decorators do not rely on `context.metadata`: each decorated method
 * adds an initializer (`context.addInitializer`) that records the method on the instance in a
 * process-wide `WeakMap` when the class is constructed. `scheduler.register(instance)` reads
 * that record and registers one job per method, bound to the instance. Nothing is scheduled by
 * decorating alone.
 *
 * @example
 * ```ts
 * class Reports {
 *   @Interval('5m', { timeout: '30s' })
 *   async refresh({ signal }: JobContext) { ... }
 *
 *   @Cron('0 9 * * 1-5', { id: 'weekday-digest', timezone: 'Europe/Berlin' })
 *   async digest() { ... }
 * }
 * // in onStart:
 * await ctx.getService('scheduler').register(new Reports());
 * ```
 */
import type { DurationInput, IntervalSpec } from '../service/job-options.js';
import type { HelperOptions, JobContext } from '../service/scheduler-service.js';
import { JobInvalidError } from '../errors.js';

/** Decorator options: like the helpers', with `id` defaulting to the method name. */
export type DecoratorOptions = Partial<HelperOptions>;

/** A method recorded by a decorator. */
export interface ScheduledMethod {
  readonly kind: 'interval' | 'cron';
  /** The interval period or the cron expression. */
  readonly spec: DurationInput | IntervalSpec;
  /** The method name (the default job id). */
  readonly name: string;
  readonly options: DecoratorOptions;
  readonly method: (this: unknown, ctx: JobContext) => unknown;
}

type JobMethod = (this: unknown, ctx: JobContext) => unknown;

/**
 * Decorated methods by instance, shared through `globalThis` on purpose: a plugin loaded through
 * tsx gets its own copy of this module, so a module-level map would leave the scheduler's copy
 * blind to the plugin's decorations.
 */
const REGISTRY_KEY = Symbol.for('xcore.scheduler.scheduledMethods');
const registry: WeakMap<object, ScheduledMethod[]> = ((globalThis as Record<symbol, unknown>)[REGISTRY_KEY] ??= new WeakMap()) as WeakMap<object, ScheduledMethod[]>;

function decorate(kind: 'interval' | 'cron', spec: DurationInput | IntervalSpec, options: DecoratorOptions) {
  return function <M extends JobMethod>(method: M, context: ClassMethodDecoratorContext<unknown, M>): void {
    if (context.kind !== 'method' || typeof context.name !== 'string') {
      throw new JobInvalidError(`@${kind === 'interval' ? 'Interval' : 'Cron'} decorates named methods only (got ${context.kind} ${String(context.name)}).`);
    }
    const entry: ScheduledMethod = { kind, spec, name: context.name, options, method };
    context.addInitializer(function (this: unknown) {
      const target = this as object;
      let list = registry.get(target);
      if (list === undefined) registry.set(target, (list = []));
      list.push(entry);
    });
  };
}

/**
 * Runs the decorated method every `spec` once the instance is registered.
 *
 * @param spec - a duration (`'30s'`, `5000`) or `{ minutes: 5 }`.
 * @param options - job id (default: the method name) and policy.
 */
export function Interval(spec: DurationInput | IntervalSpec, options: DecoratorOptions = {}) {
  return decorate('interval', spec, options);
}

/**
 * Runs the decorated method on a cron expression once the instance is registered.
 *
 * @param expression - 5 or 6 fields or a macro such as `@hourly`.
 * @param options - job id (default: the method name), `timezone` and policy.
 */
export function Cron(expression: string, options: DecoratorOptions = {}) {
  return decorate('cron', expression, options);
}

/** The methods of `instance` decorated with `@Interval` / `@Cron`, in declaration order. */
export function scheduledMethods(instance: object): readonly ScheduledMethod[] {
  return registry.get(instance) ?? [];
}

import type { z } from 'zod';
import { PluginDefinitionInvalidError } from '../errors.js';
import type { PluginDefinition } from './plugin.js';

const HOOKS = ['onLoad', 'onStart', 'onStop', 'handle'] as const;
const KEYS: ReadonlySet<string> = new Set<string>([...HOOKS, 'configSchema', 'actions', 'optionalServices']);

/**
 * Checks that `value` has the shape of a {@link PluginDefinition} and returns it typed.
 *
 * @remarks
 * Structural on purpose: a plugin imports `@xcore/core` from its own copy (the built `dist`), so
 * the kernel cannot rely on `instanceof` or on module identity. Unknown keys are errors (a typo
 * such as `onstart` would otherwise be a hook that silently never runs).
 *
 * @param where - What is being checked, quoted in the error (a file or plugin name).
 * @throws `XCORE_ERR_PLUGIN_DEFINITION_INVALID` naming the bad key.
 */
export function assertPluginDefinition(value: unknown, where: string): PluginDefinition {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new PluginDefinitionInvalidError(where, `expected an object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!KEYS.has(key)) {
      throw new PluginDefinitionInvalidError(where, `unknown key "${key}" (allowed: ${[...KEYS].join(', ')})`);
    }
  }
  for (const hook of HOOKS) {
    if (record[hook] !== undefined && typeof record[hook] !== 'function') {
      throw new PluginDefinitionInvalidError(where, `"${hook}" must be a function, got ${typeof record[hook]}`);
    }
  }
  const schema = record['configSchema'];
  if (schema !== undefined && (schema === null || typeof (schema as { safeParse?: unknown }).safeParse !== 'function')) {
    throw new PluginDefinitionInvalidError(where, '"configSchema" must be a zod schema');
  }
  const actions = record['actions'];
  if (actions !== undefined) {
    if (!Array.isArray(actions) || !actions.every((a) => typeof a === 'string')) {
      throw new PluginDefinitionInvalidError(where, '"actions" must be an array of strings');
    }
    if (record['handle'] === undefined) {
      throw new PluginDefinitionInvalidError(where, '"actions" is set but there is no "handle" to answer them');
    }
  }
  const optional = record['optionalServices'];
  if (optional !== undefined && (!Array.isArray(optional) || !optional.every((s) => typeof s === 'string' && s !== ''))) {
    throw new PluginDefinitionInvalidError(where, '"optionalServices" must be an array of service names (non-empty strings)');
  }
  return value as PluginDefinition;
}

/**
 * Defines a plugin: its hooks, optional config schema and the actions it answers.
 *
 * @remarks
 * Returns the definition after checking its shape (unknown hooks are errors). Export it as the
 * default export of the entry named in the plugin's `package.json` `"xcore"` field. The config
 * type of `ctx.config` is inferred from `configSchema`.
 *
 * @example
 * ```ts
 * export default definePlugin({
 *   configSchema: z.strictObject({ greeting: z.string().default('hello') }).default({ greeting: 'hello' }),
 *   async onStart(ctx) {
 *     ctx.logger.info({ greeting: ctx.config.greeting }, 'started');
 *   },
 *   actions: ['greet'],
 *   handle: (action, payload, ctx) => `${ctx.config.greeting} ${String(payload)}`,
 * });
 * ```
 */
export function definePlugin<TSchema extends z.ZodType = z.ZodType>(def: PluginDefinition<TSchema>): PluginDefinition<TSchema> {
  assertPluginDefinition(def, 'definePlugin');
  return def;
}

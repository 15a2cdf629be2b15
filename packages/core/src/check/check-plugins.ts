/**
 * The plugin half of `checkApp`: discover the plugin folders, pick the enabled ones, order them
 * by their dependencies, import each entry and validate its config section, collecting every
 * problem with its position instead of stopping at the first.
 */
import type { z } from 'zod';
import { deepFreeze } from '../config/deep-freeze.js';
import type { LoadedConfig } from '../config/types.js';
import { validateSection } from '../config/validate-section.js';
import { ConfigInvalidError } from '../errors.js';
import { abortable } from '../kernel/abortable.js';
import { dependencyOrder, type DependencyPlan } from '../plugins/dependency-order.js';
import { findEnabledPlugins } from '../plugins/enabled-plugins.js';
import { createLogger } from '../logger/create-logger.js';
import { createPluginImporter, type PluginImporter } from '../plugins/load-plugin-module.js';
import { prepareSandboxedPlugin } from '../sandbox/sandboxed-plugin.js';
import type { PluginManifest } from '../plugins/manifest.js';
import type { PluginDefinition } from '../plugins/plugin.js';
import { importFailurePosition, problemOf, problemsOf, textPosition, type AppProblem } from './app-problem.js';

/** One enabled plugin after its import: its definition and validated config, or why it failed. */
export type ImportedPlugin =
  | { readonly ok: true; readonly definition: PluginDefinition; readonly config: unknown }
  | { readonly ok: false; readonly error: Error };

/** What {@link checkPlugins} found. */
export interface PluginCheck {
  /** The enabled plugins that were found, in `plugins.enabled` order. */
  readonly manifests: readonly PluginManifest[];
  /** The plugin folders found that `plugins.enabled` does not name. */
  readonly notEnabled: readonly PluginManifest[];
  /** Their dependency order and the plugins disabled by a dependency problem. */
  readonly plan: DependencyPlan;
  /** Each plugin of `plan.order` that was imported (all of them unless a stop was requested). */
  readonly imported: ReadonlyMap<string, ImportedPlugin>;
  /** Every problem, in the order found. */
  readonly problems: readonly AppProblem[];
}

/** Options of {@link checkPlugins}. */
export interface CheckPluginsOptions {
  /** Aborts the imports (a stop requested during boot): the check rejects with its reason. */
  readonly signal?: AbortSignal;
  /** Called before each import with the step's name (the kernel's boot checkpoint). */
  readonly step?: (name: string) => void;
  /**
   * Loads a plugin's definition (the kernel's: in-process import, or a sandboxed plugin's
   * prepared process).
   * @defaultValue {@link loadForCheck}
   */
  readonly load?: (manifest: PluginManifest) => Promise<PluginDefinition>;
  /** Called once the enabled plugins are known and ordered, before any import (the kernel creates its records here). */
  readonly onPlan?: (manifests: readonly PluginManifest[], plan: DependencyPlan) => void;
}

/**
 * How `xcore validate` loads a plugin: imports its entry in this process, or for a sandboxed
 * plugin (its manifest says `"sandbox": true` or `plugins.sandboxed` lists it) checks its folder
 * and bundles its entry as boot does, then stops, so no plugin code runs outside its sandbox.
 */
export function loadForCheck(loaded: LoadedConfig, importer: PluginImporter = createPluginImporter()): (manifest: PluginManifest) => Promise<PluginDefinition> {
  return async (manifest) => {
    if (!manifest.sandbox && !loaded.config.plugins.sandboxed.includes(manifest.name)) return importer.load(manifest);
    const logger = createLogger({ level: 'silent', pretty: false });
    const sandbox = await prepareSandboxedPlugin({ manifest, config: loaded.config, logger, logLevel: 'silent', onCrash: () => undefined });
    await sandbox.terminate();
    return sandbox.definition;
  };
}

/**
 * Discovers, orders and imports the enabled plugins and validates their config sections.
 * A sandboxed plugin is prepared (folder checked, entry bundled) rather than imported here; its
 * config is validated inside its sandbox when it starts.
 *
 * @remarks
 * Problems that stop boot are `fatal`: a bad plugin folder, an enabled name with no plugin, a
 * config section for no enabled plugin, a config section its plugin's `configSchema` refuses
 * (one problem per issue, at its line). Problems that leave one plugin out are `plugin`: a
 * dependency that is missing, out of range or in a cycle (at the dependency in the plugin's
 * package.json), an entry that cannot be imported (at the line the error names in the plugin's
 * folder, else the entry) or that exports no valid definition. Dependents of a plugin that
 * failed to import are not reported again: boot skips them for that reason.
 */
export async function checkPlugins(loaded: LoadedConfig, options: CheckPluginsOptions = {}): Promise<PluginCheck> {
  const problems: AppProblem[] = [];
  const enabled = findEnabledPlugins(loaded);
  for (const p of enabled.problems) problems.push(problemOf(p.error, p.at, 'fatal'));
  const manifests = enabled.manifests;
  const plan = dependencyOrder(manifests);
  options.onPlan?.(manifests, plan);
  const byName = new Map(manifests.map((m) => [m.name, m]));
  for (const [name, error] of plan.disabled) {
    const manifest = byName.get(name)!;
    const dependency = dependencyNamed(error.message, manifest);
    const at = dependency === undefined ? `${manifest.file}:1:1` : textPosition(manifest.file, `"${dependency}"`, '"xcore"');
    problems.push(problemOf(error, at, 'plugin', name));
  }

  const load = options.load ?? loadForCheck(loaded);
  const imported = new Map<string, ImportedPlugin>();
  for (const name of plan.order) {
    const manifest = byName.get(name)!;
    options.step?.(`importing plugin "${name}"`);
    let definition: PluginDefinition;
    try {
      definition = await abortable(load(manifest), options.signal);
    } catch (error) {
      if (options.signal?.aborted === true && error === options.signal.reason) throw error;
      const failure = error instanceof Error ? error : new Error(String(error));
      imported.set(name, { ok: false, error: failure });
      problems.push(problemOf(failure, importFailurePosition(error, manifest.directory, `${manifest.entry}:1:1`), 'plugin', name));
      continue;
    }
    try {
      imported.set(name, { ok: true, definition, config: pluginConfig(loaded, name, definition) });
    } catch (error) {
      if (!(error instanceof ConfigInvalidError)) throw error;
      // Boot refuses an invalid section; the plugin counts as imported for what follows.
      imported.set(name, { ok: true, definition, config: undefined });
      problems.push(...problemsOf(error, loaded.file, 'fatal', name));
    }
  }
  return { manifests, notEnabled: enabled.notEnabled, plan, imported, problems };
}

/**
 * A plugin's config section as its `configSchema` validates it (deep-frozen); without a schema,
 * a frozen copy of what is written (`{}` when nothing is).
 *
 * @throws `XCORE_ERR_CONFIG_INVALID` with every issue, at its line.
 */
export function pluginConfig(loaded: LoadedConfig, name: string, definition: PluginDefinition): unknown {
  const raw = loaded.config.plugins.config[name];
  const schema = definition.configSchema as z.ZodType | undefined;
  if (schema === undefined) return deepFreeze(raw === undefined ? {} : structuredClone(raw));
  return validateSection(loaded, ['plugins', 'config', name], schema);
}

/** The dependency a dependency problem names, when it is one of the plugin's own. */
function dependencyNamed(message: string, manifest: PluginManifest): string | undefined {
  return Object.keys(manifest.dependencies).find((d) => message.includes(`"${d}"`));
}


/**
 * Which plugins an app runs: the manifests in `plugins.directory` that `plugins.enabled` names,
 * checked against the config file.
 */
import type { LoadedConfig } from '../config/types.js';
import { PluginConfigOrphanError, PluginNotFoundError, type XcoreError } from '../errors.js';
import { scanPlugins } from './discover-plugins.js';
import type { PluginManifest } from './manifest.js';

/** A problem with the enabled plugins, at `file:line:col`. */
export interface EnabledPluginProblem {
  readonly at: string;
  readonly error: XcoreError;
}

/**
 * The manifests of the enabled plugins, in `plugins.enabled` order (or as found for `'*'`).
 *
 * @throws the first problem {@link findEnabledPlugins} finds.
 */
export function enabledPlugins(loaded: LoadedConfig): PluginManifest[] {
  const { manifests, problems } = findEnabledPlugins(loaded);
  if (problems.length > 0) throw problems[0]!.error;
  return manifests;
}

/**
 * The manifests of the enabled plugins and every problem found on the way: plugin folders whose
 * manifest is invalid or whose name is taken (`XCORE_ERR_PLUGIN_MANIFEST_INVALID`,
 * `XCORE_ERR_PLUGIN_DUPLICATE`, at the manifest), enabled names with no plugin folder
 * (`XCORE_ERR_PLUGIN_NOT_FOUND`, at the name in `plugins.enabled`; also for a `plugins.sandboxed` name
 * no folder declares) and `plugins.config` sections for no enabled plugin
 * (`XCORE_ERR_PLUGIN_CONFIG_ORPHAN`, at the section); and the plugin folders `plugins.enabled`
 * does not name (`notEnabled`, not a problem).
 */
export function findEnabledPlugins(loaded: LoadedConfig): { manifests: PluginManifest[]; notEnabled: PluginManifest[]; problems: EnabledPluginProblem[] } {
  const { directory, enabled, config } = loaded.config.plugins;
  const scan = scanPlugins(directory);
  const problems: EnabledPluginProblem[] = scan.problems.map((p) => ({ at: `${p.file}:1:1`, error: p.error }));
  const byName = new Map(scan.manifests.map((m) => [m.name, m]));
  const manifests: PluginManifest[] = [];
  if (enabled === '*') manifests.push(...scan.manifests);
  else {
    enabled.forEach((name, i) => {
      const manifest = byName.get(name);
      const at = where(loaded, ['plugins', 'enabled', i]);
      if (manifest === undefined) problems.push({ at, error: new PluginNotFoundError(name, directory, [...byName.keys()], at) });
      else manifests.push(manifest);
    });
  }
  // A misspelt plugins.sandboxed name would run the plugin it meant unsandboxed: refuse it.
  loaded.config.plugins.sandboxed.forEach((name, i) => {
    if (byName.has(name)) return;
    const at = where(loaded, ['plugins', 'sandboxed', i]);
    problems.push({ at, error: new PluginNotFoundError(name, directory, [...byName.keys()], at, 'plugins.sandboxed') });
  });
  // A section for a plugin that is enabled but whose folder is missing is reported once, as not found.
  const names = new Set([...manifests.map((m) => m.name), ...(enabled === '*' ? [] : enabled)]);
  for (const name of Object.keys(config)) {
    if (names.has(name)) continue;
    const at = where(loaded, ['plugins', 'config', name]);
    problems.push({ at, error: new PluginConfigOrphanError(name, at, manifests.map((m) => m.name).sort()) });
  }
  const notEnabled = enabled === '*' ? [] : scan.manifests.filter((m) => !enabled.includes(m.name));
  return { manifests, notEnabled, problems };
}

/** `file:line:col` of a key path (the file alone when it is not written there). */
function where(loaded: LoadedConfig, path: readonly (string | number)[]): string {
  const at = loaded.locate(path);
  return at === undefined ? loaded.file : `${loaded.file}:${at.line}:${at.col}`;
}

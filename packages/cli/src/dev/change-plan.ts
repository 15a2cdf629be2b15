/**
 * What `xcore dev` does about a batch of changed files: reload some plugins, restart the whole
 * app, or nothing. Pure: paths in, a plan out.
 */
import { relative, sep } from 'node:path';

/** A plugin as the planner sees it. */
export interface DevPlugin {
  readonly name: string;
  /** Absolute path of its folder. */
  readonly folder: string;
  /** Absolute path of its manifest (`package.json`): the kernel's reload does not read it again. */
  readonly manifest: string;
  /** Enabled plugins that depend on it: a reload is refused while they run, so the app restarts. */
  readonly dependents: readonly string[];
  /** True when `plugins.enabled` runs it. */
  readonly enabled: boolean;
}

/** What the app is made of, for the planner. */
export interface DevApp {
  /** Absolute path of `xcore.yaml`. */
  readonly configFile: string;
  /** Absolute paths of the modules YAML jobs import. */
  readonly jobModules: readonly string[];
  readonly plugins: readonly DevPlugin[];
}

/** The plan for one batch of changes. */
export type ChangePlan =
  | { readonly kind: 'none' }
  | { readonly kind: 'reload'; readonly plugins: readonly string[]; readonly files: readonly string[] }
  | { readonly kind: 'restart'; readonly reason: string; readonly files: readonly string[] };

/** True when `path` is inside `folder`. */
function inside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep);
}

/**
 * Plans one batch of changed files (absolute paths).
 *
 * @remarks
 * A restart (stop, then start again in this process) for `xcore.yaml`, a YAML job's module, a
 * plugin's manifest, or a plugin other enabled plugins depend on; a reload of each other enabled
 * plugin whose files changed; nothing for files of plugins that are not enabled, under
 * `node_modules`, or anywhere else.
 */
export function planChanges(app: DevApp, changed: readonly string[]): ChangePlan {
  const files = [...new Set(changed)].filter((f) => !f.split(sep).includes('node_modules') && !f.split(sep).includes('.git'));
  const reload = new Set<string>();
  const seen: string[] = [];
  for (const file of files) {
    if (file === app.configFile) return { kind: 'restart', reason: 'the config file changed', files: [file] };
    if (app.jobModules.includes(file)) return { kind: 'restart', reason: 'a YAML job module changed', files: [file] };
    const plugin = app.plugins.find((p) => inside(file, p.folder));
    if (plugin === undefined || !plugin.enabled) continue;
    if (file === plugin.manifest) return { kind: 'restart', reason: `the manifest of plugin "${plugin.name}" changed`, files: [file] };
    if (plugin.dependents.length > 0) return { kind: 'restart', reason: `plugin "${plugin.name}" changed and ${plugin.dependents.join(', ')} depend on it`, files: [file] };
    reload.add(plugin.name);
    seen.push(file);
  }
  return reload.size === 0 ? { kind: 'none' } : { kind: 'reload', plugins: [...reload], files: seen };
}

/**
 * The kernel's plugin view for operators: every plugin with its state and error, and reload.
 * Services get it on their create context (`ctx.plugins`), so the admin API, the CLI and a
 * dashboard share one implementation.
 */
import { isXcoreError, PluginReloadFailedError, PluginReloadRefusedError, PluginUnknownError } from '../errors.js';
import type { PluginStatus } from './kernel-types.js';

/**
 * What an operator can see and do with the host's plugins.
 *
 * @remarks
 * Not plugin-scoped and not offered to plugins: services receive it on
 * `ServiceCreateContext.plugins` (the http service serves it as `/admin/v1/plugins`).
 */
export interface PluginOperatorView {
  /** Every enabled plugin with its state: startable ones in dependency order, then the others by name. */
  list(): PluginStatus[];
  /** One plugin's status, or `undefined` when no enabled plugin has that name. */
  get(name: string): PluginStatus | undefined;
  /**
   * Stops the plugin (if started), re-imports its entry so the new code runs, revalidates its
   * config and starts it again.
   *
   * @remarks
   * One reload of a plugin at a time: a second request while one runs is refused. The manifest
   * and the config file are not read again.
   *
   * @throws `XCORE_ERR_PLUGIN_UNKNOWN` when no enabled plugin has that name;
   * `XCORE_ERR_PLUGIN_RELOAD_REFUSED` when the kernel is not started, the plugin is skipped for a
   * dependency problem, it has started dependents, a dependency is not started, or a reload of it
   * is in progress (nothing changed then); `XCORE_ERR_PLUGIN_RELOAD_FAILED` when its new code
   * failed to import, load or start (it is `failed` then).
   */
  reload(name: string): Promise<PluginStatus>;
}

/** What the view reads and calls in the kernel. */
export interface PluginOperatorSource {
  statuses(): PluginStatus[];
  names(): string[];
  reload(name: string): Promise<PluginStatus>;
}

/** Builds the {@link PluginOperatorView} of a kernel. */
export function createPluginOperatorView(source: PluginOperatorSource): PluginOperatorView {
  const reloading = new Set<string>();
  return Object.freeze({
    list: () => source.statuses(),
    get: (name: string) => source.statuses().find((p) => p.name === name),
    async reload(name: string): Promise<PluginStatus> {
      if (!source.names().includes(name)) throw new PluginUnknownError(name, source.names());
      if (reloading.has(name)) throw new PluginReloadRefusedError(name, 'a reload of it is in progress; wait for it to finish');
      reloading.add(name);
      try {
        return await source.reload(name);
      } catch (error) {
        if (isXcoreError(error, 'XCORE_ERR_PLUGIN_RELOAD_REFUSED')) throw error;
        throw new PluginReloadFailedError(name, error);
      } finally {
        reloading.delete(name);
      }
    },
  });
}

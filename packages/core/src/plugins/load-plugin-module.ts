import { pathToFileURL } from 'node:url';
import { PluginImportFailedError } from '../errors.js';
import { assertPluginDefinition } from './define-plugin.js';
import type { PluginManifest } from './manifest.js';
import type { PluginDefinition } from './plugin.js';
import { createTsModuleScope } from './ts-module-scope.js';

/** Imports plugin entries within one module scope; see {@link createPluginImporter}. */
export interface PluginImporter {
  /**
   * Imports a plugin's entry and returns its checked definition.
   * @throws `XCORE_ERR_PLUGIN_IMPORT_FAILED` when the import throws,
   * `XCORE_ERR_PLUGIN_DEFINITION_INVALID` when the default export is not a plugin definition.
   */
  load(manifest: PluginManifest): Promise<PluginDefinition>;
}

/**
 * Creates a scope in which plugin entries are imported with tsx, so TypeScript loads without a
 * build step.
 *
 * @remarks
 * Each scope is a tsx loader namespace: modules imported in it (the entries, the files they
 * import, and their packages) are instances of their own, separate from other scopes. The kernel
 * imports every plugin at boot in one scope, so they share one copy of `@xcore/core`, zod and
 * the rest (importing a package graph costs about a second on a small machine, and only the
 * first plugin pays it), and each `reload` in a new scope, which is what makes the new code of
 * the entry and of the files it imports run. Keep plugins `"type": "module"`; a CommonJS entry's
 * `module.exports.default` is unwrapped too. The definition is checked structurally, never with
 * `instanceof` (a plugin's `@xcore/core` is another copy than the kernel's).
 * A scope's loader stays registered for the life of the process (a plugin may import lazily).
 */
export function createPluginImporter(): PluginImporter {
  const scope = createTsModuleScope();
  return {
    async load(manifest) {
      let namespace: Record<string, unknown>;
      try {
        namespace = await scope.import(pathToFileURL(manifest.entry).href, import.meta.url);
      } catch (cause) {
        throw new PluginImportFailedError(manifest.name, manifest.entry, cause);
      }
      let candidate = namespace['default'];
      if (isCommonJsWrapper(candidate)) candidate = candidate.default;
      if (candidate === undefined) return assertPluginDefinition(undefined, `${manifest.entry} has no default export`);
      return assertPluginDefinition(candidate, `plugin "${manifest.name}", ${manifest.entry}`);
    },
  };
}

function isCommonJsWrapper(value: unknown): value is { default: unknown } {
  if (value === null || typeof value !== 'object') return false;
  const keys = Object.keys(value).filter((key) => key !== '__esModule');
  return keys.length === 1 && keys[0] === 'default';
}

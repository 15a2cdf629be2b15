import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { PluginImportFailedError } from '../errors.js';
import { assertPluginDefinition } from './define-plugin.js';
import type { PluginManifest } from './manifest.js';
import type { PluginDefinition } from './plugin.js';

/**
 * Imports a plugin's entry and returns its checked definition.
 *
 * @remarks
 * Uses tsx's `tsImport`, so TypeScript entries load without a build step. Each call imports a
 * fresh module instance (tsx scopes every call to its own loader namespace), and for ES modules
 * (`"type": "module"` in the plugin's package.json, as the shipped plugins have) the files the
 * entry imports are fresh too: this is what makes `kernel.reload()` run new code.
 * The definition is the module's default export; a CommonJS entry's `module.exports.default`
 * is unwrapped as well. The shape is checked structurally, never with `instanceof`.
 *
 * @throws `XCORE_ERR_PLUGIN_IMPORT_FAILED` when the import throws,
 * `XCORE_ERR_PLUGIN_DEFINITION_INVALID` when the export is not a plugin definition.
 */
export async function loadPluginModule(manifest: PluginManifest): Promise<PluginDefinition> {
  let namespace: Record<string, unknown>;
  try {
    namespace = (await tsImport(pathToFileURL(manifest.entry).href, import.meta.url)) as Record<string, unknown>;
  } catch (cause) {
    throw new PluginImportFailedError(manifest.name, manifest.entry, cause);
  }
  let candidate = namespace['default'];
  if (isCommonJsWrapper(candidate)) candidate = candidate.default;
  if (candidate === undefined) {
    return assertPluginDefinition(undefined, `${manifest.entry} has no default export`);
  }
  return assertPluginDefinition(candidate, `plugin "${manifest.name}", ${manifest.entry}`);
}

function isCommonJsWrapper(value: unknown): value is { default: unknown } {
  if (value === null || typeof value !== 'object') return false;
  const keys = Object.keys(value).filter((key) => key !== '__esModule');
  return keys.length === 1 && keys[0] === 'default';
}

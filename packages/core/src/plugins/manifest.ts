import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import semver from 'semver';
import { z } from 'zod';
import { PluginManifestInvalidError } from '../errors.js';

/**
 * What the kernel knows about a plugin before importing it, read from its folder's `package.json`.
 *
 * @remarks
 * The manifest is the `"xcore"` field of the folder's `package.json`:
 * `{ "name": "heartbeat", "entry": "./src/index.ts", "dependencies": { "health": "^1.0.0" } }`.
 * The version is the package's `version`; the name defaults to the package name without scope.
 */
export interface PluginManifest {
  /** Plugin name: the key in `plugins.enabled`, `plugins.config` and `call()`. */
  readonly name: string;
  /** The package's semver version. */
  readonly version: string;
  /** Absolute path of the entry module (TypeScript or JavaScript). */
  readonly entry: string;
  /** Plugin name to semver range. */
  readonly dependencies: Readonly<Record<string, string>>;
  /** Absolute path of the plugin folder. */
  readonly directory: string;
  /** Absolute path of the `package.json` the manifest was read from. */
  readonly file: string;
  /**
   * `"sandbox": true` in the manifest: the plugin runs in its own process with Node's permission
   * model and reaches services through granted methods only (see the README, "Sandboxed plugins").
   */
  readonly sandbox: boolean;
}

const NAME = /^[a-z0-9][a-z0-9._-]*$/;
const DEFAULT_ENTRY = './src/index.ts';

const xcoreField = z.strictObject({
  name: z.string().regex(NAME, 'lowercase letters, digits, ".", "_" or "-", starting with a letter or digit').optional(),
  entry: z.string().min(1).optional(),
  dependencies: z.record(z.string(), z.string()).optional(),
  sandbox: z.boolean().optional(),
});

const packageJson = z.looseObject({
  name: z.string().optional(),
  version: z.string().optional(),
  xcore: z.unknown().optional(),
});

/**
 * Reads the plugin manifest of `directory`, or `undefined` when the folder is not a plugin.
 *
 * @remarks
 * A folder without `package.json`, or whose `package.json` has no `"xcore"` field, is not a
 * plugin. Everything else is checked: JSON syntax, the field's keys (unknown keys are errors),
 * the name, a semver `version`, a valid range per dependency and an existing entry file.
 * The entry defaults to `./src/index.ts`. `"sandbox": true` runs the plugin sandboxed.
 *
 * @throws `XCORE_ERR_PLUGIN_MANIFEST_INVALID` naming the file and the field.
 */
export function readPluginManifest(directory: string): PluginManifest | undefined {
  const file = join(directory, 'package.json');
  if (!existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new PluginManifestInvalidError(file, `not valid JSON (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
  }
  const pkg = packageJson.safeParse(json);
  if (!pkg.success) throw new PluginManifestInvalidError(file, describe(pkg.error, []));
  if (pkg.data.xcore === undefined) return undefined;
  const field = xcoreField.safeParse(pkg.data.xcore);
  if (!field.success) throw new PluginManifestInvalidError(file, describe(field.error, ['xcore']));

  const name = field.data.name ?? pkg.data.name?.replace(/^@[^/]+\//, '');
  if (name === undefined) throw new PluginManifestInvalidError(file, 'no plugin name: set "xcore.name" or the package "name"');
  if (!NAME.test(name)) {
    throw new PluginManifestInvalidError(file, `plugin name "${name}" must be lowercase letters, digits, ".", "_" or "-"; set "xcore.name"`);
  }
  const version = pkg.data.version;
  if (version === undefined || semver.valid(version) === null) {
    throw new PluginManifestInvalidError(file, `"version" must be a semver version such as "1.0.0", got ${JSON.stringify(version)}`);
  }
  const dependencies = field.data.dependencies ?? {};
  for (const [dependency, range] of Object.entries(dependencies)) {
    if (semver.validRange(range) === null) {
      throw new PluginManifestInvalidError(file, `"xcore.dependencies.${dependency}" is not a semver range: ${JSON.stringify(range)}`);
    }
  }
  const entryText = field.data.entry ?? DEFAULT_ENTRY;
  const entry = isAbsolute(entryText) ? entryText : resolve(directory, entryText);
  if (!existsSync(entry)) {
    throw new PluginManifestInvalidError(file, `"xcore.entry" points at ${entry}, which does not exist`);
  }
  return Object.freeze({ name, version, entry, dependencies: Object.freeze({ ...dependencies }), directory, file, sandbox: field.data.sandbox === true });
}

function describe(error: z.ZodError, prefix: readonly string[]): string {
  return error.issues
    .map((issue) => {
      const path = [...prefix, ...issue.path.map(String)].join('.');
      return `${path === '' ? '(root)' : `"${path}"`}: ${issue.message}`;
    })
    .join('; ');
}

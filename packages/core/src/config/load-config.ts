/**
 * Loading `xcore.yaml`: read, parse with positions, interpolate `${VAR}`, validate strictly,
 * resolve paths, freeze.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigInvalidError, ConfigNotFoundError } from '../errors.js';
import { pathKey, toConfigPath } from './config-path.js';
import { deepFreeze } from './deep-freeze.js';
import type { ConfigEnv } from './interpolate.js';
import { positionIssues } from './position-issues.js';
import { readYaml } from './read-yaml.js';
import { configSchema, type ServiceConfigSource } from './schema.js';
import type { ConfigIssue, LoadedConfig, XcoreConfig } from './types.js';

/** Options of {@link parseConfigText}. */
export interface ParseConfigOptions {
  /**
   * Variables for `${VAR}` interpolation.
   * @defaultValue `process.env`
   */
  readonly env?: ConfigEnv;
  /**
   * Service packages whose sections `services:` may hold (each validated by its `configSchema`).
   * @defaultValue `[]`
   */
  readonly services?: readonly ServiceConfigSource[];
  /**
   * Default of `logging.pretty` when the file does not set it.
   * @defaultValue `process.stdout.isTTY === true`
   */
  readonly prettyDefault?: boolean;
  /**
   * Folder that relative paths (`plugins.directory`) are resolved against.
   * @defaultValue the folder of `file`, or `process.cwd()` when `file` is `'<inline>'`
   */
  readonly baseDir?: string;
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions extends ParseConfigOptions {
  /**
   * Folder a relative `file` is resolved against.
   * @defaultValue `process.cwd()`
   */
  readonly cwd?: string;
}

/** Sections that may be written empty (`services:` with nothing under it) and mean `{}`. */
const SECTIONS = ['app', 'logging', 'plugins', 'services'] as const;

/**
 * Parses and validates config text as if read from `file`.
 *
 * @remarks
 * Every problem is collected before throwing: YAML syntax errors (then nothing else is checked),
 * or interpolation and schema errors together, in one {@link ConfigInvalidError} whose issues
 * point at `file:line:col`. A schema issue on a value whose interpolation failed is dropped (the
 * interpolation issue already explains it). See `readYaml` for how interpolated values are typed.
 * `plugins.directory` and `plugins.sandbox.dataDirectory` are returned absolute. The result is deep-frozen.
 *
 * @throws {@link ConfigInvalidError} when the text is not a valid config.
 *
 * @example
 * ```ts
 * const loaded = parseConfigText('plugins:\n  hookTimeoutMs: 5s\n', '/app/xcore.yaml', { env: {} });
 * loaded.config.plugins.hookTimeoutMs; // 5000
 * loaded.locate(['plugins', 'hookTimeoutMs']); // { line: 2, col: 3 }
 * ```
 */
export function parseConfigText(text: string, file: string, options: ParseConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const services = options.services ?? [];
  const read = readYaml(text, file, env);
  const locator = {
    file,
    locate: (path: readonly (string | number)[]) => read.index.locate(path),
    locateValue: (path: readonly (string | number)[]) => read.index.locateValue(path),
  };
  if (!read.syntaxOk) throw new ConfigInvalidError(read.issues);

  const raw = normaliseEmptySections(read.value, services);
  const schema = configSchema(services, { prettyDefault: options.prettyDefault ?? process.stdout.isTTY === true });
  const result = schema.safeParse(raw, { reportInput: true });
  const issues: ConfigIssue[] = [...read.issues];
  if (!result.success) {
    const failed = (issue: { path: PropertyKey[] }) => {
      const path = toConfigPath(issue.path);
      for (let n = path.length; n >= 0; n -= 1) if (read.failedPaths.has(pathKey(path.slice(0, n)))) return true;
      return false;
    };
    issues.push(...positionIssues(locator, [], result.error.issues.filter((issue) => !failed(issue)), schema, raw));
  }
  if (issues.length > 0) throw new ConfigInvalidError(issues.sort((a, b) => a.line - b.line || a.col - b.col));

  const { $schema: _ignored, ...value } = result.data!;
  const baseDir = options.baseDir ?? (file === '<inline>' ? process.cwd() : dirname(file));
  const plugins = value.plugins;
  const config: XcoreConfig = {
    ...value,
    plugins: {
      ...plugins,
      directory: resolve(baseDir, plugins.directory),
      sandbox: { ...plugins.sandbox, dataDirectory: resolve(baseDir, plugins.sandbox.dataDirectory) },
    },
  };
  return Object.freeze({ config: deepFreeze(config), ...locator });
}

/**
 * Reads, parses and validates a config file.
 *
 * @remarks
 * `file` is resolved against `cwd`; see {@link parseConfigText} for the rest.
 *
 * @throws {@link ConfigNotFoundError} when the file does not exist.
 * @throws {@link ConfigInvalidError} when it is not a valid config.
 *
 * @example
 * ```ts
 * const loaded = await loadConfig('xcore.yaml', { services: [schedulerService] });
 * ```
 */
export async function loadConfig(file: string, options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const absolute = resolve(options.cwd ?? process.cwd(), file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') throw new ConfigNotFoundError(absolute, { cause: error });
    throw error;
  }
  return parseConfigText(text, absolute, options);
}

function normaliseEmptySections(value: unknown, services: readonly ServiceConfigSource[]): unknown {
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = { ...value };
  for (const section of SECTIONS) if (out[section] === null) delete out[section];
  if (isRecord(out.services)) {
    const inner: Record<string, unknown> = { ...out.services };
    for (const service of services) if (inner[service.name] === null) delete inner[service.name];
    out.services = inner;
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Files named in `services.http` (TLS certificate and key, JWT public key, JWKS), read at boot
 * relative to the config file, with problems reported at the line that names the file.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigInvalidError, makeIssue, type ConfigLocator, type ConfigPathSegment, type LoadedConfig } from '@xcore/core';

/** Where config values came from, to resolve relative paths and position problems. */
export interface ConfigSource {
  /** Absolute path of the config file; empty when the config was built in code. */
  readonly configFile: string;
  /** The loaded file, to point at `file:line:col` (absent when built in code). */
  readonly loaded?: LoadedConfig;
}

const SECTION = ['services', 'http'] as const;

/** A locator for config built in code: no positions, the file named `<inline>`. */
const INLINE: ConfigLocator = { file: '<inline>', locate: () => undefined };

/**
 * Reads the problems of values under `services.http` into positioned config issues.
 *
 * @remarks
 * `problem(path, expected, found)` records one; `throwIfAny()` throws them all at once as a
 * `ConfigInvalidError` (`XCORE_ERR_CONFIG_INVALID`), the same error `xcore validate` gives.
 */
export class ConfigFileReader {
  readonly #source: ConfigSource;
  readonly #issues: ReturnType<typeof makeIssue>[] = [];

  constructor(source: ConfigSource) {
    this.#source = source;
  }

  /** Absolute path of `file` as written at `path` (relative to the config file's folder). */
  resolve(file: string): string {
    return resolve(this.#source.configFile === '' ? process.cwd() : dirname(this.#source.configFile), file);
  }

  /** Records a problem with the value at `services.http.<path>`. */
  problem(path: readonly ConfigPathSegment[], expected: string, found: string): void {
    this.#issues.push(makeIssue(this.#source.loaded ?? INLINE, [...SECTION, ...path], expected, found));
  }

  /**
   * Reads the file named at `services.http.<path>`; records a problem and returns `undefined`
   * when it cannot be read.
   */
  read(path: readonly ConfigPathSegment[], file: string, expected: string): string | undefined {
    const absolute = this.resolve(file);
    try {
      return readFileSync(absolute, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
      this.problem(path, expected, `${absolute}: ${reason}`);
      return undefined;
    }
  }

  /** Throws every recorded problem as one `ConfigInvalidError`. */
  throwIfAny(): void {
    if (this.#issues.length > 0) throw new ConfigInvalidError(this.#issues);
  }
}

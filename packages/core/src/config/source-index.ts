/**
 * Where each key path of a parsed YAML document is written, for pointing errors at `line:col`.
 */
import type { ConfigPathSegment, SourcePosition } from './types.js';
import { pathKey } from './config-path.js';

interface Entry {
  key?: SourcePosition;
  value: SourcePosition;
}

/**
 * Positions of the nodes of one document, by key path.
 *
 * @remarks
 * `locate` answers where an entry is written (its key for a map entry), `locateValue` where its
 * value starts. Both fall back to the closest recorded ancestor (its key position), which is
 * where a missing key belongs.
 */
export class SourceIndex {
  readonly #entries = new Map<string, Entry>();

  /** Records the position of the node at `path` (and of its key when it is a map entry). */
  set(path: readonly ConfigPathSegment[], value: SourcePosition, key?: SourcePosition): void {
    this.#entries.set(pathKey(path), key === undefined ? { value } : { key, value });
  }

  /** Where the entry at `path` (or its closest ancestor) is written. */
  locate(path: readonly ConfigPathSegment[]): SourcePosition | undefined {
    for (let n = path.length; n >= 0; n -= 1) {
      const entry = this.#entries.get(pathKey(path.slice(0, n)));
      if (entry !== undefined) return entry.key ?? entry.value;
    }
    return undefined;
  }

  /** Where the value at `path` starts, or where its closest ancestor is written. */
  locateValue(path: readonly ConfigPathSegment[]): SourcePosition | undefined {
    return this.#entries.get(pathKey(path))?.value ?? this.locate(path);
  }
}

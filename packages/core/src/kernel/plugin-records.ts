/**
 * The kernel's plugin records: one per enabled plugin, the dependency order they start in, and the
 * order they actually started in (which shutdown reverses).
 */
import type { PluginManifest } from '../plugins/manifest.js';
import type { PluginDefinition } from '../plugins/plugin.js';
import type { PluginState, PluginStatus } from './kernel-types.js';
import type { SandboxedPlugin } from '../sandbox/sandboxed-plugin.js';
import type { PluginContextHandle } from './plugin-context.js';

/** What the kernel knows about one plugin. */
export interface PluginRecord {
  readonly manifest: PluginManifest;
  state: PluginState;
  /** Why it is `failed` or `skipped`. */
  error: Error | undefined;
  /** Duration of its last successful `onStart`, ms. */
  startMs: number | undefined;
  /** The imported definition (`undefined` until imported). */
  definition: PluginDefinition | undefined;
  /** Its validated, frozen config section. */
  config: unknown;
  /** The context of its current start (`undefined` before `onLoad`). */
  handle: PluginContextHandle | undefined;
  /** Its sandbox, when it runs sandboxed (set at import). */
  sandbox: SandboxedPlugin | undefined;
}

/**
 * The plugin records of one kernel, with the two orders that matter.
 *
 * @remarks
 * `order` is the dependency order computed at boot (skipped plugins left out); `started` is the
 * order in which `onStart` succeeded, so a plugin reloaded later stops before the ones it was
 * started after. Only the kernel's lifecycle writes here; views read.
 */
export class PluginRecords {
  readonly #records = new Map<string, PluginRecord>();
  #order: string[] = [];
  readonly #started: string[] = [];
  /** Plugin folders `plugins.enabled` does not name: listed, never loaded. */
  #notEnabled: PluginManifest[] = [];

  /** Records the plugin folders `plugins.enabled` does not name (listed as `not-enabled`). */
  setNotEnabled(manifests: readonly PluginManifest[]): void {
    this.#notEnabled = [...manifests].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Creates a `loaded` record per manifest and sets the dependency order (names of startable plugins). */
  init(manifests: readonly PluginManifest[], order: readonly string[]): void {
    for (const manifest of manifests) {
      this.#records.set(manifest.name, { manifest, state: 'loaded', error: undefined, startMs: undefined, definition: undefined, config: undefined, handle: undefined, sandbox: undefined });
    }
    this.#order = [...order];
  }

  /** The record of `name`, or `undefined`. */
  get(name: string): PluginRecord | undefined {
    return this.#records.get(name);
  }

  /** Every record, in discovery order. */
  all(): PluginRecord[] {
    return [...this.#records.values()];
  }

  /** Names of every enabled plugin, sorted. */
  names(): string[] {
    return [...this.#records.keys()].sort();
  }

  /** Every manifest (for dependency queries). */
  manifests(): PluginManifest[] {
    return this.all().map((r) => r.manifest);
  }

  /** The records of startable plugins, in dependency order. */
  inOrder(): PluginRecord[] {
    return this.#order.map((name) => this.#records.get(name)!);
  }

  /** Records that `name` started (appends it to the start order). */
  markStarted(name: string): void {
    this.#started.push(name);
  }

  /** Takes `name` out of the start order (it stopped or failed). */
  removeStarted(name: string): void {
    const at = this.#started.indexOf(name);
    if (at >= 0) this.#started.splice(at, 1);
  }

  /** Names of the started plugins, last started first (the shutdown order). */
  startedReverse(): string[] {
    return [...this.#started].reverse();
  }

  /** A dependency of `record` that is not in one of the `ok` states, if any. */
  brokenDependency(record: PluginRecord, ok: readonly PluginState[]): string | undefined {
    return Object.keys(record.manifest.dependencies).find((d) => !ok.includes(this.#records.get(d)?.state ?? 'skipped'));
  }

  /** The public status of one record. */
  status(record: PluginRecord): PluginStatus {
    return {
      name: record.manifest.name,
      version: record.manifest.version,
      state: record.state,
      error: record.error,
      ...(record.state === 'skipped' && record.error !== undefined ? dependencyField(record.error) : {}),
      startMs: record.startMs,
      dependencies: record.manifest.dependencies,
      ...(record.sandbox === undefined ? {} : { sandbox: record.sandbox.status() }),
    };
  }

  /** Every plugin's status: startable ones in dependency order, then the skipped ones by name, then the not-enabled ones by name. */
  statuses(): PluginStatus[] {
    const ordered = this.inOrder();
    const rest = this.all().filter((r) => !this.#order.includes(r.manifest.name));
    const notEnabled = this.#notEnabled.map((m): PluginStatus => ({ name: m.name, version: m.version, state: 'not-enabled', error: undefined, startMs: undefined, dependencies: m.dependencies }));
    return [...[...ordered, ...rest.sort((a, b) => (a.manifest.name < b.manifest.name ? -1 : 1))].map((r) => this.status(r)), ...notEnabled];
  }
}

/** The dependency a dependency error names: the missing, out-of-range or failed one, or the next plugin of a cycle. */
export function blockingDependency(error: Error): string | undefined {
  const { dependency, cycle } = error as { dependency?: unknown; cycle?: unknown };
  if (typeof dependency === 'string') return dependency;
  if (Array.isArray(cycle) && typeof cycle[1] === 'string') return cycle[1];
  return undefined;
}

function dependencyField(error: Error): { dependency?: string } {
  const dependency = blockingDependency(error);
  return dependency === undefined ? {} : { dependency };
}

/**
 * Scopes: who is calling the scheduler (the app, the YAML config or a plugin view), which job ids
 * it sees, and how long a plugin's view may change things.
 *
 * @remarks
 * A plugin's ids are namespaced `<plugin>:<id>` and it sees only its own jobs. Each (re)start of a
 * plugin gets a new generation, so a view kept from an earlier start refuses changes; the
 * subscriptions made through a plugin's view are dropped when the plugin stops.
 */
import type { StoredSchedule } from '../stores/store.js';
import { JobInvalidError } from '../errors.js';
import { describeInput } from './parse-options.js';

/** Who is calling: the app (root), the config (YAML jobs) or a plugin (namespaced view). */
export interface SchedulerScope {
  /** Owner recorded on new jobs. */
  readonly owner: string;
  /** Plugin name for plugin views: ids are namespaced `<plugin>:<id>` and only its jobs are visible. */
  readonly plugin?: string;
  /** Throws when the scope may not change anything (stopped plugin). */
  assertLive?(): void;
}

/** The app's own scope: un-namespaced ids, every job visible, owner `app`. */
export const APP_SCOPE: SchedulerScope = { owner: 'app' };

/**
 * The fully qualified id of `id` in `scope`.
 *
 * @throws `XCORE_ERR_JOB_INVALID` when `id` is not a non-empty string.
 */
export function qualifyId(scope: SchedulerScope, id: string): string {
  if (typeof id !== 'string' || id.trim() === '') throw new JobInvalidError(`A job id must be a non-empty string, got ${describeInput(id)}.`);
  if (scope.plugin === undefined) return id;
  const prefix = `${scope.plugin}:`;
  return id.startsWith(prefix) ? id : prefix + id;
}

/** True when `scope` may see `schedule`: the app sees every job, a plugin only its own. */
export function inScope(scope: SchedulerScope, schedule: StoredSchedule): boolean {
  return scope.plugin === undefined || schedule.definition.owner === scope.plugin;
}

/**
 * The lifetimes of plugin views: which plugins stopped, the generation of each plugin's current
 * view, and the subscriptions to drop when a plugin stops.
 */
export class PluginScopes {
  private readonly stopped = new Set<string>();
  private readonly generations = new Map<string, number>();
  private readonly subscriptions = new Map<string, Set<() => void>>();

  /** Marks `plugin` as (re)starting and returns a fresh generation number for its view. */
  attach(plugin: string): number {
    this.stopped.delete(plugin);
    const generation = (this.generations.get(plugin) ?? 0) + 1;
    this.generations.set(plugin, generation);
    return generation;
  }

  /** True while the view of `plugin` with `generation` may change things. */
  isLive(plugin: string, generation: number): boolean {
    return !this.stopped.has(plugin) && this.generations.get(plugin) === generation;
  }

  /** Marks `plugin` as stopped and calls the unsubscribe functions tracked for it. */
  stop(plugin: string): void {
    this.stopped.add(plugin);
    for (const off of this.subscriptions.get(plugin) ?? []) off();
    this.subscriptions.delete(plugin);
  }

  /** Remembers an unsubscribe function to call when `plugin` stops. */
  track(plugin: string, off: () => void): () => void {
    let set = this.subscriptions.get(plugin);
    if (set === undefined) {
      set = new Set();
      this.subscriptions.set(plugin, set);
    }
    set.add(off);
    return () => {
      set.delete(off);
      off();
    };
  }
}

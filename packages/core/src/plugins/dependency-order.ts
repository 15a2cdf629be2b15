import semver from 'semver';
import {
  PluginDependencyCycleError,
  PluginDependencyFailedError,
  PluginDependencyMissingError,
  PluginDependencyVersionError,
  type XcoreError,
} from '../errors.js';

/** A plugin as dependency ordering sees it. */
export interface DependencyNode {
  readonly name: string;
  readonly version: string;
  /** Plugin name to semver range. */
  readonly dependencies: Readonly<Record<string, string>>;
}

/** The result of {@link dependencyOrder}. */
export interface DependencyPlan {
  /** Plugins that can start, dependencies first; ties broken by name. */
  readonly order: readonly string[];
  /** Plugins that cannot start, with the coded reason (sorted by name). */
  readonly disabled: ReadonlyMap<string, XcoreError>;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Orders plugins so every plugin starts after its dependencies, and sets aside the broken ones.
 *
 * @remarks
 * Pure: no I/O, no clock. A plugin is disabled when it depends on a plugin that is absent
 * (`XCORE_ERR_PLUGIN_DEPENDENCY_MISSING`), whose version is outside the range
 * (`XCORE_ERR_PLUGIN_DEPENDENCY_VERSION`, prereleases count), when it is on a dependency cycle
 * (`XCORE_ERR_PLUGIN_DEPENDENCY_CYCLE`, naming the cycle as `a -> b -> a`), or when a plugin it
 * depends on (transitively) is disabled (`XCORE_ERR_PLUGIN_DEPENDENCY_FAILED`). Every other
 * plugin is in `order`: a topological order that, among plugins ready at the same time, takes
 * the smallest name first, so the order does not depend on discovery order.
 *
 * @example
 * ```ts
 * dependencyOrder([
 *   { name: 'heartbeat', version: '1.0.0', dependencies: { health: '^1.0.0' } },
 *   { name: 'health', version: '1.2.0', dependencies: {} },
 * ]).order; // ['health', 'heartbeat']
 * ```
 */
export function dependencyOrder(nodes: readonly DependencyNode[]): DependencyPlan {
  const index = new Map(nodes.map((node) => [node.name, node]));
  const names = [...index.keys()].sort(byName);
  const disabled = new Map<string, XcoreError>();
  const depsOf = (name: string): string[] => Object.keys(index.get(name)?.dependencies ?? {}).sort(byName);

  for (const name of names) {
    const node = index.get(name)!;
    for (const dependency of depsOf(name)) {
      const target = index.get(dependency);
      const range = node.dependencies[dependency]!;
      if (target === undefined) {
        disabled.set(name, new PluginDependencyMissingError(name, dependency));
        break;
      }
      if (!semver.satisfies(target.version, range, { includePrerelease: true })) {
        disabled.set(name, new PluginDependencyVersionError(name, dependency, range, target.version));
        break;
      }
    }
  }

  for (const component of stronglyConnected(names, (name) => depsOf(name).filter((d) => index.has(d)))) {
    const selfLoop = component.length === 1 && depsOf(component[0]!).includes(component[0]!);
    if (component.length < 2 && !selfLoop) continue;
    const cycle = cycleThrough(component, (name) => depsOf(name));
    for (const name of component) if (!disabled.has(name)) disabled.set(name, new PluginDependencyCycleError(rotate(cycle, name)));
  }

  // Propagate to dependents until nothing changes (the graph is small; clarity over speed).
  let changed = true;
  while (changed) {
    changed = false;
    for (const name of names) {
      if (disabled.has(name)) continue;
      const broken = depsOf(name).find((d) => disabled.has(d));
      if (broken !== undefined) {
        disabled.set(name, new PluginDependencyFailedError(name, broken));
        changed = true;
      }
    }
  }

  const healthy = names.filter((name) => !disabled.has(name));
  const remaining = new Map(healthy.map((name) => [name, depsOf(name).length]));
  const dependents = new Map<string, string[]>();
  for (const name of healthy) for (const d of depsOf(name)) dependents.set(d, [...(dependents.get(d) ?? []), name]);
  const ready = healthy.filter((name) => remaining.get(name) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    ready.sort(byName);
    const next = ready.shift()!;
    order.push(next);
    for (const dependent of dependents.get(next) ?? []) {
      const left = remaining.get(dependent)! - 1;
      remaining.set(dependent, left);
      if (left === 0) ready.push(dependent);
    }
  }
  const sortedDisabled = new Map([...disabled.entries()].sort(([a], [b]) => byName(a, b)));
  return { order, disabled: sortedDisabled };
}

/**
 * Plugins that depend on `name`, directly or transitively, in `nodes` (excluding `name`).
 *
 * @remarks Pure; used to skip dependents of a plugin that failed at runtime and to guard reload.
 */
export function dependentsOf(nodes: readonly DependencyNode[], name: string): string[] {
  const found = new Set<string>();
  let frontier = [name];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const node of nodes) {
      if (found.has(node.name) || node.name === name) continue;
      if (frontier.some((f) => f in node.dependencies)) {
        found.add(node.name);
        next.push(node.name);
      }
    }
    frontier = next;
  }
  return [...found].sort(byName);
}

/** Tarjan's algorithm; components come out in a deterministic order because `names` is sorted. */
function stronglyConnected(names: readonly string[], edges: (name: string) => string[]): string[][] {
  let counter = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  const visit = (v: string): void => {
    indexOf.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of edges(v)) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
      }
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      components.push(component.sort(byName));
    }
  };
  for (const name of names) if (!indexOf.has(name)) visit(name);
  return components;
}

/** The shortest cycle from the component's smallest name back to itself, e.g. `['a', 'b', 'a']`. */
function cycleThrough(component: readonly string[], edges: (name: string) => string[]): string[] {
  const members = new Set(component);
  const start = [...component].sort(byName)[0]!;
  const parent = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of edges(v)) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let at: string | undefined = v; at !== undefined && at !== start; at = parent.get(at)) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!parent.has(w)) {
        parent.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/** The same cycle written from `name` when `name` is on it (so each plugin's error starts with itself). */
function rotate(cycle: readonly string[], name: string): string[] {
  const body = cycle.slice(0, -1);
  const at = body.indexOf(name);
  if (at <= 0) return [...cycle];
  const rotated = [...body.slice(at), ...body.slice(0, at)];
  return [...rotated, name];
}

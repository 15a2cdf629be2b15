import { describe, expect, it } from 'vitest';
import { dependencyOrder, dependentsOf, type DependencyNode } from './dependency-order.js';

const node = (name: string, dependencies: Record<string, string> = {}, version = '1.0.0'): DependencyNode => ({ name, version, dependencies });
const codes = (disabled: ReadonlyMap<string, { code: string }>): Record<string, string> =>
  Object.fromEntries([...disabled].map(([name, error]) => [name, error.code]));

describe('dependencyOrder', () => {
  it('puts dependencies first and breaks ties by name, whatever the input order', () => {
    const nodes = [node('zeta'), node('app', { db: '^1.0.0', cache: '*' }), node('db'), node('cache', { db: '1.x' }), node('beta')];
    expect(dependencyOrder(nodes).order).toEqual(['beta', 'db', 'cache', 'app', 'zeta']);
    expect(dependencyOrder([...nodes].reverse()).order).toEqual(['beta', 'db', 'cache', 'app', 'zeta']);
  });

  it('disables a plugin with a missing dependency and its dependents, and keeps the rest', () => {
    const plan = dependencyOrder([node('a', { ghost: '^1' }), node('b', { a: '*' }), node('c', { b: '*' }), node('d')]);
    expect(plan.order).toEqual(['d']);
    expect(codes(plan.disabled)).toEqual({
      a: 'XCORE_ERR_PLUGIN_DEPENDENCY_MISSING',
      b: 'XCORE_ERR_PLUGIN_DEPENDENCY_FAILED',
      c: 'XCORE_ERR_PLUGIN_DEPENDENCY_FAILED',
    });
    expect(plan.disabled.get('a')!.message).toContain('"a" depends on "ghost"');
    expect(plan.disabled.get('c')!.message).toContain('dependency "b"');
  });

  it('checks version ranges, prereleases included', () => {
    const plan = dependencyOrder([
      node('health', {}, '2.1.0'),
      node('old', { health: '^1.0.0' }),
      node('new', { health: '>=2.0.0 <3' }),
      node('pre', { beta: '^3.0.0' }),
      node('beta', {}, '3.1.0-rc.1'),
    ]);
    expect(plan.order).toEqual(['beta', 'health', 'new', 'pre']);
    expect(codes(plan.disabled)).toEqual({ old: 'XCORE_ERR_PLUGIN_DEPENDENCY_VERSION' });
    expect(plan.disabled.get('old')!.message).toContain('needs "health" ^1.0.0, but health is version 2.1.0');
  });

  it('names the cycle, disables its members and dependents, and keeps the rest', () => {
    const plan = dependencyOrder([node('a', { b: '*' }), node('b', { c: '*' }), node('c', { a: '*' }), node('user', { c: '*' }), node('free')]);
    expect(plan.order).toEqual(['free']);
    expect(codes(plan.disabled)).toEqual({
      a: 'XCORE_ERR_PLUGIN_DEPENDENCY_CYCLE',
      b: 'XCORE_ERR_PLUGIN_DEPENDENCY_CYCLE',
      c: 'XCORE_ERR_PLUGIN_DEPENDENCY_CYCLE',
      user: 'XCORE_ERR_PLUGIN_DEPENDENCY_FAILED',
    });
    expect(plan.disabled.get('a')!.message).toContain('a -> b -> c -> a');
    expect(plan.disabled.get('b')!.message).toContain('b -> c -> a -> b');
  });

  it('treats a plugin depending on itself as a cycle', () => {
    const plan = dependencyOrder([node('self', { self: '*' })]);
    expect(plan.order).toEqual([]);
    expect(plan.disabled.get('self')!.message).toContain('self -> self');
  });

  it('lists transitive dependents', () => {
    const nodes = [node('a'), node('b', { a: '*' }), node('c', { b: '*' }), node('d', { a: '*' }), node('e')];
    expect(dependentsOf(nodes, 'a')).toEqual(['b', 'c', 'd']);
    expect(dependentsOf(nodes, 'c')).toEqual([]);
  });
});

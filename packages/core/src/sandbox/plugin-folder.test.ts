import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { assertNoForeignLinks, dependencyClosure } from './plugin-folder.js';

let root: string;
const pkg = (dir: string, json: object): string => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify(json));
  return dir;
};

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'xcore-folder-')));
});

/** A pnpm-like layout: store/<name>/node_modules/<name>, dependencies linked beside it. */
function store(name: string, deps: string[] = []): string {
  const dir = pkg(join(root, 'store', name, 'node_modules', name), { name, dependencies: Object.fromEntries(deps.map((d) => [d, '*'])) });
  for (const dep of deps) symlinkSync(join(root, 'store', dep, 'node_modules', dep), join(root, 'store', name, 'node_modules', dep), 'dir');
  return dir;
}

describe('dependencyClosure', () => {
  it('follows run-time dependencies through links and grants the links and the real folders', () => {
    const leaf = store('leaf');
    const mid = store('mid', ['leaf']);
    const plugin = pkg(join(root, 'plugin'), { name: 'p', dependencies: { mid: '*' }, devDependencies: { tool: '*' } });
    const tool = store('tool');
    mkdirSync(join(plugin, 'node_modules'));
    symlinkSync(mid, join(plugin, 'node_modules', 'mid'), 'dir');
    symlinkSync(tool, join(plugin, 'node_modules', 'tool'), 'dir');
    const closure = dependencyClosure([], [plugin]);
    expect([...closure.packages].sort()).toEqual([leaf, mid, plugin, tool].sort());
    expect(closure.readPaths.has(join(root, 'store', 'mid', 'node_modules', 'leaf'))).toBe(true);
    expect(closure.readPaths.has(join(plugin, 'node_modules', 'mid'))).toBe(true);
    // Development dependencies count for the plugin only, not for the packages it uses.
    expect(dependencyClosure([plugin]).packages.has(tool)).toBe(false);
  });
});

describe('assertNoForeignLinks', () => {
  it('accepts links in node_modules to the packages it depends on', () => {
    const dep = store('dep');
    const plugin = pkg(join(root, 'plugin'), { name: 'p', dependencies: { dep: '*' } });
    mkdirSync(join(plugin, 'node_modules', '@scope'), { recursive: true });
    symlinkSync(dep, join(plugin, 'node_modules', 'dep'), 'dir');
    expect(() => assertNoForeignLinks('p', plugin, dependencyClosure([], [plugin]).packages)).not.toThrow();
  });

  it('refuses a link outside node_modules, naming it', () => {
    const plugin = pkg(join(root, 'plugin'), { name: 'p' });
    mkdirSync(join(plugin, 'src'));
    symlinkSync('/etc/hostname', join(plugin, 'src', 'host.txt'));
    expect(() => assertNoForeignLinks('p', plugin, new Set([plugin]))).toThrow(
      expect.objectContaining({ code: 'XCORE_ERR_SANDBOX_SYMLINK', message: expect.stringContaining(join(plugin, 'src', 'host.txt')) }),
    );
  });

  it('refuses a link in node_modules that leads outside its dependencies, or nowhere', () => {
    const plugin = pkg(join(root, 'plugin'), { name: 'p' });
    mkdirSync(join(plugin, 'node_modules'));
    symlinkSync(root, join(plugin, 'node_modules', 'everything'), 'dir');
    expect(() => assertNoForeignLinks('p', plugin, new Set([plugin]))).toThrow(expect.objectContaining({ code: 'XCORE_ERR_SANDBOX_SYMLINK' }));
    const other = pkg(join(root, 'plugin2'), { name: 'p2' });
    mkdirSync(join(other, 'node_modules'));
    symlinkSync(join(root, 'missing'), join(other, 'node_modules', 'gone'), 'dir');
    expect(() => assertNoForeignLinks('p2', other, new Set([other]))).toThrow(expect.objectContaining({ message: expect.stringContaining('leads nowhere') }));
  });
});

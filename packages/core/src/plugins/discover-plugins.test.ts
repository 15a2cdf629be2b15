import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverPlugins } from './discover-plugins.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'xcore-discover-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const folder = (name: string, pkg: unknown, entry: string | undefined = 'src/index.ts'): string => {
  const path = join(dir, name);
  mkdirSync(join(path, 'src'), { recursive: true });
  writeFileSync(join(path, 'package.json'), typeof pkg === 'string' ? pkg : JSON.stringify(pkg));
  if (entry !== undefined) writeFileSync(join(path, entry), 'export default {};');
  return join(path, 'package.json');
};

describe('discoverPlugins', () => {
  it('reads manifests, defaults the name and entry, and skips folders that are not plugins', () => {
    folder('hb', { name: '@acme/heartbeat', version: '1.2.3', xcore: { dependencies: { health: '^1.0.0' }, sandbox: true } });
    folder('health-folder', { name: 'whatever', version: '1.0.0', xcore: { name: 'health', entry: './src/main.ts' } }, 'src/main.ts');
    folder('lib', { name: 'not-a-plugin', version: '1.0.0' });
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(join(dir, 'missing-target'), join(dir, 'dangling'));
    mkdirSync(join(dir, 'empty'));
    expect(discoverPlugins(dir)).toEqual([
      {
        name: 'health',
        version: '1.0.0',
        entry: join(dir, 'health-folder', 'src', 'main.ts'),
        dependencies: {},
        directory: join(dir, 'health-folder'),
        file: join(dir, 'health-folder', 'package.json'),
        sandbox: false,
      },
      {
        name: 'heartbeat',
        version: '1.2.3',
        entry: join(dir, 'hb', 'src', 'index.ts'),
        dependencies: { health: '^1.0.0' },
        directory: join(dir, 'hb'),
        file: join(dir, 'hb', 'package.json'),
        sandbox: true,
      },
    ]);
    expect(discoverPlugins(join(dir, 'missing'))).toEqual([]);
  });

  it.each([
    ['{ not json', 'not valid JSON'],
    [{ name: 'a', version: 'one', xcore: {} }, '"version" must be a semver version such as "1.0.0", got "one"'],
    [{ name: 'a', version: '1.0.0', xcore: { depends: {} } }, '"xcore": Unrecognized key: "depends"'],
    [{ name: 'a', version: '1.0.0', xcore: { dependencies: { b: 'latest-ish' } } }, '"xcore.dependencies.b" is not a semver range: "latest-ish"'],
    [{ name: 'a', version: '1.0.0', xcore: { name: 'Bad Name' } }, '"xcore.name": lowercase letters'],
    [{ name: 'a', version: '1.0.0', xcore: { entry: './nope.ts' } }, `points at`],
  ])('reports a bad manifest %j naming the file', (pkg, problem) => {
    const file = folder('p', pkg);
    expect(() => discoverPlugins(dir)).toThrow(
      expect.objectContaining({ code: 'XCORE_ERR_PLUGIN_MANIFEST_INVALID', message: expect.stringContaining(`Invalid plugin manifest ${file}: `) }),
    );
    expect(() => discoverPlugins(dir)).toThrow(expect.objectContaining({ message: expect.stringContaining(problem) }));
  });

  it('reports two folders declaring the same plugin', () => {
    const first = folder('a', { name: 'dup', version: '1.0.0', xcore: {} });
    const second = folder('b', { name: 'other', version: '1.0.0', xcore: { name: 'dup' } });
    expect(() => discoverPlugins(dir)).toThrow(
      expect.objectContaining({ code: 'XCORE_ERR_PLUGIN_DUPLICATE', message: `Plugin "dup" is declared twice: in ${first} and in ${second}. Rename or remove one.` }),
    );
  });

  it('follows a symlink to a plugin folder', () => {
    const outside = mkdtempSync(join(tmpdir(), 'xcore-linked-'));
    try {
      mkdirSync(join(outside, 'src'));
      writeFileSync(join(outside, 'package.json'), JSON.stringify({ name: 'linked', version: '2.0.0', xcore: {} }));
      writeFileSync(join(outside, 'src', 'index.ts'), 'export default {};');
      symlinkSync(outside, join(dir, 'linked'));
      expect(discoverPlugins(dir).map((m) => [m.name, m.version, m.entry])).toEqual([['linked', '2.0.0', join(dir, 'linked', 'src', 'index.ts')]]);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

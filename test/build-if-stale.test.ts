/**
 * `pnpm start` builds only the packages whose sources changed (scripts/build-if-stale.mjs), on a
 * throwaway pnpm workspace whose packages' builds count how often they ran.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../scripts/build-if-stale.mjs', import.meta.url));

function workspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'xcore-build-'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'ws', private: true }));
  writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages:\n  - packages/*\n');
  for (const name of ['a', 'b']) {
    const dir = join(root, 'packages', name);
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'src', 'index.ts'), 'export {};\n');
    // The build writes dist/index.js and counts its runs in builds.txt.
    // A file `fail` makes it stop half-way, as Ctrl-C during the first slow build does: dist/index.js written, index.d.ts not.
    writeFileSync(join(dir, 'build.mjs'), `import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
mkdirSync('dist', { recursive: true }); writeFileSync('dist/index.js', ''); appendFileSync('builds.txt', 'x');
if (existsSync('fail')) process.exit(1);
writeFileSync('dist/index.d.ts', '');`);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', scripts: { build: 'node build.mjs' } }));
  }
  return root;
}

function run(root: string): string {
  return execFileSync(process.execPath, [SCRIPT, '--root', root], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const builds = (root: string, name: string): number => {
  try {
    return readFileSync(join(root, 'packages', name, 'builds.txt'), 'utf8').length;
  } catch {
    return 0;
  }
};

describe('build-if-stale', () => {
  it('builds what was never built, then nothing, then only the package whose source changed', () => {
    const root = workspace();
    run(root);
    expect([builds(root, 'a'), builds(root, 'b')]).toEqual([1, 1]);
    run(root);
    expect([builds(root, 'a'), builds(root, 'b')]).toEqual([1, 1]);
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(root, 'packages', 'b', 'src', 'index.ts'), later, later);
    run(root);
    expect([builds(root, 'a'), builds(root, 'b')]).toEqual([1, 2]);
  }, 60_000);

  it('builds again a package whose last build stopped half-way, and one built since by other means', () => {
    const root = workspace();
    writeFileSync(join(root, 'packages', 'a', 'fail'), '');
    expect(() => run(root)).toThrow();
    expect(builds(root, 'a')).toBe(1);
    rmSync(join(root, 'packages', 'a', 'fail'));
    run(root);
    expect(builds(root, 'a')).toBe(2);
    expect(existsSync(join(root, 'packages', 'a', 'dist', 'index.d.ts'))).toBe(true);
    run(root);
    expect(builds(root, 'a')).toBe(2);
    const before = builds(root, 'b');
    // A later build outside this script (pnpm --filter b build) rewrote dist: not trusted as complete.
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(root, 'packages', 'b', 'dist', 'index.js'), later, later);
    run(root);
    expect(builds(root, 'b')).toBe(before + 1);
  }, 60_000);

  it('--mark records every package as built (the root `pnpm build` runs it after building everything)', () => {
    const root = workspace();
    for (const name of ['a', 'b']) {
      mkdirSync(join(root, 'packages', name, 'dist'), { recursive: true });
      writeFileSync(join(root, 'packages', name, 'dist', 'index.js'), '');
    }
    execFileSync(process.execPath, [SCRIPT, '--root', root, '--mark']);
    run(root);
    expect([builds(root, 'a'), builds(root, 'b')]).toEqual([0, 0]);
  }, 60_000);
});

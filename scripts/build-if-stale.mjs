#!/usr/bin/env node
/**
 * Builds the workspace packages whose sources changed since their last complete build, and
 * nothing else.
 *
 * A complete build leaves `dist/xcore-build-complete.txt` (written here after `pnpm -r build`
 * succeeded, or by `--mark`, which the root `pnpm build` runs after building everything). A
 * package is stale when that stamp is missing, when a file under its `src/`, its `package.json`,
 * `tsconfig.json` or `tsup.config.ts` is newer than the stamp, or when a file in `dist/` is: a
 * build that was interrupted (Ctrl-C during the first, slow `pnpm start`) or failed half-way left
 * some outputs (a `dist/index.js` without its `.d.ts`) and no stamp, and is built again rather than
 * trusted. Stale packages are built in dependency order by `pnpm -r --filter ... build`, so a
 * no-change start costs a directory scan (~50 ms) instead of a full build (about a minute on a
 * busy 2-core machine). `pnpm build` still builds everything.
 *
 * Usage: node scripts/build-if-stale.mjs [--quiet] [--root <workspace>] [--mark]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const rootAt = process.argv.indexOf('--root');
const root = rootAt > 0 ? process.argv[rootAt + 1] : fileURLToPath(new URL('..', import.meta.url));
const quiet = process.argv.includes('--quiet');
const markOnly = process.argv.includes('--mark');
/** Written into `dist/` once a package's build completed; tsup's `clean` removes it when a build starts (not a dotfile: its glob skips those). */
const STAMP = 'xcore-build-complete.txt';

/** Newest mtime under `path` (skipping `skip`), in ms; `undefined` when it does not exist. */
function newest(path, skip) {
  if (!existsSync(path) || path === skip) return undefined;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let result;
  for (const entry of readdirSync(path)) {
    const t = newest(join(path, entry), skip);
    if (t !== undefined) result = result === undefined ? t : Math.max(result, t);
  }
  return result;
}

/** `./packages/<name>` of every workspace package with a build script. */
const packages = readdirSync(join(root, 'packages'))
  .sort()
  .filter((name) => {
    const manifest = join(root, 'packages', name, 'package.json');
    return existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).scripts?.build !== undefined;
  })
  .map((name) => `./packages/${name}`);

/** Marks each of `built` (`./packages/<name>`) as completely built. */
function mark(built) {
  for (const p of built) {
    const dist = join(root, p, 'dist');
    if (existsSync(dist)) writeFileSync(join(dist, STAMP), `${new Date().toISOString()}\n`);
  }
}

if (markOnly) {
  mark(packages);
  process.exit(0);
}

const stale = packages.filter((p) => {
  const dir = join(root, p);
  const stamp = join(dir, 'dist', STAMP);
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  const inputs = [join(dir, 'src'), join(dir, 'package.json'), join(dir, 'tsconfig.json'), join(dir, 'tsup.config.ts'), join(dir, 'dist')]
    .map((path) => newest(path, stamp))
    .filter((t) => t !== undefined);
  return inputs.some((t) => t > built);
});

if (stale.length === 0) {
  if (!quiet) process.stderr.write('build: every package is up to date\n');
} else {
  process.stderr.write(`build: ${stale.map((p) => p.slice('./packages/'.length)).join(', ')} changed; building\n`);
  const filters = stale.flatMap((p) => ['--filter', p]);
  execFileSync('pnpm', ['-r', ...filters, 'build'], { cwd: root, stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'] });
  mark(stale);
}

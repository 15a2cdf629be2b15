#!/usr/bin/env node
/**
 * Builds the workspace packages whose sources changed since their last build, and nothing else.
 *
 * A package is stale when a file under its `src/`, its `package.json`, `tsconfig.json` or
 * `tsup.config.ts` is newer than the oldest file its build wrote to `dist/`, or when `dist/` is
 * missing. Stale packages are built in dependency order by `pnpm -r --filter ... build`, so a
 * no-change start costs a directory scan (~50 ms) instead of a full build (about a minute on a
 * busy 2-core machine). `pnpm build` still builds everything.
 *
 * Usage: node scripts/build-if-stale.mjs [--quiet] [--root <workspace>]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const rootAt = process.argv.indexOf('--root');
const root = rootAt > 0 ? process.argv[rootAt + 1] : fileURLToPath(new URL('..', import.meta.url));
const quiet = process.argv.includes('--quiet');

/** Newest (or oldest) mtime under `path`, in ms; `undefined` when it does not exist. */
function mtimes(path, pick) {
  if (!existsSync(path)) return undefined;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let result;
  for (const entry of readdirSync(path)) {
    const t = mtimes(join(path, entry), pick);
    if (t !== undefined) result = result === undefined ? t : pick(result, t);
  }
  return result;
}

const stale = [];
for (const name of readdirSync(join(root, 'packages')).sort()) {
  const dir = join(root, 'packages', name);
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest) || JSON.parse(readFileSync(manifest, 'utf8')).scripts?.build === undefined) continue;
  const built = mtimes(join(dir, 'dist'), Math.min);
  const inputs = [join(dir, 'src'), manifest, join(dir, 'tsconfig.json'), join(dir, 'tsup.config.ts')]
    .map((p) => mtimes(p, Math.max))
    .filter((t) => t !== undefined);
  if (built === undefined || inputs.some((t) => t > built)) stale.push(`./packages/${name}`);
}

if (stale.length === 0) {
  if (!quiet) process.stderr.write('build: every package is up to date\n');
} else {
  process.stderr.write(`build: ${stale.map((p) => p.slice('./packages/'.length)).join(', ')} changed; building\n`);
  const filters = stale.flatMap((p) => ['--filter', p]);
  execFileSync('pnpm', ['-r', ...filters, 'build'], { cwd: root, stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'] });
}

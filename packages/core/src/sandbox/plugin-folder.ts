/**
 * What a sandboxed plugin may read: its own folder (refused when it holds symbolic links that lead
 * elsewhere) and the packages it depends on, found the way Node resolves them.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { SandboxSymlinkError } from '../errors.js';

/**
 * The paths a sandbox may read for a set of packages: each package's real folder, and each
 * `node_modules/<name>` link through which a dependency is found (Node reads through the link
 * before it resolves it).
 */
export interface DependencyClosure {
  /** Real folders of every package reached. */
  readonly packages: ReadonlySet<string>;
  /** Every path to grant read access to (real folders and the links leading to them). */
  readonly readPaths: ReadonlySet<string>;
}

/** Names a package needs at run time (and, for the plugin itself, its development dependencies). */
function dependencyNames(dir: string, withDev: boolean): string[] {
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return [];
  }
  const fields = ['dependencies', 'optionalDependencies', 'peerDependencies', ...(withDev ? ['devDependencies'] : [])];
  const names = new Set<string>();
  for (const field of fields) {
    const value = pkg[field];
    if (value !== null && typeof value === 'object') for (const name of Object.keys(value)) names.add(name);
  }
  return [...names];
}

/** `node_modules/<name>` as Node finds it from `dir`: the nearest one walking up, or `undefined`. */
function findPackage(dir: string, name: string): string | undefined {
  let at = dir;
  for (;;) {
    const candidate = join(at, 'node_modules', name);
    if (existsSync(candidate)) return candidate;
    const up = dirname(at);
    if (up === at) return undefined;
    at = up;
  }
}

/**
 * Walks the run-time dependencies of `roots` (package folders) and returns what to grant.
 *
 * @remarks
 * `devRoots` are roots whose development dependencies count too (a plugin's own folder: its
 * `node_modules` links to them, and reading a linked package is harmless). Packages that are not
 * installed (optional ones) are skipped.
 */
export function dependencyClosure(roots: readonly string[], devRoots: readonly string[] = []): DependencyClosure {
  const packages = new Set<string>();
  const readPaths = new Set<string>();
  const visit = (dir: string, withDev: boolean): void => {
    const real = realpathSync(dir);
    if (packages.has(real)) return;
    packages.add(real);
    readPaths.add(real);
    for (const name of dependencyNames(real, withDev)) {
      const found = findPackage(real, name);
      if (found === undefined) continue;
      readPaths.add(found);
      visit(found, false);
    }
  };
  for (const root of devRoots) visit(root, true);
  for (const root of roots) visit(root, false);
  return { packages, readPaths };
}

/** True when `child` is `parent` or inside it. */
export function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
}

/**
 * Refuses a plugin folder that holds a symbolic link a sandbox could read through.
 *
 * @remarks
 * Node's permission model checks the path a file is opened by and then follows links, so a link
 * inside a granted folder would grant whatever it points at. Links are refused everywhere in the
 * folder except in `node_modules`, where package managers link dependencies: there a link must lead
 * to one of `packages` (the dependency closure's real folders). Links are not followed while
 * walking.
 *
 * @throws `XCORE_ERR_SANDBOX_SYMLINK` naming the first offending link.
 */
export function assertNoForeignLinks(plugin: string, folder: string, packages: ReadonlySet<string>): void {
  const walk = (dir: string, inNodeModules: boolean): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isSymbolicLink()) {
        const target = resolve(dir, readlinkSync(path));
        if (!inNodeModules) throw new SandboxSymlinkError(plugin, path, target, 'links are refused outside node_modules');
        let real: string;
        try {
          real = realpathSync(path);
        } catch {
          throw new SandboxSymlinkError(plugin, path, target, 'it leads nowhere');
        }
        // A linked package (or a `.bin` link to a file in one) must belong to the plugin's dependencies.
        if (![...packages].some((p) => isInside(real, p))) throw new SandboxSymlinkError(plugin, path, real, 'not inside a package the plugin depends on');
        continue;
      }
      if (entry.isDirectory()) walk(path, inNodeModules || entry.name === 'node_modules');
    }
  };
  if (lstatSync(folder).isSymbolicLink()) folder = realpathSync(folder);
  walk(folder, false);
}

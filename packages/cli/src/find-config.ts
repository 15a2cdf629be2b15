/**
 * Locates `xcore.yaml`: an explicit path, or the nearest `xcore.yaml`/`xcore.yml` from the working
 * directory upwards.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const NAMES = ['xcore.yaml', 'xcore.yml'];

/** Absolute path of the config to use; an explicit path is returned resolved even when missing (the loader reports it). */
export function findConfigFile(explicit: string | undefined, cwd: string): string {
  if (explicit !== undefined) return resolve(cwd, explicit);
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const name of NAMES) {
      const candidate = join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
    if (dirname(dir) === dir) return join(resolve(cwd), NAMES[0]!);
  }
}

/**
 * The Node.js flags a sandbox process starts with: the permission model and the heap cap. Pure.
 */

/** What {@link sandboxFlags} needs. */
export interface SandboxFlagsInput {
  /** `process.versions.node` of the Node.js that runs the sandbox. */
  readonly nodeVersion: string;
  /** Paths the sandbox may read (absolute). */
  readonly read: readonly string[];
  /** Paths the sandbox may write (absolute; also readable). */
  readonly write: readonly string[];
  /** `--max-old-space-size`, MB. */
  readonly maxOldSpaceMb: number;
}

/**
 * The flag that turns the permission model on for a Node.js version: `--permission` from 22.13
 * and 23.5 (its stable name), `--experimental-permission` before (Node 20.x, 21.x, 22.0-22.12).
 */
export function permissionFlag(nodeVersion: string): '--permission' | '--experimental-permission' {
  const [major = 0, minor = 0] = nodeVersion.replace(/^v/, '').split('.').map(Number);
  if (major > 23 || (major === 23 && minor >= 5) || (major === 22 && minor >= 13)) return '--permission';
  return '--experimental-permission';
}

/**
 * The `execArgv` of a sandbox process.
 *
 * @remarks
 * Only `--allow-fs-read` and `--allow-fs-write` are given, once per path (Node 20.20 and 24 read
 * repeated flags; a comma no longer separates paths), so child processes, worker threads, native
 * addons, WASI and (on Node 24) the inspector stay denied. Paths are deduplicated and sorted, so
 * the same grants give the same command line.
 */
export function sandboxFlags(input: SandboxFlagsInput): string[] {
  const read = [...new Set([...input.read, ...input.write])].sort();
  const write = [...new Set(input.write)].sort();
  return [
    permissionFlag(input.nodeVersion),
    ...read.map((path) => `--allow-fs-read=${path}`),
    ...write.map((path) => `--allow-fs-write=${path}`),
    `--max-old-space-size=${input.maxOldSpaceMb}`,
    '--enable-source-maps',
  ];
}

/**
 * A global housekeeping job for `xcore.yaml`: deletes files older than a maximum age from a folder.
 *
 * @remarks
 * Declared in the root `xcore.yaml` as
 * `func: ./jobs/prune-files.ts:pruneOldFiles` with `args: [{ dir, maxAgeMs }]`. Only regular files
 * directly inside `dir` are considered (no recursion, links are left alone); a missing folder is
 * not an error. The run's `signal` is honoured between files, so a timeout or shutdown stops it
 * cleanly.
 */
import { lstat, readdir, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** The job's single argument. */
export interface PruneOptions {
  /** Folder to prune, relative to the working directory. */
  readonly dir: string;
  /** Files whose last modification is older than this many milliseconds are deleted. */
  readonly maxAgeMs: number;
}

/** What the job context gives this function (a structural subset of the scheduler's `JobContext`). */
interface PruneContext {
  readonly signal: AbortSignal;
  readonly scheduledAt: Date;
  readonly args: readonly unknown[];
  readonly logger: { info(obj: object, msg: string): void };
}

/** Deletes files in `args[0].dir` older than `args[0].maxAgeMs`; returns how many were deleted. */
export async function pruneOldFiles(ctx: PruneContext): Promise<number> {
  const options = ctx.args[0] as PruneOptions | undefined;
  if (options === undefined || typeof options.dir !== 'string' || typeof options.maxAgeMs !== 'number') {
    throw new TypeError('pruneOldFiles needs args: [{ dir: string, maxAgeMs: number }]');
  }
  const dir = resolve(options.dir);
  const cutoff = ctx.scheduledAt.getTime() - options.maxAgeMs;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    ctx.logger.info({ dir, scanned: 0, deleted: 0 }, 'pruned old files (folder absent)');
    return 0;
  }
  let deleted = 0;
  for (const name of names) {
    ctx.signal.throwIfAborted();
    const file = join(dir, name);
    const info = await lstat(file);
    if (info.isFile() && info.mtimeMs < cutoff) {
      await unlink(file);
      deleted += 1;
    }
  }
  ctx.logger.info({ dir, scanned: names.length, deleted }, 'pruned old files');
  return deleted;
}

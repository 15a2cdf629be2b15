/**
 * When a crashed sandbox is restarted, and when it is given up on. Pure: crash times in, a
 * decision out.
 */

/** The `plugins.sandbox` settings the policy reads. */
export interface RestartSettings {
  readonly restartDelayMs: number;
  readonly maxRestartDelayMs: number;
  readonly maxCrashes: number;
  readonly crashWindowMs: number;
}

/** What to do after a crash. */
export type RestartDecision = { readonly action: 'restart'; readonly delayMs: number; readonly crashes: number } | { readonly action: 'fail'; readonly crashes: number };

/**
 * Decides what follows a crash at `now`, given the earlier crash times (ms), and returns the crash
 * times to keep.
 *
 * @remarks
 * Crashes older than `crashWindowMs` are forgotten. With `maxCrashes` crashes in the window the
 * plugin is failed; otherwise it restarts after `restartDelayMs * 2^(crashes in window - 1)`,
 * capped at `maxRestartDelayMs`.
 *
 * @example
 * ```ts
 * decideRestart([], 10_000, settings); // { decision: { action: 'restart', delayMs: 1000, crashes: 1 }, crashes: [10000] }
 * ```
 */
export function decideRestart(earlier: readonly number[], now: number, settings: RestartSettings): { decision: RestartDecision; crashes: number[] } {
  const crashes = [...earlier.filter((at) => now - at < settings.crashWindowMs), now];
  if (crashes.length >= settings.maxCrashes) return { decision: { action: 'fail', crashes: crashes.length }, crashes };
  const delayMs = Math.min(settings.maxRestartDelayMs, settings.restartDelayMs * 2 ** (crashes.length - 1));
  return { decision: { action: 'restart', delayMs, crashes: crashes.length }, crashes };
}

import { pluginSummary, type Kernel, type Logger } from '@xcore/core';

/**
 * Logs the `xcore started` line of `start` and `dev`: the config file, the boot time and every
 * plugin's state (started, failed with its error, skipped with the dependency, not enabled); at
 * warn when a plugin failed or was skipped, at info otherwise.
 *
 * @param began - `performance.now()` when the boot began.
 */
export function logStarted(logger: Logger, kernel: Kernel, configFile: string, began: number): void {
  const summary = pluginSummary(kernel.plugins());
  const level = summary.failed.length > 0 || summary.skipped.length > 0 ? 'warn' : 'info';
  logger[level]({ config: configFile, ms: Math.round(performance.now() - began), ...summary }, 'xcore started');
}

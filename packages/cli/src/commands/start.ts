/**
 * `xcore start [-c file]`: boots the app, runs until SIGINT/SIGTERM, then drains and stops.
 */
import { createKernel, createLogger, loadConfig } from '@xcore/core';
import type { CliIo } from '../cli.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { findConfigFile } from '../find-config.js';
import { builtinServices } from '../services.js';

const SIGNAL_NUMBERS: Readonly<Record<string, number>> = { SIGINT: 2, SIGTERM: 15 };

/**
 * Runs `xcore start` and resolves to the exit code once the app has stopped.
 *
 * @remarks
 * The first SIGINT/SIGTERM stops plugins in reverse order, then services, within
 * `app.shutdownTimeoutMs`; a second signal forces the exit at once (128 + signal number).
 */
export async function startCommand(options: { configPath: string | undefined; io: CliIo }): Promise<ExitCodeValue> {
  const file = findConfigFile(options.configPath, options.io.cwd);
  const loaded = await loadConfig(file, { env: options.io.env, services: builtinServices });
  const logger = createLogger(loaded.config.logging, { name: loaded.config.app.name });

  let signalled: ((signal: NodeJS.Signals) => void) | undefined;
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => (signalled = resolve));
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals === 1) {
      logger.info({ signal }, 'shutdown requested; send the signal again to force exit');
      signalled?.(signal);
      return;
    }
    logger.warn({ signal }, 'second signal: forcing exit without waiting for the drain');
    process.exit(128 + (SIGNAL_NUMBERS[signal] ?? 0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const kernel = createKernel({ loaded, services: builtinServices, logger });
  const bootStarted = performance.now();
  try {
    await kernel.start();
  } catch (error) {
    logger.fatal({ err: error }, 'boot failed; stopping what started');
    await kernel.stop();
    removeHandlers(onSignal);
    return ExitCode.ConfigOrBootError;
  }
  const plugins = kernel.plugins();
  logger.info(
    {
      config: file,
      ms: Math.round(performance.now() - bootStarted),
      started: plugins.filter((p) => p.state === 'started').length,
      failed: plugins.filter((p) => p.state === 'failed').map((p) => p.name),
    },
    'xcore started',
  );

  await stopRequested;
  const report = await kernel.stop();
  removeHandlers(onSignal);
  if (report.timedOut) {
    logger.warn({ unfinished: report.unfinished }, 'stopped after the drain deadline; unfinished work was aborted');
    return ExitCode.DrainTimeout;
  }
  logger.info('xcore stopped cleanly');
  return ExitCode.Ok;
}

function removeHandlers(handler: (signal: NodeJS.Signals) => void): void {
  process.off('SIGINT', handler);
  process.off('SIGTERM', handler);
}

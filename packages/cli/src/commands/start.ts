/**
 * `xcore start [-c file]`: boots the app, runs until a stop request, then drains and stops.
 */
import { createKernel, createLogger, debugFromEnv, isXcoreError, loadConfig, setLongTimeout, type Kernel, type Logger, type LongTimeout, type StopReport } from '@xcore/core';
import type { CliIo } from '../cli.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { findConfigFile } from '../find-config.js';
import { logStarted } from '../host/boot-summary.js';
import { watchProcessFaults } from '../host/process-faults.js';
import { watchStopRequests } from '../host/stop-requests.js';
import { builtinServices } from '../services.js';

/**
 * How long past the drain deadline the command waits for the kernel's stop before it gives up:
 * the kernel lets connections close for up to one second after the deadline (`dispose`).
 */
export const STOP_GRACE_MS = 2_000;

/**
 * Runs `xcore start` and resolves to the exit code once the app has stopped.
 *
 * @remarks
 * SIGINT, SIGTERM and SIGHUP stop the app gracefully: during boot, boot stops at its next step;
 * afterwards running jobs drain, plugins stop in reverse order, then services, within
 * `app.shutdownTimeoutMs`. A second signal forces the exit at once (128 + signal number). An
 * uncaught exception stops the app the same way and exits 70; a floating rejection is logged and
 * counted (see `process-faults.ts`). The stop never waits past the drain deadline plus
 * {@link STOP_GRACE_MS}, whatever a handler does; the caller then exits the process, even if a
 * handler left a timer or socket behind (`bin.ts`).
 */
export async function startCommand(options: { configPath: string | undefined; io: CliIo; debug?: boolean }): Promise<ExitCodeValue> {
  const file = findConfigFile(options.configPath, options.io.cwd);
  const loaded = await loadConfig(file, { env: options.io.env, services: builtinServices });
  const logger = createLogger(loaded.config.logging, { name: loaded.config.app.name, debugErrors: options.debug === true || debugFromEnv(options.io.env) });

  const beforeBoot = activeResources();
  const stops = watchStopRequests({ logger, forceExit: (code) => process.exit(code) });
  // Left installed until the process exits: a timer a stopped job left behind may still throw.
  const faults = watchProcessFaults({ logger, origins: loaded.config.app.faultOrigins, onUncaught: () => stops.request('uncaughtException') });

  const kernel = createKernel({ loaded, services: builtinServices, logger });
  const bootStarted = performance.now();
  let bootFailed = false;
  try {
    await kernel.start({ signal: stops.signal });
    logStarted(logger, kernel, file, bootStarted);
    await stops.requested;
  } catch (error) {
    if (stops.reason !== undefined) {
      logger.info({ reason: stops.reason }, 'boot interrupted by a stop request; stopping what started');
    } else {
      bootFailed = true;
      // A plugin failure under failFast was logged with its error ('plugin failed'); not said twice.
      if (isXcoreError(error, 'XCORE_ERR_PLUGIN_START_FAILED')) logger.fatal({ code: error.code }, 'boot aborted by plugins.failFast (the plugin failure is logged above); stopping what started');
      else logger.fatal({ err: error }, 'boot failed; stopping what started');
    }
  }

  const report = await stopWithin(kernel, loaded.config.app.shutdownTimeoutMs + STOP_GRACE_MS, logger);
  stops.close();
  const code: ExitCodeValue =
    faults.uncaughtExceptions > 0 ? ExitCode.Internal
    : bootFailed ? ExitCode.ConfigOrBootError
    : report.timedOut ? ExitCode.DrainTimeout
    : ExitCode.Ok;
  const counts = { exitCode: code, unhandledRejections: faults.unhandledRejections, uncaughtExceptions: faults.uncaughtExceptions };
  if (code === ExitCode.Ok) logger.info(counts, 'xcore stopped cleanly');
  else if (code === ExitCode.DrainTimeout) logger.warn({ ...counts, unfinished: report.unfinished }, 'stopped after the drain deadline; unfinished work was aborted');
  else logger.warn(counts, 'xcore stopped');
  logLeftovers(logger, beforeBoot);
  return code;
}

/** `kernel.stop()`, or a timed-out report once `limitMs` passed (the kernel bounds its own steps; this bounds the rest). */
async function stopWithin(kernel: Kernel, limitMs: number, logger: Logger): Promise<StopReport> {
  let timer: LongTimeout | undefined;
  const late = new Promise<StopReport>((resolve) => {
    timer = setLongTimeout(() => {
      logger.error({ waitedMs: limitMs }, 'shutdown did not finish by its drain deadline; exiting anyway');
      resolve({ timedOut: true, unfinished: ['shutdown'], failed: [] });
    }, limitMs);
  });
  try {
    return await Promise.race([kernel.stop(), late]);
  } finally {
    timer?.clear();
  }
}

/** Kinds of resources (`process.getActiveResourcesInfo()`) that plugin and job code leaves behind. */
const LEFTOVER_KINDS: ReadonlySet<string> = new Set(['Timeout', 'TCPWrap', 'TCPSocketWrap', 'TCPServerWrap', 'UDPWrap', 'ProcessWrap']);

/** Counts of the resources of {@link LEFTOVER_KINDS} keeping the process alive now. */
function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) if (LEFTOVER_KINDS.has(kind)) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/** Logs the timers and sockets alive now beyond those alive before boot: the exit abandons them. */
function logLeftovers(logger: Logger, beforeBoot: ReadonlyMap<string, number>): void {
  const left: Record<string, number> = {};
  for (const [kind, count] of activeResources()) if (count > (beforeBoot.get(kind) ?? 0)) left[kind] = count - (beforeBoot.get(kind) ?? 0);
  if (Object.keys(left).length === 0) return;
  logger.warn({ resources: left }, 'exiting with timers or sockets a plugin or job left running; they are abandoned');
}

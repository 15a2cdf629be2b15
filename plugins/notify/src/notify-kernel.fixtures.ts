/**
 * A real kernel with the scheduler, the shipped `notify` plugin (and `health` when asked), and a
 * `work` plugin whose jobs a test drives: `work:sync` fails (after one retry) until told to
 * succeed, `work:stuck` times out after 50 ms, `work:fine` succeeds.
 *
 * The plugins load from a temp folder that links to this repo's plugins, so their `@xcore/core`
 * import resolves to the built package: run `pnpm build` first, as `pnpm test` does.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { schedulerService } from '@xcore/scheduler';
import { createKernel, parseConfigText, type Kernel } from '@xcore/core';
import { memoryLogger } from '../../../packages/core/src/kernel/kernel.fixtures.js';
import type { NotifyStatus } from './notifier.js';

const pluginsRoot = fileURLToPath(new URL('../../', import.meta.url));

const WORK_PLUGIN = `
let succeed = false;
export default {
  async onStart(ctx: any) {
    const scheduler = ctx.getService('scheduler');
    // Run only when asked: without a startDate an hourly interval also fires on the hour (UTC).
    const startDate = new Date(Date.now() + 3_600_000);
    await scheduler.addJob(() => { if (!succeed) throw new Error('database unreachable'); }, { id: 'sync', every: '1h', startDate, retries: 1, retryDelay: 10 });
    await scheduler.addJob(() => new Promise(() => {}), { id: 'stuck', every: '1h', startDate, timeout: '50ms' });
    await scheduler.addJob(() => undefined, { id: 'fine', every: '1h', startDate });
  },
  actions: ['run', 'succeed'],
  handle(action: string, payload: any, ctx: any) {
    if (action === 'succeed') { succeed = payload === true; return succeed; }
    return ctx.getService('scheduler').runJob(payload);
  },
};
`;

/** A booted app and handles on it. */
export interface NotifyApp {
  readonly kernel: Kernel;
  /** Every log line, parsed. */
  readonly lines: Record<string, unknown>[];
  /** Runs job `work:<id>` now; resolves to its run record. */
  run(id: 'sync' | 'stuck' | 'fine'): Promise<{ status: string; attempts: number; error?: string }>;
  /** Makes `work:sync` succeed (`true`) or fail. */
  succeed(yes: boolean): Promise<void>;
  status(): Promise<NotifyStatus>;
  /** Resolves once no channel has a message waiting or in flight. */
  settled(timeoutMs?: number): Promise<NotifyStatus>;
  /** Stops the kernel (if running) and removes the temp folder. */
  close(): Promise<void>;
}

/** Options of {@link bootNotifyApp}. */
export interface BootOptions {
  /** YAML of `plugins.config.notify`, indented by 6 spaces. */
  readonly notify: string;
  /** Also load the shipped `health` plugin. */
  readonly health?: boolean;
  readonly hookTimeout?: string;
  readonly appName?: string;
  readonly env?: Record<string, string>;
}

/** Boots the app; see the module comment. */
export async function bootNotifyApp(options: BootOptions): Promise<NotifyApp> {
  const dir = mkdtempSync(join(tmpdir(), 'xcore-notify-'));
  symlinkSync(join(pluginsRoot, 'notify'), join(dir, 'notify'));
  if (options.health === true) symlinkSync(join(pluginsRoot, 'health'), join(dir, 'health'));
  mkdirSync(join(dir, 'work'));
  writeFileSync(join(dir, 'work', 'package.json'), JSON.stringify({ name: 'work', version: '1.0.0', type: 'module', xcore: { entry: './index.ts' } }));
  writeFileSync(join(dir, 'work', 'index.ts'), WORK_PLUGIN);
  const health = options.health === true ? '    health:\n      summary: null\n' : '';
  const yaml =
    `app:\n  name: ${options.appName ?? 'notify-test'}\n  shutdownTimeoutMs: 20s\n` +
    `plugins:\n  directory: ${JSON.stringify(dir)}\n  hookTimeoutMs: ${options.hookTimeout ?? '10s'}\n  failFast: true\n  config:\n${health}    notify:\n${options.notify}`;
  const loaded = parseConfigText(yaml, join(dir, 'xcore.yaml'), { env: options.env ?? {}, prettyDefault: false });
  const { logger, lines } = memoryLogger();
  const kernel = createKernel({ loaded, services: [schedulerService], logger });
  let stopped = false;
  try {
    await kernel.start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const status = (): Promise<NotifyStatus> => kernel.call<NotifyStatus>('notify', 'status');
  return {
    kernel,
    lines,
    run: (id) => kernel.call('work', 'run', id),
    succeed: async (yes) => void (await kernel.call('work', 'succeed', yes)),
    status,
    async settled(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = await status();
        if (Object.values(s.channels).every((c) => c.queued === 0 && c.inFlight === 0)) return s;
        if (Date.now() > deadline) throw new Error(`notify still busy after ${timeoutMs} ms: ${JSON.stringify(s.channels)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      if (!stopped) await kernel.stop();
      stopped = true;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

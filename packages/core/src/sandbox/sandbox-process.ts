/**
 * One sandbox process: started with the permission model, a minimal environment and a heap cap,
 * watched for resident memory, stopped with a grace period.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import type { SandboxMessage } from './protocol.js';
import { RpcChannel } from './rpc-channel.js';
import { guardChild, residentBytes } from './child-guardian.js';

/** How a sandbox process ended. */
export interface SandboxExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** `rss` when the watchdog killed it, `heap` when V8 hit the heap cap, `exit` otherwise. */
  readonly reason: 'exit' | 'heap' | 'rss';
  /** The last lines it wrote to stderr (the crash's own words). */
  readonly stderr: string;
  /** True when the host asked it to stop. */
  readonly requested: boolean;
}

/** What {@link SandboxProcess.spawn} needs. */
export interface SandboxSpawnOptions {
  /** Absolute path of the bootstrap module. */
  readonly bootstrap: string;
  /** Node flags (permission model, heap cap). */
  readonly execArgv: readonly string[];
  /** The whole environment of the process. */
  readonly env: Readonly<Record<string, string>>;
  /** Working directory (the plugin's data folder). */
  readonly cwd: string;
  /** Resident memory at which the watchdog kills it, MB. */
  readonly maxRssMb: number;
  /** The plugin's logger: the process's log lines and output go there. */
  readonly logger: Logger;
  /** Answers a `call` from the sandbox (the grant table). */
  perform(method: string, args: unknown): Promise<unknown>;
}

/** How often the watchdog reads the process's resident memory. */
const RSS_CHECK_MS = 1_000;
/** Longest log line accepted from a sandbox (the bootstrap cuts its own at 64 KiB). */
const MAX_LOG_LINE = 65 * 1024;
/** How long an exited process's remaining output is waited for. */
const OUTPUT_DRAIN_MS = 250;
/** Stderr lines kept to explain a crash. */
const STDERR_LINES = 20;
/** pino's numeric levels, to re-log a sandbox's lines at their own level. */
const LEVELS: Readonly<Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'>> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** Resolves when `stream` has ended (at once when there is none or it already ended). */
function ended(stream: NodeJS.ReadableStream | null): Promise<void> {
  if (stream === null || (stream as { readableEnded?: boolean }).readableEnded === true) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
  });
}

/** Resident memory of `pid` in MB from `/proc` (Linux); `undefined` elsewhere or when it is gone. */
function rssMb(pid: number): number | undefined {
  const bytes = residentBytes(pid);
  return bytes === undefined ? undefined : bytes / 1_048_576;
}

/** A running sandbox process and the request channel to it. */
export class SandboxProcess {
  readonly rpc: RpcChannel;
  /** Resolves once the process has exited. */
  readonly exited: Promise<SandboxExit>;
  readonly #child: ChildProcess;
  readonly #logger: Logger;
  #killedFor: 'rss' | undefined;
  #requested = false;
  readonly #stderr: string[] = [];
  #watchdog: NodeJS.Timeout | undefined;

  private constructor(child: ChildProcess, options: SandboxSpawnOptions) {
    this.#child = child;
    this.#logger = options.logger;
    this.rpc = new RpcChannel({ send: (message) => child.connected && child.send(message) });
    child.on('message', (raw: unknown) => this.#onMessage(raw as SandboxMessage, options));
    this.#pipe(child.stdout, 'stdout');
    this.#pipe(child.stderr, 'stderr');
    this.exited = new Promise((resolve) => {
      child.once('exit', async (code, signal) => {
        clearInterval(this.#watchdog);
        // Its last output (a crash's stack) is still in the pipes: read it before reporting.
        await Promise.race([Promise.all([ended(child.stdout), ended(child.stderr)]), new Promise((r) => setTimeout(r, OUTPUT_DRAIN_MS))]);
        const stderr = this.#stderr.join('\n');
        const reason = this.#killedFor ?? (/heap limit|JavaScript heap out of memory/i.test(stderr) ? 'heap' : 'exit');
        resolve({ code, signal, reason, stderr, requested: this.#requested });
      });
    });
    child.once('error', (err) => this.#logger.error({ err }, 'sandbox process error'));
    this.#watchdog = setInterval(() => {
      const pid = child.pid;
      const rss = pid === undefined ? undefined : rssMb(pid);
      if (rss !== undefined && rss > options.maxRssMb && this.#killedFor === undefined) {
        this.#killedFor = 'rss';
        this.#logger.error({ rssMb: Math.round(rss), maxRssMb: options.maxRssMb }, 'sandbox process passed its resident memory limit; killing it');
        child.kill('SIGKILL');
      }
    }, RSS_CHECK_MS);
    this.#watchdog.unref();
  }

  /** Starts a sandbox process running the bootstrap. */
  static spawn(options: SandboxSpawnOptions): SandboxProcess {
    const child = fork(options.bootstrap, [], {
      execArgv: [...options.execArgv],
      env: { ...options.env },
      cwd: options.cwd,
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    // A sandbox stuck in a busy loop never sees the channel close: the guardian kills it if the host dies.
    guardChild(child);
    return new SandboxProcess(child, options);
  }

  /** The process id (`undefined` if it failed to start). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** True until the process has exited. */
  get alive(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /**
   * Stops the process: closes the channel (the bootstrap exits when it closes), waits up to
   * `graceMs`, then kills it. Resolves once it has exited.
   */
  async stop(graceMs: number): Promise<SandboxExit> {
    this.#requested = true;
    if (this.alive) {
      if (this.#child.connected) this.#child.disconnect();
      const timer = setTimeout(() => {
        this.#logger.warn({ pid: this.#child.pid, graceMs }, 'sandbox process did not exit within its stop grace; killing it');
        this.#child.kill('SIGKILL');
      }, graceMs);
      const exit = await this.exited;
      clearTimeout(timer);
      return exit;
    }
    return this.exited;
  }

  /** Kills the process at once (SIGKILL). */
  kill(): void {
    this.#requested = true;
    if (this.alive) this.#child.kill('SIGKILL');
  }

  #onMessage(message: SandboxMessage, options: SandboxSpawnOptions): void {
    if (message === null || typeof message !== 'object') return;
    if (message.t === 'reply') this.rpc.settle(message);
    else if (message.t === 'call') void this.rpc.answer(message.id, () => options.perform(message.method, message.args));
    else if (message.t === 'log') this.#relog(message.line);
  }

  /** Re-logs a pino line the sandbox wrote, at its level, under the plugin's logger. */
  #relog(line: unknown): void {
    if (typeof line !== 'string') return;
    if (line.length > MAX_LOG_LINE) {
      // The bootstrap cuts its lines; a longer one was sent around it: keep the start, as text.
      this.#logger.warn({ sandbox: true, chars: line.length }, `${line.slice(0, 1_024)}… (log line cut)`);
      return;
    }
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.#logger.info({ sandbox: true }, line);
      return;
    }
    const { level, msg, time: _t, pid: _p, hostname: _h, ...fields } = entry;
    const method = LEVELS[typeof level === 'number' ? level : 30] ?? 'info';
    this.#logger[method]({ ...fields, sandbox: true }, typeof msg === 'string' ? msg : '');
  }

  #pipe(stream: NodeJS.ReadableStream | null, name: 'stdout' | 'stderr'): void {
    if (stream === null) return;
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) this.#line(line, name);
    });
    stream.on('end', () => {
      if (rest !== '') this.#line(rest, name);
    });
  }

  #line(line: string, stream: 'stdout' | 'stderr'): void {
    // Node 20 warns on stderr that the permission model is experimental: expected, not news.
    if (line === '' || /ExperimentalWarning: Permission is an experimental|node --trace-warnings/.test(line)) return;
    if (stream === 'stderr') {
      this.#stderr.push(line);
      if (this.#stderr.length > STDERR_LINES) this.#stderr.shift();
    }
    this.#logger[stream === 'stderr' ? 'warn' : 'info']({ stream, sandbox: true }, line);
  }
}

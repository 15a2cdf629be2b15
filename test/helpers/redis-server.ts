/**
 * Starts a throwaway `redis-server` for a test suite: a fresh process on a free port in a temp dir.
 *
 * @remarks
 * - `REDIS_URL` set: the suite uses that server instead (no `kill`/`restart`; tests that need them
 *   check {@link RedisServer.controllable}). Suites must isolate themselves with unique key prefixes.
 * - `redis-server` missing and no `REDIS_URL`: with `CI=true` the suite fails loudly
 *   ({@link redisUnavailable} throws); otherwise it prints a loud warning and the suite is skipped
 *   with `describe.skipIf(redisUnavailable())`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/** A running Redis server for tests. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** `false` when the server comes from `REDIS_URL` (it cannot be killed or restarted here). */
  readonly controllable: boolean;
  /** Shuts the server down (SIGTERM) and removes its temp dir. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILLs the server, as a crash; `restart()` brings it back on the same port. */
  kill(): Promise<void>;
  /** Kills the server if running and starts it again on the same port and dir (AOF data survives). */
  restart(): Promise<void>;
  /** SIGSTOPs the server: connections stay open, nothing is answered (a stalled Redis). */
  freeze(): void;
  /** SIGCONTs a frozen server: it answers again, running what it received meanwhile. */
  thaw(): void;
}

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** Keep data across `restart()` with an append-only file (fsync always). @defaultValue `false` */
  readonly appendOnly?: boolean;
  /** Extra `redis-server` arguments, e.g. `['--cluster-enabled', 'yes']`. @defaultValue `[]` */
  readonly args?: readonly string[];
  /** Port to use. @defaultValue a free port */
  readonly port?: number;
}

let availability: boolean | undefined;

/** True when `redis-server` can be spawned here. */
export function hasRedisServerBinary(): boolean {
  if (availability === undefined) {
    const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
    availability = probe.status === 0;
  }
  return availability;
}

/**
 * True when Redis suites must be skipped: no `REDIS_URL` and no `redis-server` binary.
 *
 * @remarks With `CI=true` it throws instead, so CI never silently skips the Redis suites.
 */
export function redisUnavailable(options: { needBinary?: boolean } = {}): boolean {
  if (!options.needBinary && process.env['REDIS_URL']) return false;
  if (hasRedisServerBinary()) return false;
  const what = options.needBinary ? 'redis-server (this suite needs its own servers)' : 'redis-server and REDIS_URL';
  if (process.env['CI'] === 'true') {
    throw new Error(`${what} not available, and CI=true: install redis-server (apt-get install redis-server) or set REDIS_URL.`);
  }
  process.stderr.write(`\n!!! WARNING: ${what} not available: Redis suites are SKIPPED. Install redis-server or set REDIS_URL.\n\n`);
  return true;
}

/** Finds a free TCP port on 127.0.0.1, in the kernel's ephemeral range (for test HTTP servers and the like). */
export async function freePort(): Promise<number> {
  return listenPort(0);
}

/**
 * A free port for a test redis-server (and, with `bus`, its Cluster bus port `port + 10000`).
 *
 * @remarks
 * Drawn from ranges no other test port comes from: cluster nodes 10000-15999 (bus ports
 * 20000-25999), plain servers 26000-31999, all below Linux's ephemeral range (32768-60999) where
 * {@link freePort}, other suites' servers and outgoing connections take ports at any moment. Two
 * suites can still draw the same port at the same instant: the caller retries on another when
 * redis-server finds it taken.
 */
async function redisPort(bus: boolean): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = bus ? 10000 + Math.floor(Math.random() * 6000) : 26000 + Math.floor(Math.random() * 6000);
    if ((await isFree(port)) && (!bus || (await isFree(port + 10000)))) return port;
  }
  throw new Error(`no free port found for a test redis-server${bus ? ' Cluster node' : ''}`);
}

function listenPort(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const chosen = typeof address === 'object' && address ? address.port : port;
      server.close(() => resolve(chosen));
    });
  });
}

async function isFree(port: number): Promise<boolean> {
  try {
    await listenPort(port);
    return true;
  } catch {
    return false;
  }
}

/** Sends `PING` until the server answers `+PONG` (after a restart it may still be loading the AOF). */
async function waitForPong(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      let data = '';
      socket.setTimeout(500);
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => { socket.destroy(); resolve(false); });
      socket.on('data', (chunk) => {
        data += chunk.toString();
        if (data.includes('\r\n')) { socket.destroy(); resolve(data.startsWith('+PONG')); }
      });
      socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms`);
}

/** redis-server exited while starting; `inUse` when its port was taken. */
class PortLost extends Error {
  constructor(message: string, readonly inUse: boolean) {
    super(message);
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts a fresh `redis-server` (or returns the `REDIS_URL` server).
 *
 * @example
 * ```ts
 * const skip = redisUnavailable();
 * describe.skipIf(skip)('RedisStore', () => {
 *   let redis: RedisServer;
 *   beforeAll(async () => { redis = await startRedisServer(); });
 *   afterAll(() => redis.stop());
 * });
 * ```
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const external = process.env['REDIS_URL'];
  if (external && !options.args?.length && !options.appendOnly) {
    const port = Number(new URL(external).port || 6379);
    const notHere = async (): Promise<void> => { throw new Error('REDIS_URL server cannot be killed or restarted by tests'); };
    const cannot = (): void => { throw new Error('REDIS_URL server cannot be stopped with signals by tests'); };
    return { url: external, port, controllable: false, stop: async () => {}, kill: notHere, restart: notHere, freeze: cannot, thaw: cannot };
  }
  const bus = options.args?.includes('--cluster-enabled') ?? false;
  let port = options.port ?? (await redisPort(bus));
  const dir = mkdtempSync(join(tmpdir(), 'xcore-redis-'));
  const args = (): string[] => [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
    '--appendonly', options.appendOnly ? 'yes' : 'no', '--appendfsync', 'always',
    '--logfile', '', '--loglevel', 'warning', ...(options.args ?? []),
  ];
  let child: ChildProcess | undefined;
  let stopped = false;

  const launch = async (): Promise<void> => {
    const proc = spawn('redis-server', args(), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout?.on('data', (chunk: Buffer) => { output = (output + chunk.toString()).slice(-4000); });
    proc.stderr?.on('data', (chunk: Buffer) => { output = (output + chunk.toString()).slice(-4000); });
    child = proc;
    const died = exited(proc).then(() => { throw new PortLost(`redis-server exited at start on port ${port}: ${output}`, output.includes('Address already in use')); });
    await Promise.race([waitForPong(port, 10_000), died]);
  };
  /** First start: a free port found earlier can be taken by another suite before redis-server binds it; then try another. */
  const firstLaunch = async (): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await launch();
        return;
      } catch (error) {
        child = undefined;
        if (!(error instanceof PortLost) || !error.inUse || options.port !== undefined || attempt >= 5) {
          rmSync(dir, { recursive: true, force: true });
          throw error;
        }
        port = await redisPort(bus);
      }
    }
  };
  const kill = async (): Promise<void> => {
    if (!child) return;
    const proc = child;
    child = undefined;
    proc.kill('SIGCONT');
    proc.kill('SIGKILL');
    await exited(proc);
  };
  const signal = (name: 'SIGSTOP' | 'SIGCONT'): void => {
    if (!child) throw new Error(`redis-server on port ${port} is not running`);
    child.kill(name);
  };

  await firstLaunch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    controllable: true,
    kill,
    freeze: () => signal('SIGSTOP'),
    thaw: () => signal('SIGCONT'),
    async restart() {
      await kill();
      await launch();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child) {
        const proc = child;
        child = undefined;
        proc.kill('SIGCONT');
        proc.kill('SIGTERM');
        await exited(proc);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts a Redis server before the tests of the calling `describe` and stops it after them;
 * returns a getter for it (valid inside the tests).
 *
 * @example
 * ```ts
 * describe.skipIf(redisUnavailable())('on Redis', () => {
 *   const redis = useRedisServer();
 *   it('...', () => new RedisStore({ url: redis().url }));
 * });
 * ```
 */
export function useRedisServer(options: RedisServerOptions = {}): () => RedisServer {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await startRedisServer(options);
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (server === undefined) throw new Error('the Redis server is not started (use it inside a test)');
    return server;
  };
}

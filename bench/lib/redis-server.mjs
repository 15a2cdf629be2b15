/**
 * A throwaway redis-server on a free port for the Redis benchmark: no persistence, its own
 * working directory, killed by the caller.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Starts redis-server; resolves to `{ url, port, client, stop() }` once it answers PING. */
export async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'xcore-bench-redis-'));
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--dir', dir, '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
  const exited = new Promise((r) => proc.once('exit', r));
  const url = `redis://127.0.0.1:${port}`;
  const client = new IORedis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  // Connection errors while the server boots are expected; the loop below retries them.
  client.on('error', () => {});
  for (let i = 0; ; i++) {
    try {
      await client.connect();
      await client.ping();
      break;
    } catch (err) {
      if (i > 50) throw new Error(`redis-server on port ${port} did not answer PING: ${err.message}`);
      client.disconnect();
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url, port, client,
    async stop() {
      client.disconnect();
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** Commands processed and CPU seconds used by the server so far (from INFO). */
export async function serverCounters(client) {
  const info = await client.info();
  const field = (name) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return {
    commands: field('total_commands_processed'),
    cpuSeconds: field('used_cpu_sys') + field('used_cpu_user'),
  };
}

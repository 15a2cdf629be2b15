/**
 * Starts a throwaway local Redis Cluster: 3 masters, no replicas, each a fresh `redis-server
 * --cluster-enabled yes` on a free port (and its bus port + 10000), joined with
 * `redis-cli --cluster create ... --cluster-yes`.
 *
 * @remarks Needs the `redis-server` and `redis-cli` binaries; `REDIS_URL` does not apply. Skip
 * with `describe.skipIf(redisUnavailable({ needBinary: true }))`.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import { startRedisServer, type RedisServer } from './redis-server.js';

/** A running local cluster. */
export interface RedisCluster {
  /** Seed nodes for `new Cluster(nodes)`. */
  readonly nodes: ReadonlyArray<{ host: string; port: number }>;
  readonly servers: readonly RedisServer[];
  /** Stops every node and removes their dirs. */
  stop(): Promise<void>;
}

function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { out += c.toString(); });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${out}`))));
  });
}

/** Starts a 3-master cluster and waits until every node reports `cluster_state:ok`. */
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const servers: RedisServer[] = [];
  try {
    for (let i = 0; i < masters; i++) {
      servers.push(await startRedisServer({
        args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000'],
      }));
    }
    await run('redis-cli', ['--cluster', 'create', ...servers.map((s) => `127.0.0.1:${s.port}`), '--cluster-replicas', '0', '--cluster-yes']);
    const deadline = Date.now() + 20_000;
    for (const server of servers) {
      for (;;) {
        const info = await run('redis-cli', ['-p', String(server.port), 'cluster', 'info']);
        if (info.includes('cluster_state:ok')) break;
        if (Date.now() > deadline) throw new Error(`cluster node ${server.port} not ok: ${info}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (error) {
    await Promise.all(servers.map((s) => s.stop()));
    throw error;
  }
  return {
    nodes: servers.map((s) => ({ host: '127.0.0.1', port: s.port })),
    servers,
    stop: async () => { await Promise.all(servers.map((s) => s.stop())); },
  };
}

/**
 * Starts a cluster before the tests of the calling `describe` and stops it after them; returns
 * a getter for it (valid inside the tests).
 */
export function useRedisCluster(masters = 3): () => RedisCluster {
  let cluster: RedisCluster | undefined;
  beforeAll(async () => {
    cluster = await startRedisCluster(masters);
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  return () => {
    if (cluster === undefined) throw new Error('the Redis Cluster is not started (use it inside a test)');
    return cluster;
  };
}

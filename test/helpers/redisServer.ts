/** A throwaway redis-server of the test's own, on a loopback port, that the test can kill and restart (never the shared one). */
import { expect } from 'vitest';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { api } from './http.js';
import { freePort, type Running, startService } from './inProcess.js';
import { postgresSchema } from './stores.js';

const START_WAIT_MS = 5000;

export const redisServerAvailable = (): boolean => spawnSync('redis-server', ['--version']).status === 0;

export class RedisServer {
  private process: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    await server.restart();
    return server;
  }

  /** Starts it (again) on the same port; resolves once it accepts connections. */
  async restart(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process = child;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start within ${START_WAIT_MS} ms: ${output}`)), START_WAIT_MS);
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}): ${output}`));
      });
    });
  }

  /** Kills it at once (an outage, not a clean stop); resolves once it is gone. */
  async kill(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }
}

export type Readiness = { status: string; failing?: string[] };

export async function readiness(server: Running): Promise<{ status: number; body: Readiness }> {
  return api<Readiness>(server.url, 'GET', '/readyz');
}

/** Polls /readyz until it answers `status` (the node noticed an outage or its end), for at most `waitMs`. */
export async function readinessBecomes(server: Running, status: number, waitMs = 10_000): Promise<Readiness> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const res = await readiness(server);
    if (res.status === status) return res.body;
    if (Date.now() > deadline) throw new Error(`/readyz still ${res.status} ${JSON.stringify(res.body)} after ${waitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A redis-server of the test's own and a server using it (on a PostgreSQL
 * schema of its own when DATABASE_URL is set); each teardown is pushed onto
 * `cleanups`, to be run in reverse.
 */
export async function serverWithOwnRedis(cleanups: Array<() => Promise<void>>, env: Record<string, string> = {}): Promise<{ redis: RedisServer; server: Running }> {
  const redis = await RedisServer.start();
  cleanups.push(() => redis.kill());
  const databaseUrl = process.env.DATABASE_URL;
  const schema = databaseUrl ? await postgresSchema(databaseUrl) : undefined;
  if (schema) cleanups.push(() => schema.drop());
  const server = await startService({ ...env, REDIS_URL: redis.url, ...(schema ? { DATABASE_URL: schema.url } : {}) });
  cleanups.push(() => server.stop());
  return { redis, server };
}

/**
 * Two nodes on a redis-server of the test's own, sharing a PostgreSQL schema
 * (DATABASE_URL) and a recovery pepper; each teardown is pushed onto `cleanups`.
 */
export async function clusterWithOwnRedis(
  cleanups: Array<() => Promise<void>>,
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<{ redis: RedisServer; node1: Running; node2: Running }> {
  const redis = await RedisServer.start();
  cleanups.push(() => redis.kill());
  const schema = await postgresSchema(databaseUrl, 'metsony_outage');
  cleanups.push(() => schema.drop());
  const shared = { REDIS_URL: redis.url, DATABASE_URL: schema.url, RECOVERY_PEPPER: 'cluster-test-pepper-0123456789abcdef', ...env };
  const node1 = await startService(shared);
  cleanups.push(() => node1.stop());
  const node2 = await startService(shared);
  cleanups.push(() => node2.stop());
  return { redis, node1, node2 };
}

/** Kills Redis and waits until every node's /readyz says 503. */
export async function outage(redis: RedisServer, ...nodes: Running[]): Promise<void> {
  await redis.kill();
  for (const node of nodes) expect((await readinessBecomes(node, 503)).failing).toContain('redis');
}

/** Restarts Redis and waits until every node's /readyz says 200 again. */
export async function recovery(redis: RedisServer, ...nodes: Running[]): Promise<void> {
  await redis.restart();
  for (const node of nodes) await readinessBecomes(node, 200);
}

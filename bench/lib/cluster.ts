/**
 * Two nodes for the `cluster` scenario, each side with what it needs, all on
 * 127.0.0.1 and all stopped (and removed) by `stop()`:
 * - a redis-server of the bench's own on a free port (no persistence);
 * - server: two METSONY nodes (the production build) on that Redis and a
 *   fresh PostgreSQL database on 127.0.0.1:5432 (created here, dropped at the
 *   end; trust auth as user postgres, or BENCH_PG_URL);
 * - baseline: two Socket.IO relays (bench/baseline-socketio.ts) on that Redis.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Target } from './loadgen.js';
import { freePort, startTarget, type TargetProcess, track } from './proc.js';

const ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type ClusterTarget = TargetProcess & { nodes: Array<{ url: string; wsUrl: string; pid: number }>; pids: number[] };

async function startRedis(): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const port = await freePort();
  const child = track(spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] }));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start within 5 s: ${output}`)), 5000);
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('error', (err) => reject(new Error(`redis-server: ${err.message} (is it installed?)`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

async function createDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `metsony_bench_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined) };
}

/** Starts the side `kind` of the cluster scenario; `stop()` stops the nodes, Redis, and drops the database. */
export async function startCluster(kind: Target, nodeEnv: Record<string, string>): Promise<ClusterTarget> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    let env: Record<string, string> = { REDIS_URL: redis.url };
    if (kind === 'server') {
      const db = await createDatabase();
      cleanups.push(() => db.drop());
      env = { ...env, DATABASE_URL: db.url, RECOVERY_PEPPER: `bench-pepper-${randomBytes(16).toString('hex')}`, ...nodeEnv };
    }
    const nodes: TargetProcess[] = [];
    for (let i = 0; i < 2; i++) {
      // A fresh database is migrated by the first node: on a busy machine that takes a while.
      const node = await startTarget(kind, { env, baselineScript: 'baseline-socketio.ts', startMs: 120_000 });
      cleanups.push(() => node.stop());
      nodes.push(node);
    }
    const [first] = nodes as [TargetProcess];
    return {
      ...first,
      nodes: nodes.map((n) => ({ url: n.url, wsUrl: n.wsUrl, pid: n.pid })),
      pids: [...nodes.map((n) => n.pid), redis.pid],
      output: () => nodes.map((n, i) => `node ${i + 1}:\n${n.output()}`).join('\n'),
      stop: async () => {
        const code = await nodes[0]!.stop();
        await stopAll();
        return code;
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

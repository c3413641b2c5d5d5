/** GET /readyz: 200 while the node can serve, 503 naming what fails (Redis, draining); Redis outages logged once each way. */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from '../helpers/http.js';
import { startService } from '../helpers/inProcess.js';
import { readiness, readinessBecomes, redisServerAvailable, serverWithOwnRedis } from '../helpers/redisServer.js';
import { openSqliteStore } from '../../src/server/store/sqlite.js';
import type { Store } from '../../src/server/store/store.js';

const WAIT_MS = 10_000;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  vi.restoreAllMocks();
});

describe('/readyz', () => {
  it('answers 200 ready on the embedded default, and /healthz stays liveness', async () => {
    const server = await startService();
    cleanups.push(() => server.stop());
    expect(await readiness(server)).toMatchObject({ status: 200, body: { status: 'ready' } });
    expect((await api(server.url, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
  });

  it('answers 503 database when the store does not answer within its timeout', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metsony-readyz-'));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const real = await openSqliteStore(dir);
    const hanging: Store = Object.assign(Object.create(real) as Store, { ping: () => new Promise<void>(() => {}) });
    const server = await startService({}, { store: hanging });
    cleanups.push(() => server.stop());
    expect(await readiness(server)).toMatchObject({ status: 503, body: { status: 'unavailable', failing: ['database'] } });
  });

  it('answers 503 draining once the node has begun to close', async () => {
    const server = await startService();
    cleanups.push(() => server.stop());
    // A socket that never answers the close handshake holds the gateway's shutdown open (for up to 2 s), with the server still listening.
    const raw = await openSilentSocket(server.url);
    cleanups.push(async () => void raw.destroy());
    const closing = server.stop();
    expect(await readiness(server)).toMatchObject({ status: 503, body: { status: 'unavailable', failing: ['draining'] } });
    await closing;
  });

  it('refuses a new WebSocket with 503 unavailable once the node has begun to close, so a proxy picks another node', async () => {
    const server = await startService();
    cleanups.push(() => server.stop());
    const raw = await openSilentSocket(server.url);
    cleanups.push(async () => void raw.destroy());
    const closing = server.stop();
    const refused = await upgradeAnswer(server.url);
    expect(refused.head).toMatch(/^HTTP\/1\.1 503 /);
    expect(refused.head).toMatch(/\r\nRetry-After: 1\r\n/i);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'unavailable' } });
    await closing;
  });

  it.skipIf(!redisServerAvailable())('answers 503 redis while Redis is down and 200 once it is back, logging one line each way', async () => {
    const errors = vi.spyOn(console, 'error');
    const { redis, server } = await serverWithOwnRedis(cleanups);
    expect(await readiness(server)).toMatchObject({ status: 200, body: { status: 'ready' } });

    await redis.kill();
    expect(await readinessBecomes(server, 503)).toEqual({ status: 'unavailable', failing: ['redis'] });
    // While it is down, every reconnect attempt of every connection is reset: each one is an ioredis error event.
    await resetConnections(redis.port, 12);
    expect((await readiness(server)).body.failing).toEqual(['redis']);
    await redis.restart();
    expect(await readinessBecomes(server, 200)).toEqual({ status: 'ready' });

    const lines = server.logs().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg?: string; level?: number | string; outageMs?: number });
    const lost = lines.filter((l) => l.msg === 'redis connection lost');
    const back = lines.filter((l) => l.msg === 'redis connection back');
    expect(lost).toHaveLength(1);
    expect(back).toHaveLength(1);
    expect(back[0]?.outageMs).toBeGreaterThanOrEqual(0);
    expect(server.logs()).not.toContain('Unhandled error event');
    expect(errors.mock.calls.flat().join(' ')).not.toContain('Unhandled error event');
  });
});

/** Listens on `port` and resets the first `count` connections made to it; resolves once they came. */
async function resetConnections(port: number, count: number): Promise<void> {
  let seen = 0;
  const listener = net.createServer();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${seen} of ${count} reconnect attempts within ${WAIT_MS} ms`)), WAIT_MS);
    listener.on('connection', (socket) => {
      socket.resetAndDestroy();
      if (++seen === count) {
        clearTimeout(timer);
        resolve();
      }
    });
    listener.once('error', reject);
    listener.listen(port, '127.0.0.1');
  });
  await new Promise<void>((resolve) => listener.close(() => resolve()));
}

const UPGRADE_REQUEST =
  'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

/** Completes a WebSocket upgrade by hand, then reads and writes nothing more. */
async function openSilentSocket(base: string): Promise<net.Socket> {
  const { hostname, port } = new URL(base);
  const socket = net.connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no upgrade answer')), WAIT_MS);
    socket.once('error', reject);
    socket.once('connect', () => socket.write(UPGRADE_REQUEST));
    socket.once('data', (chunk: Buffer) => {
      clearTimeout(timer);
      if (chunk.toString().startsWith('HTTP/1.1 101')) resolve();
      else reject(new Error(`upgrade refused: ${chunk.toString().split('\r\n')[0]}`));
    });
  });
  return socket;
}

/** Sends an upgrade request by hand and reads the whole answer until the server closes the connection. */
async function upgradeAnswer(base: string): Promise<{ head: string; body: string }> {
  const { hostname, port } = new URL(base);
  const socket = net.connect(Number(port), hostname);
  const text = await new Promise<string>((resolve, reject) => {
    let received = '';
    const timer = setTimeout(() => reject(new Error(`the connection stayed open; so far: ${received}`)), WAIT_MS);
    socket.once('error', reject);
    socket.once('connect', () => socket.write(UPGRADE_REQUEST));
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.once('end', () => {
      clearTimeout(timer);
      resolve(received);
    });
  });
  socket.destroy();
  const split = text.indexOf('\r\n\r\n');
  return { head: text.slice(0, split + 2), body: text.slice(split + 4) };
}

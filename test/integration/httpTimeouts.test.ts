/** HTTP timeouts cut stalled requests and idle sockets, never a WebSocket (issue 9, finding 5). */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config.js';
import { signUp } from '../helpers/http.js';
import { type Running, startService } from '../helpers/inProcess.js';
import { TestSocket } from '../helpers/wsClient.js';

/** A raw TCP client that writes `bytes` (maybe an unfinished request) and then says nothing more. */
async function rawClient(url: string, bytes: string): Promise<{ received: () => string; closed: Promise<void> }> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let received = '';
  socket.on('data', (d: Buffer) => (received += d.toString()));
  socket.on('error', () => {}); // a reset is a close too
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  if (bytes) socket.write(bytes);
  return { received: () => received, closed };
}

/** `promise`, or a failure naming `what` after `ms`. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const unfinishedPost = (host: string) =>
  `POST /api/accounts HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"nickname":`;

let server: Running | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe('HTTP timeouts', () => {
  it('a POST whose body never finishes is closed by the server, which keeps answering', async () => {
    server = await startService({ HTTP_REQUEST_TIMEOUT_MS: '500', HTTP_HEADERS_TIMEOUT_MS: '400' });
    const stalled = await Promise.all(Array.from({ length: 5 }, () => rawClient(server!.url, unfinishedPost(new URL(server!.url).host))));
    for (const client of stalled) {
      await within(10_000, 'the stalled POST is closed', client.closed);
      expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
      const body = client.received().slice(client.received().indexOf('\r\n\r\n') + 4);
      expect(JSON.parse(body)).toEqual({ error: { code: 'request_timeout', message: expect.any(String) } });
    }
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
  });

  it('a connection that never sends its headers is closed', async () => {
    server = await startService({ HTTP_REQUEST_TIMEOUT_MS: '5000', HTTP_HEADERS_TIMEOUT_MS: '300' });
    const client = await rawClient(server.url, `GET /healthz HTTP/1.1\r\nHost: x\r\n`);
    await within(10_000, 'the half-sent request is closed', client.closed);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('an idle signed-in WebSocket outlives short request and idle timeouts', async () => {
    server = await startService({
      HTTP_REQUEST_TIMEOUT_MS: '300',
      HTTP_HEADERS_TIMEOUT_MS: '300',
      HTTP_IDLE_TIMEOUT_MS: '300',
      WS_PING_INTERVAL_MS: '600000', // no pings: the socket is truly silent
    });
    const { token } = await signUp(server.url);
    const socket = await TestSocket.signedIn(server.wsUrl, token);
    // Opened after the WebSocket went quiet: once the server has cut both, every timeout has had its chance at it.
    const idle = await rawClient(server.url, '');
    const stalled = await rawClient(server.url, unfinishedPost(new URL(server.url).host));
    await within(10_000, 'the idle connection is closed', idle.closed);
    await within(10_000, 'the stalled POST is closed', stalled.closed);
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    socket.send({ type: 'find' });
    expect(await socket.next('searching')).toMatchObject({ type: 'searching' });
    socket.close();
    await socket.closed;
  });
});

describe('requests Node cannot parse', () => {
  it('get a 400 in the API error shape and a closed connection', async () => {
    server = await startService();
    const client = await rawClient(server.url, 'NOT HTTP AT ALL\r\n\r\n');
    await within(10_000, 'the malformed request is closed', client.closed);
    expect(client.received()).toMatch(/^HTTP\/1\.1 400 /);
    const body = client.received().slice(client.received().indexOf('\r\n\r\n') + 4);
    expect(JSON.parse(body)).toEqual({ error: { code: 'bad_request', message: expect.any(String) } });
  });
});

describe('HTTP timeout settings', () => {
  it('refuses a headers timeout longer than the request timeout', () => {
    expect(() => loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '1000', HTTP_HEADERS_TIMEOUT_MS: '2000' })).toThrow(/^HTTP_HEADERS_TIMEOUT_MS/);
    expect(() => loadConfig({ HTTP_REQUEST_TIMEOUT_MS: 'soon' })).toThrow(/^HTTP_REQUEST_TIMEOUT_MS/);
    expect(loadConfig({}).http).toEqual({ requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, idleTimeoutMs: 120_000, keepAliveTimeoutMs: 72_000 });
  });
});

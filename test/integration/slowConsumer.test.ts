/**
 * Issue 5 backpressure: a client that stops reading while its partner floods
 * is cut off once its unsent buffer passes the bound; server memory stays
 * bounded and the partner is told.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { chatting } from '../helpers/people.js';
import { type ServerProcess, startServerProcess } from '../helpers/serverProcess.js';

let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.kill();
});

function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

describe('slow consumer', () => {
  it('is disconnected instead of growing server memory', async () => {
    // Frame budgets off: the sender's budget would otherwise stop the flood before the buffer bound is reached.
    // No grace: the cut-off ends the chat at once (what is held for an away partner has its own bound, resume.test.ts).
    server = await startServerProcess({ env: { WS_MAX_BUFFERED_BYTES: String(256 * 1024), LOG_LEVEL: 'info', RATE_LIMITS: 'off', CHAT_GRACE_MS: '0' } });
    const { a, b, chatId } = await chatting(server.url, server.wsUrl);
    const rssBefore = rssBytes(server.child.pid!);
    // b stops reading: its TCP socket is paused, so the kernel buffers fill and then the server's.
    (b.socket.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const text = 'f'.repeat(2000);
    let ended: { reason?: string } | undefined;
    a.socket.ws.on('message', (d) => {
      const f = JSON.parse(d.toString()) as { type: string; reason?: string };
      if (f.type === 'ended') ended = f;
    });
    // Up to 60 MB offered, in bounded steps; stop as soon as the server cuts b off.
    for (let i = 0; i < 30_000 && !ended; i++) {
      a.socket.send({ type: 'send', chatId, id: String(i), text });
      if (i % 100 === 0) {
        await new Promise((r) => setTimeout(r, 2));
      }
    }
    const deadline = Date.now() + 10_000;
    while (!ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(ended).toMatchObject({ reason: 'partner_disconnected' });
    const growth = rssBytes(server.child.pid!) - rssBefore;
    expect(growth).toBeLessThan(64 * 1024 * 1024);
    // The server still serves everyone else.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    a.socket.close();
  }, 60_000);
});

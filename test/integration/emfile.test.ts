/**
 * Out of file descriptors (EMFILE): more connections than the process may open.
 * Those beyond the limit fail; the server does not crash, and once they close
 * it serves everyone again. Bounded: 700 sockets on 127.0.0.1, a few seconds.
 */
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { signUp } from '../helpers/http.js';
import { type ServerProcess, startServerProcess } from '../helpers/serverProcess.js';
import { TestSocket } from '../helpers/wsClient.js';

let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.kill();
});

describe('running out of file descriptors', () => {
  it('refuses what it cannot hold, stays up, and recovers', async () => {
    server = await startServerProcess({ maxOpenFiles: 500, env: { MAX_SOCKETS_PER_IP: '100000', LOG_LEVEL: 'info' } });
    const sockets: WebSocket[] = [];
    let opened = 0;
    let failed = 0;
    await Promise.all(
      Array.from({ length: 700 }, () =>
        new Promise<void>((resolve) => {
          const ws = new WebSocket(server!.wsUrl);
          sockets.push(ws);
          const done = () => resolve();
          ws.once('open', () => {
            opened++;
            done();
          });
          ws.once('error', () => {
            failed++;
            done();
          });
          setTimeout(done, 5000);
        }),
      ),
    );
    expect(opened).toBeGreaterThan(100);
    expect(failed).toBeGreaterThan(0);
    expect(server.child.exitCode).toBeNull();
    for (const ws of sockets) ws.terminate();
    await new Promise((r) => setTimeout(r, 1000));

    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const a = await signUp(server.url, ['after-emfile']);
    const b = await signUp(server.url, ['after-emfile']);
    const sa = await TestSocket.signedIn(server.wsUrl, a.token);
    const sb = await TestSocket.signedIn(server.wsUrl, b.token);
    sa.send({ type: 'find' });
    sb.send({ type: 'find' });
    const chatId = (await sa.next('matched')).chat.id;
    sb.send({ type: 'send', chatId, id: '1', text: 'still here' });
    expect((await sa.next('message')).text).toBe('still here');
    sa.close();
    sb.close();
  }, 60_000);
});

/**
 * Offline messages on disk (issue 3): a live dm never reaches a file; a stored
 * one is gone from every byte under DATA_DIR once read; an acknowledged one
 * survives kill -9.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { findInFiles } from '../helpers/forensic.js';
import { api } from '../helpers/http.js';
import { connected } from '../helpers/people.js';
import { type ServerProcess, startServerProcess } from '../helpers/serverProcess.js';
import { TestSocket } from '../helpers/wsClient.js';

const running: ServerProcess[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.kill();
});
const start = async (dataDir?: string) => {
  const s = await startServerProcess({ dataDir, env: { LOG_LEVEL: 'trace' } });
  running.push(s);
  return s;
};
const canary = (label: string) => `${label}-${randomBytes(10).toString('hex')}`;

describe('offline messages on disk', () => {
  it('a live dm is never written; a stored one is gone from every file once read', async () => {
    const server = await start();
    const { a, b, connectionId } = await connected(server.url, server.wsUrl);
    const live = canary('live');
    a.socket.send({ type: 'dm', connectionId, id: 'l', text: live });
    expect((await a.socket.next('dm_sent')).stored).toBe(false);
    expect((await b.socket.next('dm')).text).toBe(live);

    b.socket.close();
    await a.socket.next('presence', (f) => f.online === false);
    const stored = canary('stored');
    a.socket.send({ type: 'dm', connectionId, id: 's', text: stored });
    expect((await a.socket.next('dm_sent')).stored).toBe(true);
    expect(findInFiles(server.dataDir, [stored]).length).toBeGreaterThan(0); // it really is on disk while waiting

    const back = await TestSocket.open(server.wsUrl);
    back.send({ type: 'hello', token: b.user.token });
    const inbox = (await back.next('inbox')) as { messages: Array<{ id: string; text: string }> };
    expect(inbox.messages.map((m) => m.text)).toEqual([stored]);
    back.send({ type: 'read', ids: inbox.messages.map((m) => m.id) });
    await back.handled();
    expect((await api(server.url, 'GET', '/api/inbox', { token: b.user.token })).body).toEqual({ messages: [] });

    expect(findInFiles(server.dataDir, [live, stored])).toEqual([]);
    expect(server.output()).not.toContain(live);
    expect(server.output()).not.toContain(stored);
    a.socket.close();
    back.close();
    expect(await server.stop()).toBe(0);
    expect(findInFiles(server.dataDir, [live, stored])).toEqual([]);
  });

  it('a message acknowledged with stored:true survives kill -9 and a restart', async () => {
    const server = await start();
    const { a, b, connectionId } = await connected(server.url, server.wsUrl);
    b.socket.close();
    await a.socket.next('presence', (f) => f.online === false);
    const acked: string[] = [];
    const texts = Array.from({ length: 40 }, (_, i) => `durable-${i}-${randomBytes(4).toString('hex')}`);
    a.socket.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; id?: string };
      if (frame.type === 'dm_sent') acked.push(texts[Number(frame.id)]!);
    });
    for (const [i, text] of texts.entries()) a.socket.send({ type: 'dm', connectionId, id: String(i), text });
    while (acked.length < 10) await new Promise((r) => setTimeout(r, 5));
    await server.kill(); // mid-burst, no goodbye
    const ackedAtKill = [...acked];

    const again = await start(server.dataDir);
    const inbox = await api<{ messages: Array<{ text: string }> }>(again.url, 'GET', '/api/inbox', { token: b.user.token });
    const kept = inbox.body.messages.map((m) => m.text);
    for (const text of ackedAtKill) expect(kept).toContain(text);
    // nothing arrives twice or out of order
    expect(new Set(kept).size).toBe(kept.length);
    expect(kept).toEqual(texts.slice(0, kept.length));
  });
});

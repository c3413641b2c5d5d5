/**
 * Issue 13 item 6: two connections who are both online talk as fast as in a stranger chat. A live `dm`
 * shares the chat message rate (RATE_MESSAGE + RATE_MESSAGE_BURST, with `send`); a stored one keeps the
 * stricter RATE_DM.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, serversOnPostgres, startService } from '../helpers/inProcess.js';
import { connected } from '../helpers/people.js';
import type { TestSocket } from '../helpers/wsClient.js';

serversOnPostgres();

const BURST = 5;
const DM_PER_WINDOW = 2;

let server: Running;
beforeAll(async () => {
  server = await startService({
    // A refill so slow that the test's run time adds nothing: exactly the burst passes.
    RATE_MESSAGE: '1/600',
    RATE_MESSAGE_BURST: String(BURST),
    RATE_DM: `${DM_PER_WINDOW}/600`,
  });
});
afterAll(async () => {
  await server.stop();
});

/** Sends `n` dms and returns what each got: `live`, `stored` or the error code. */
async function dms(socket: TestSocket, connectionId: string, n: number, prefix: string): Promise<string[]> {
  for (let i = 0; i < n; i++) socket.send({ type: 'dm', connectionId, id: `${prefix}${i}`, text: `${prefix} ${i}` });
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const f = await socket.next(undefined, (x) => x.type === 'dm_sent' || x.type === 'error');
    out.push(f.type === 'dm_sent' ? (f.stored ? 'stored' : 'live') : String(f.code));
  }
  return out;
}

describe('dm rates', () => {
  it('live dms pass beyond RATE_DM, up to the chat burst, and share it with chat messages', async () => {
    const { a, b, chatId, connectionId } = await connected(server.url, server.wsUrl);
    // Two chat messages take two of the burst's five.
    for (const id of ['c1', 'c2']) a.socket.send({ type: 'send', chatId, id, text: id });
    await a.socket.next('sent');
    await a.socket.next('sent');
    expect(await dms(a.socket, connectionId, BURST - 1, 'live')).toEqual(['live', 'live', 'live', 'rate_limited']);
    await a.socket.handled();
    expect(b.socket.received('dm').map((f) => f.id)).toEqual(['live0', 'live1', 'live2']);
    // The other person has a bucket of their own.
    expect(await dms(b.socket, connectionId, DM_PER_WINDOW + 1, 'back')).toEqual(['live', 'live', 'live']);
    a.socket.close();
    b.socket.close();
  });

  it('stored dms keep the stricter RATE_DM, though the chat bucket is full', async () => {
    const { a, b, connectionId } = await connected(server.url, server.wsUrl);
    b.socket.close();
    await a.socket.next('presence', (f) => !f.online);
    expect(await dms(a.socket, connectionId, DM_PER_WINDOW + 1, 'stored')).toEqual(['stored', 'stored', 'rate_limited']);
    a.socket.close();
  });
});

describe('read receipts', () => {
  it('dm_read reaches the other side with the time of the last message read; dm_sent carries that time', async () => {
    const { a, b, connectionId } = await connected(server.url, server.wsUrl);
    a.socket.send({ type: 'dm', connectionId, id: 'r1', text: 'read me' });
    const sent = await a.socket.next('dm_sent');
    const got = await b.socket.next('dm');
    expect(sent.at).toBe(got.at);
    b.socket.send({ type: 'dm_read', connectionId, at: got.at });
    expect(await a.socket.next('dm_read')).toEqual({ type: 'dm_read', connectionId, at: got.at });
    a.socket.close();
    b.socket.close();
  });

  it('dm_read for a connection that is not yours is not_found and tells nobody; a malformed one is bad_request', async () => {
    const { a, b, connectionId } = await connected(server.url, server.wsUrl);
    const { a: outsider, b: other } = await connected(server.url, server.wsUrl);
    const at = new Date().toISOString();
    outsider.socket.send({ type: 'dm_read', connectionId, at });
    expect(await outsider.socket.next('error')).toMatchObject({ code: 'not_found' });
    b.socket.send({ type: 'dm_read', connectionId, at: 'yesterday' });
    expect(await b.socket.next('error')).toMatchObject({ code: 'bad_request' });
    b.socket.send({ type: 'dm_read', connectionId, at });
    // The first dm_read a gets is b's: the outsider's went nowhere.
    expect(await a.socket.next('dm_read')).toEqual({ type: 'dm_read', connectionId, at });
    for (const s of [a, b, outsider, other]) s.socket.close();
  });
});

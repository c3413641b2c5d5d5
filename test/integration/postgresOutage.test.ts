/**
 * A node on a PostgreSQL cluster of the test's own that it stops at once and
 * starts again: what needs the database answers `unavailable` (HTTP 503,
 * socket error), never 500 or a hang; live chats keep relaying; /readyz says
 * 503 meanwhile; afterwards everything works and no acknowledged write is lost.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { api, signUp } from '../helpers/http.js';
import { startService } from '../helpers/inProcess.js';
import { chatting, connected } from '../helpers/people.js';
import { PostgresServer, postgresServerUnavailable } from '../helpers/postgresServer.js';
import { readinessBecomes } from '../helpers/redisServer.js';
import { TestSocket } from '../helpers/wsClient.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const skipped = postgresServerUnavailable();

const occurrences = (text: string, line: string) => text.split(line).length - 1;

/** Waits (bounded) until the server has logged `line`; returns the logs then. */
async function logged(server: { logs(): string }, line: string, waitMs = 10_000): Promise<string> {
  const deadline = Date.now() + waitMs;
  while (!server.logs().includes(line)) {
    if (Date.now() > deadline) throw new Error(`not logged within ${waitMs} ms: ${line}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return server.logs();
}

describe.skipIf(skipped !== undefined)(`a PostgreSQL restart${skipped ? ` (skipped: ${skipped})` : ''}`, () => {
  it('answers unavailable while the database is down, keeps live chats relaying, and loses no acknowledged write', async () => {
    const pg = await PostgresServer.start();
    cleanups.push(() => pg.dispose());
    const server = await startService({ DATABASE_URL: pg.url });
    cleanups.push(() => server.stop());

    const { a, b, connectionId } = await connected(server.url, server.wsUrl, ['Writer', 'Away']);
    const live = await chatting(server.url, server.wsUrl, ['Chats', 'On']);
    cleanups.push(() => [a, b, live.a, live.b].forEach((p) => p.socket.close()));
    b.socket.close();
    await a.socket.next('presence', (f) => f.online === false);
    a.socket.send({ type: 'dm', connectionId, id: 'kept', text: 'acknowledged before the restart' });
    expect(await a.socket.next('dm_sent')).toMatchObject({ id: 'kept', stored: true });

    // Three people whose sockets close during the outage: their presence updates fail.
    const leaving = await Promise.all([1, 2, 3].map(async (i) => TestSocket.signedIn(server.wsUrl, (await signUp(server.url, [], `Leaving${i}`)).token)));

    pg.kill();
    expect((await readinessBecomes(server, 503)).failing).toEqual(['database']);
    for (const socket of leaving) socket.close();

    const signUpRes = await api<{ error: { code: string } }>(server.url, 'POST', '/api/accounts', { body: { nickname: 'During', interests: [], adult: true } });
    expect(signUpRes.status).toBe(503);
    expect(signUpRes.body.error.code).toBe('unavailable');
    expect(Number(signUpRes.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const listRes = await api<{ error: { code: string } }>(server.url, 'GET', '/api/connections', { token: a.user.token });
    expect(listRes.status).toBe(503);

    // A live chat needs no database.
    live.a.socket.send({ type: 'send', chatId: live.chatId, id: 'during', text: 'still here' });
    expect(await live.a.socket.next('sent')).toMatchObject({ id: 'during' });
    expect(await live.b.socket.next('message')).toMatchObject({ id: 'during', text: 'still here' });

    a.socket.send({ type: 'dm', connectionId, id: 'refused', text: 'during the restart' });
    expect(await a.socket.next('error')).toMatchObject({ code: 'unavailable', retryAfterMs: expect.any(Number) });

    // A hello meets a clear, retryable error and a close, not a hang.
    const late = await TestSocket.open(server.wsUrl);
    late.send({ type: 'hello', token: b.user.token });
    expect(await late.next('error')).toMatchObject({ code: 'unavailable' });
    expect((await late.closed).code).toBe(1013);

    pg.restart();
    await readinessBecomes(server, 200);
    const back = await TestSocket.signedIn(server.wsUrl, b.user.token);
    cleanups.push(() => back.close());
    expect(back.received('inbox')[0]?.messages.map((m) => m.text)).toEqual(['acknowledged before the restart']);
    await signUp(server.url, [], 'After');
    live.b.socket.send({ type: 'send', chatId: live.chatId, id: 'after', text: 'and after' });
    expect(await live.a.socket.next('message')).toMatchObject({ id: 'after' });
    expect(a.socket.received('dm_sent').map((f) => f.id)).toEqual(['kept']);
    // One line when presence updates begin to fail, one when they work again: not a line per closed socket.
    const logs = await logged(server, 'presence updates back');
    expect(occurrences(server.logs(), 'presence updates failing')).toBe(1);
    expect(occurrences(server.logs(), 'presence updates back')).toBe(1);
    expect(Number(/"lost":(\d+)[^\n]*presence updates back/.exec(logs)?.[1])).toBeGreaterThanOrEqual(3);
    expect(server.logs()).not.toContain('unhandled error');
    expect(server.logs()).not.toContain('frame failed');
    expect(server.logs()).not.toContain('hello failed');
  });
});

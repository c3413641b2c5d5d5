/**
 * Issue 9 finding 11: sessions expire after SESSION_IDLE_DAYS without use,
 * can be listed and signed out one by one, and rotating the code may unlink
 * Google. The server's clock is injected, so days pass at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/server/domain/secrets.js';
import { api, type SignUp, signUp } from '../helpers/http.js';
import { type Running, startService } from '../helpers/inProcess.js';
import { TestSocket } from '../helpers/wsClient.js';

type SessionView = { id: string; createdAt: string; lastUsedAt: string; current: boolean };
const DAY = 24 * 3600_000;
const HOUR = 3600_000;

let clock = Date.now();
let server: Running;
beforeAll(async () => {
  server = await startService({ SESSION_IDLE_DAYS: '90' }, { now: () => clock });
});
afterAll(async () => {
  await server.stop();
});

const listSessions = async (token: string) => {
  const res = await api<{ sessions: SessionView[] }>(server.url, 'GET', '/api/sessions', { token });
  expect(res.status).toBe(200);
  return res.body.sessions;
};
const signInAgain = async (user: SignUp) =>
  (await api<{ token: string }>(server.url, 'POST', '/api/sessions', { body: { recoveryCode: user.recoveryCode } })).body.token;
const meStatus = async (token: string) => (await api(server.url, 'GET', '/api/me', { token })).status;

describe('idle expiry', () => {
  it('a session used within SESSION_IDLE_DAYS keeps working; one idle for longer is refused and deleted', async () => {
    const user = await signUp(server.url);
    clock += 89 * DAY;
    expect(await meStatus(user.token)).toBe(200);
    clock += 89 * DAY; // sliding: counted from the last use
    expect(await meStatus(user.token)).toBe(200);
    const socket = await TestSocket.signedIn(server.wsUrl, user.token);
    clock += 90 * DAY + 1;
    expect(await meStatus(user.token)).toBe(401);
    expect((await socket.closed).code).toBe(4401);
    expect(await server.service.store.sessionByTokenHash(hashSecret(user.token))).toBeUndefined();
    // The code still works and gives a fresh session.
    expect(await meStatus(await signInAgain(user))).toBe(200);
  });

  it('records the last use at most about once an hour, not on every request', async () => {
    const user = await signUp(server.url);
    const [created] = await listSessions(user.token);
    expect(created!.lastUsedAt).toBe(created!.createdAt);
    clock += 30 * 60_000;
    expect(await meStatus(user.token)).toBe(200);
    expect((await listSessions(user.token))[0]!.lastUsedAt).toBe(created!.createdAt);
    clock += HOUR;
    expect(await meStatus(user.token)).toBe(200);
    expect((await listSessions(user.token))[0]!.lastUsedAt).toBe(new Date(clock).toISOString());
  });

  it('a periodic sweep deletes sessions nobody used for longer than the limit', async () => {
    const user = await signUp(server.url);
    clock += 91 * DAY;
    const fresh = await signInAgain(user);
    // (the sweep runs hourly in the server; here it is called directly)
    const accounts = await server.service.store.sessionsOf(user.account.id);
    expect(accounts).toHaveLength(2);
    expect(await server.service.store.deleteIdleSessions(new Date(clock - 90 * DAY).toISOString())).toBeGreaterThanOrEqual(1);
    expect((await server.service.store.sessionsOf(user.account.id)).map((s) => s.tokenHash)).toEqual([hashSecret(fresh)]);
  });
});

describe('signed-in devices', () => {
  it('lists the sessions with an opaque id, marking the current one', async () => {
    const user = await signUp(server.url);
    const second = await signInAgain(user);
    const sessions = await listSessions(second);
    expect(sessions).toHaveLength(2);
    expect(sessions.map((s) => s.current)).toEqual([false, true]);
    for (const s of sessions) {
      expect(s).toEqual({ id: expect.any(String), createdAt: expect.any(String), lastUsedAt: expect.any(String), current: expect.any(Boolean) });
      expect([hashSecret(user.token), hashSecret(second)]).not.toContain(s.id);
      expect(s.id.length).toBeGreaterThanOrEqual(16);
    }
    expect((await api(server.url, 'GET', '/api/sessions')).status).toBe(401);
  });

  it('signing out one device stops its token at once and closes its sockets with 4401; others stay', async () => {
    const user = await signUp(server.url);
    const other = await signInAgain(user);
    const third = await signInAgain(user);
    const otherSocket = await TestSocket.signedIn(server.wsUrl, other);
    const thirdSocket = await TestSocket.signedIn(server.wsUrl, third);
    const otherId = (await listSessions(other)).find((s) => s.current)!.id;

    expect((await api(server.url, 'DELETE', `/api/sessions/${otherId}`, { token: user.token })).status).toBe(204);
    expect(await otherSocket.next('error')).toMatchObject({ code: 'unauthorized' });
    expect((await otherSocket.closed).code).toBe(4401);
    expect(await meStatus(other)).toBe(401);
    expect(await meStatus(user.token)).toBe(200);
    thirdSocket.send({ type: 'ping' });
    expect((await thirdSocket.next('pong')).type).toBe('pong');
    expect((await listSessions(user.token)).map((s) => s.id)).not.toContain(otherId);

    const notFound = await api(server.url, 'DELETE', `/api/sessions/${otherId}`, { token: user.token });
    expect(notFound.status).toBe(404);
    expect(notFound.body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    expect((await api(server.url, 'DELETE', '/api/sessions/nope', { token: user.token })).status).toBe(404);
    // Another account's session is not found either, and keeps working.
    const stranger = await signUp(server.url);
    const strangerId = (await listSessions(stranger.token))[0]!.id;
    expect((await api(server.url, 'DELETE', `/api/sessions/${strangerId}`, { token: user.token })).status).toBe(404);
    expect(await meStatus(stranger.token)).toBe(200);
    thirdSocket.close();
  });

  it('the export carries each session\'s id and last use, in the same shape', async () => {
    const user = await signUp(server.url);
    const res = await api<{ sessions: Array<Record<string, unknown>> }>(server.url, 'GET', '/api/me/export', { token: user.token });
    const [listed] = await listSessions(user.token);
    expect(res.body.sessions).toEqual([{ createdAt: listed!.createdAt, current: true, id: listed!.id, lastUsedAt: listed!.lastUsedAt }]);
  });
});

describe('rotating the code can unlink Google', () => {
  const link = (accountId: string) =>
    server.service.store.linkIdentity(accountId, { provider: 'google', subject: `sub-${accountId}`, email: 'x@example.com', createdAt: new Date().toISOString() });

  it('keeps Google linked without the option, unlinks it with {"unlinkGoogle": true}', async () => {
    const user = await signUp(server.url);
    await link(user.account.id);
    const kept = await api<{ token: string }>(server.url, 'POST', '/api/me/recovery-code', { token: user.token });
    expect(kept.status).toBe(200);
    expect((await api<SignUp['account']>(server.url, 'GET', '/api/me', { token: kept.body.token })).body.linked.google).toBe(true);

    const unlinked = await api<{ token: string; recoveryCode: string }>(server.url, 'POST', '/api/me/recovery-code', { token: kept.body.token, body: { unlinkGoogle: true } });
    expect(unlinked.status).toBe(200);
    expect((await api<SignUp['account']>(server.url, 'GET', '/api/me', { token: unlinked.body.token })).body.linked.google).toBe(false);
    expect(await server.service.store.accountByIdentity('google', `sub-${user.account.id}`)).toBeUndefined();
    expect(await meStatus(kept.body.token)).toBe(401);
  });

  it('refuses a malformed body', async () => {
    const user = await signUp(server.url);
    for (const body of [{ unlinkGoogle: 'yes' }, { other: true }, []]) {
      const res = await api(server.url, 'POST', '/api/me/recovery-code', { token: user.token, body });
      expect(res.status).toBe(400);
    }
    expect(await meStatus(user.token)).toBe(200);
  });
});

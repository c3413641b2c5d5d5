/**
 * Issue 9, finding 9: a suspended account's token may only export, delete
 * everything and sign out; reports against an account outlive its deletion,
 * under a pseudonym.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/http.js';
import { type Running, serversOnPostgres, startService } from '../helpers/inProcess.js';

serversOnPostgres();
import { chatting, connected } from '../helpers/people.js';

const ADMIN = 'moderator-secret-token-0123456789';
let server: Running;
beforeAll(async () => {
  server = await startService({ ADMIN_TOKEN: ADMIN, MATCH_REMATCH_COOLDOWN_MS: '0' });
});
afterAll(async () => {
  await server.stop();
});

const suspend = (accountId: string) => api(server.url, 'POST', `/api/admin/accounts/${accountId}/suspend`, { token: ADMIN, body: { hours: 2 } });
type Report = { id: string; reporterId: string; reportedId: string; reason: string; note: string | null };
const openReports = async () => ((await api(server.url, 'GET', '/api/admin/reports', { token: ADMIN })).body as { reports: Report[] }).reports;

describe('a suspended token', () => {
  it('gets 403 suspended (with until) on every route but export, delete and sign-out', async () => {
    const { a, b, connectionId } = await connected(server.url, server.wsUrl);
    const second = await api<{ token: string }>(server.url, 'POST', '/api/sessions', { body: { recoveryCode: b.user.recoveryCode } });
    const { until } = (await suspend(b.user.account.id)).body as { until: string };
    await b.socket.next('error', (f) => f.code === 'suspended');
    const token = b.user.token;

    const refused: Array<[string, string, unknown?]> = [
      ['GET', '/api/me'],
      ['PATCH', '/api/me', { nickname: 'Renamed' }],
      ['POST', '/api/me/recovery-code'],
      ['GET', '/api/connections'],
      ['DELETE', `/api/connections/${connectionId}`],
      ['GET', '/api/inbox'],
      ['POST', '/api/inbox/read', { ids: ['x'] }],
      ['POST', '/api/translate', { text: 'hola', to: 'en' }],
      ['DELETE', '/api/me/links/google'],
    ];
    for (const [method, path, body] of refused) {
      const res = await api(server.url, method, path, { token, body });
      expect({ method, path, status: res.status, body: res.body }).toEqual({
        method,
        path,
        status: 403,
        body: { error: { code: 'suspended', message: expect.any(String), until } },
      });
    }
    // nothing changed: the connection is still there for the other side
    expect(((await api<{ connections: unknown[] }>(server.url, 'GET', '/api/connections', { token: a.user.token })).body.connections)).toHaveLength(1);

    const exported = await api<{ account: { suspendedUntil: string } }>(server.url, 'GET', '/api/me/export', { token });
    expect(exported.status).toBe(200);
    expect(exported.body.account.suspendedUntil).toBe(until);
    expect((await api(server.url, 'DELETE', '/api/sessions/current', { token: second.body.token })).status).toBe(204);
    expect((await api(server.url, 'DELETE', '/api/me', { token })).status).toBe(204);
    expect((await api(server.url, 'GET', '/api/me/export', { token })).status).toBe(401);
    a.socket.close();
  });
});

describe('reports against an account outlive its deletion', () => {
  it('the moderators still see them, under one pseudonym and without the nickname', async () => {
    const nickname = `Gone${Math.random().toString(36).slice(2, 8)}`;
    const first = await chatting(server.url, server.wsUrl, ['Reporter1', nickname]);
    first.a.socket.send({ type: 'report', chatId: first.chatId, reason: 'underage', note: 'says they are 15' });
    await first.a.socket.next('reported');
    const gone = first.b;
    first.a.socket.send({ type: 'leave', chatId: first.chatId });
    await gone.socket.next('ended');
    // a second reporter, and a report the deleted account made itself
    const { a: other, b: partner, chatId } = await chatting(server.url, server.wsUrl, ['Reporter2', 'Partner']);
    other.socket.send({ type: 'leave', chatId });
    await partner.socket.next('ended');
    partner.socket.close();
    const topic = `t-${Math.random().toString(36).slice(2, 8)}`;
    other.socket.send({ type: 'find', interests: [topic] });
    await other.socket.next('searching');
    gone.socket.send({ type: 'find', interests: [topic] });
    const second = (await other.socket.next('matched')).chat.id;
    await gone.socket.next('matched');
    other.socket.send({ type: 'report', chatId: second, reason: 'harassment' });
    await other.socket.next('reported');
    gone.socket.send({ type: 'report', chatId: second, reason: 'spam', note: 'made by the account that leaves' });
    await gone.socket.next('reported');

    const goneId = gone.user.account.id;
    expect((await api(server.url, 'DELETE', '/api/me', { token: gone.user.token })).status).toBe(204);

    const reports = await openReports();
    expect(JSON.stringify(reports)).not.toContain(goneId);
    expect(JSON.stringify(reports)).not.toContain(nickname);
    const kept = reports.filter((r) => r.reporterId === first.a.user.account.id || r.reporterId === other.user.account.id);
    expect(kept.map((r) => r.reason).sort()).toEqual(['harassment', 'underage']);
    const pseudonym = kept[0]!.reportedId;
    expect(pseudonym).toMatch(/^erased-/);
    expect(kept.every((r) => r.reportedId === pseudonym)).toBe(true);
    expect(kept.find((r) => r.reason === 'underage')!.note).toBe('says they are 15');
    // the deleted account's own reports are erased with it
    expect(reports.filter((r) => r.note === 'made by the account that leaves')).toEqual([]);
    // a moderator can still close them
    expect((await api(server.url, 'POST', `/api/admin/reports/${kept[0]!.id}/close`, { token: ADMIN })).status).toBe(204);
    for (const s of [first.a.socket, other.socket]) s.close();
  });
});

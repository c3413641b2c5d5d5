/** Issue 5: report and block, automatic suspension, the moderator API, socket caps, database faults. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/server/store/sqlite.js';
import type { Store } from '../../src/server/store/store.js';
import { api, signUp } from '../helpers/http.js';
import { type Running, sameData, serversOnPostgres, startService } from '../helpers/inProcess.js';

serversOnPostgres();
import { chatting, connected, freshTopic, type Person, person } from '../helpers/people.js';
import { TestSocket } from '../helpers/wsClient.js';

const ADMIN = 'moderator-secret-token-0123456789';
let server: Running;
beforeAll(async () => {
  server = await startService({ ADMIN_TOKEN: ADMIN, REPORT_THRESHOLD: '3', MATCH_REMATCH_COOLDOWN_MS: '0', TRUST_PROXY: '127.0.0.1' });
});
afterAll(async () => {
  await server.stop();
});

const admin = (method: string, path: string, body?: unknown, token = ADMIN) => api(server.url, method, path, { token, body });

describe('report', () => {
  it('stores who, whom, why and when, never chat text; answers reported', async () => {
    const { a, b, chatId } = await chatting(server.url, server.wsUrl);
    a.socket.send({ type: 'send', chatId, id: '1', text: 'chat text that must not be in a report' });
    await b.socket.next('message');
    a.socket.send({ type: 'report', chatId, reason: 'spam', note: 'sells things' });
    expect(await a.socket.next('reported')).toEqual({ type: 'reported', chatId });
    const reports = (await admin('GET', '/api/admin/reports')).body as { reports: Array<Record<string, unknown>> };
    const mine = reports.reports.filter((r) => r.reporterId === a.user.account.id);
    expect(mine).toEqual([
      { id: expect.any(String), reporterId: a.user.account.id, reportedId: b.user.account.id, reason: 'spam', note: 'sells things', createdAt: expect.any(String), status: 'open', attached: null },
    ]);
    expect(JSON.stringify(reports)).not.toContain('must not be in a report');
    // the reporter's export lists it
    const exported = (await api(server.url, 'GET', '/api/me/export', { token: a.user.token })).body as { reports: unknown[] };
    expect(exported.reports).toEqual([expect.objectContaining({ reason: 'spam', note: 'sells things' })]);
    a.socket.close();
    b.socket.close();
  });

  it('refuses unknown reasons and chats one was not in', async () => {
    const { a, b, chatId } = await chatting(server.url, server.wsUrl);
    a.socket.send({ type: 'report', chatId, reason: 'rude' });
    expect(await a.socket.next('error')).toMatchObject({ code: 'bad_request' });
    const outsider = await person(server.url, server.wsUrl, []);
    outsider.socket.send({ type: 'report', chatId, reason: 'spam' });
    expect(await outsider.socket.next('error')).toMatchObject({ code: 'not_in_chat' });
    for (const p of [a, b, outsider]) p.socket.close();
  });
});

describe('block', () => {
  it('ends the chat for both with reason blocked and removes their connection', async () => {
    const { a, b, chatId, connectionId } = await connected(server.url, server.wsUrl);
    a.socket.send({ type: 'block', chatId });
    expect(await a.socket.next('ended')).toEqual({ type: 'ended', chatId, reason: 'blocked' });
    expect(await b.socket.next('ended')).toEqual({ type: 'ended', chatId, reason: 'blocked' });
    expect(await b.socket.next('connection_removed')).toEqual({ type: 'connection_removed', connectionId });
    expect((await api<{ connections: unknown[] }>(server.url, 'GET', '/api/connections', { token: a.user.token })).body.connections).toEqual([]);
    const exported = (await api(server.url, 'GET', '/api/me/export', { token: a.user.token })).body as { blocks: unknown[] };
    expect(exported.blocks).toEqual([{ accountId: b.user.account.id, createdAt: expect.any(String) }]);
    a.socket.close();
    b.socket.close();
  });
});

describe('a blocked pair is never matched again, even after a restart', () => {
  let own: Running | undefined;
  afterEach(async () => {
    await own?.stop();
  });

  it('holds across restarts', async () => {
    own = await startService({ MATCH_REMATCH_COOLDOWN_MS: '0', MATCH_WIDEN_AFTER_MS: '200' });
    const data = sameData(own);
    const { a, b, chatId } = await chatting(own.url, own.wsUrl);
    b.socket.send({ type: 'block', chatId });
    await a.socket.next('ended');
    a.socket.close();
    b.socket.close();
    await own.stop();

    own = await startService({ ...data, MATCH_REMATCH_COOLDOWN_MS: '0', MATCH_WIDEN_AFTER_MS: '200' });
    const topic = freshTopic();
    const sa = await TestSocket.signedIn(own.wsUrl, a.user.token);
    const sb = await TestSocket.signedIn(own.wsUrl, b.user.token);
    sa.send({ type: 'find', interests: [topic] });
    sb.send({ type: 'find', interests: [topic] });
    await sa.next('searching');
    await sb.next('searching');
    // Sharing the topic, they would be paired as the second find is handled.
    await TestSocket.settled(sa, sb);
    expect([...sa.received('matched'), ...sb.received('matched')]).toEqual([]);
    const c = await person(own.url, own.wsUrl, [topic], 'Carol');
    c.socket.send({ type: 'find' });
    expect([a.user.account.nickname, b.user.account.nickname]).toContain((await c.socket.next('matched')).chat.partner.nickname);
    for (const s of [sa, sb, c.socket]) s.close();
  });
});

describe('automatic suspension (issue 9, finding 7: weighted reporters, one per network)', () => {
  /** Reporters' accounts count fully from birth here, so that network and reason rules can be seen alone. */
  let weighted: Running;
  beforeAll(async () => {
    weighted = await startService({
      ADMIN_TOKEN: ADMIN,
      REPORT_THRESHOLD: '3',
      MATCH_REMATCH_COOLDOWN_MS: '0',
      TRUST_PROXY: '127.0.0.1',
      REPORT_MIN_ACCOUNT_AGE_MS: '0',
      REPORT_FULL_WEIGHT_AGE_MS: '0',
    });
  });
  afterAll(async () => {
    await weighted.stop();
  });

  /** A new account signed in from `ip` (seen through the trusted proxy on 127.0.0.1). */
  async function from(on: Running, ip: string): Promise<Person> {
    const user = await signUp(on.url);
    const socket = await TestSocket.open(on.wsUrl, { 'x-forwarded-for': ip });
    socket.send({ type: 'hello', token: user.token });
    await socket.next('inbox');
    return { user, socket };
  }

  /** `reporter` meets `target` in a chat and reports them. */
  async function report(reporter: Person, target: Person, reason: string): Promise<void> {
    const topic = freshTopic();
    reporter.socket.send({ type: 'find', interests: [topic] });
    await reporter.socket.next('searching');
    target.socket.send({ type: 'find', interests: [topic] });
    const chatId = (await reporter.socket.next('matched')).chat.id;
    await target.socket.next('matched');
    reporter.socket.send({ type: 'report', chatId, reason });
    await reporter.socket.next('reported');
    reporter.socket.send({ type: 'leave', chatId });
    await reporter.socket.next('ended');
    if (target.socket.ws.readyState === target.socket.ws.OPEN) await target.socket.next('ended').catch(() => undefined);
  }

  const signsIn = async (on: Running, target: Person) =>
    (await api(on.url, 'POST', '/api/sessions', { body: { recoveryCode: target.user.recoveryCode } })).status;

  it('two fresh accounts cannot suspend anyone, even reporting underage (defaults: no weight in the first hour)', async () => {
    const target = await person(server.url, server.wsUrl, [], 'Victim');
    for (const ip of ['192.0.2.10', '198.51.100.10']) {
      const reporter = await from(server, ip);
      await report(reporter, target, 'underage');
      reporter.socket.close();
    }
    const third = await from(server, '203.0.113.10');
    await report(third, target, 'spam');
    third.socket.close();
    expect(await signsIn(server, target)).toBe(200);
    expect(target.socket.ws.readyState).toBe(target.socket.ws.OPEN);
    // the reports still reach the moderators, underage first
    const queue = (await admin('GET', '/api/admin/reports')).body as { reports: Array<{ reportedId: string; reason: string }> };
    expect(queue.reports[0]!.reason).toBe('underage');
    expect(queue.reports.filter((r) => r.reportedId === target.user.account.id)).toHaveLength(3);
    target.socket.close();
  });

  it('three established reporters from distinct networks suspend: clear errors on hello and sign-in', async () => {
    const target = await person(weighted.url, weighted.wsUrl, [], 'Spammer');
    const reporters = [await from(weighted, '192.0.2.20'), await from(weighted, '198.51.100.20'), await from(weighted, '2001:db8:20::1')];
    await report(reporters[0]!, target, 'spam');
    await report(reporters[1]!, target, 'harassment');
    expect(await signsIn(weighted, target)).toBe(200);
    await report(reporters[2]!, target, 'other');
    const err = await target.socket.next('error', (f) => f.code === 'suspended');
    expect(Date.parse(err.until as string)).toBeGreaterThan(Date.now());
    expect((await target.socket.closed).code).toBe(4403);

    const again = await TestSocket.open(weighted.wsUrl);
    again.send({ type: 'hello', token: target.user.token });
    expect(await again.next('error')).toMatchObject({ code: 'suspended', until: err.until });
    expect((await again.closed).code).toBe(4403);
    const signIn = await api(weighted.url, 'POST', '/api/sessions', { body: { recoveryCode: target.user.recoveryCode } });
    expect(signIn.status).toBe(403);
    expect(signIn.body).toEqual({ error: { code: 'suspended', message: expect.any(String), until: err.until } });
    for (const r of reporters) r.socket.close();
  });

  it('reporters from one network (IPv4 /24, IPv6 /48) count once', async () => {
    const target = await person(weighted.url, weighted.wsUrl, [], 'Shared');
    const sameV4 = [await from(weighted, '203.0.113.1'), await from(weighted, '203.0.113.2'), await from(weighted, '203.0.113.250')];
    for (const r of sameV4) await report(r, target, 'harassment');
    const sameV6 = [await from(weighted, '2001:db8:30:1::1'), await from(weighted, '2001:db8:30:2::1')];
    for (const r of sameV6) await report(r, target, 'harassment');
    expect(await signsIn(weighted, target)).toBe(200); // two networks: weight 2
    const third = await from(weighted, '198.51.100.30');
    await report(third, target, 'spam');
    expect((await target.socket.next('error', (f) => f.code === 'suspended')).code).toBe('suspended');
    for (const r of [...sameV4, ...sameV6, third]) r.socket.close();
  });

  it('counts one reporter once, and underage no more than any reason: it goes to the moderators first', async () => {
    const repeated = await person(weighted.url, weighted.wsUrl, []);
    const reporter = await from(weighted, '192.0.2.40');
    for (let i = 0; i < 4; i++) await report(reporter, repeated, 'spam');
    expect(await signsIn(weighted, repeated)).toBe(200);
    reporter.socket.close();

    const minor = await person(weighted.url, weighted.wsUrl, []);
    const reporters = [await from(weighted, '198.51.100.40'), await from(weighted, '203.0.113.40')];
    for (const r of reporters) await report(r, minor, 'underage');
    expect(await signsIn(weighted, minor)).toBe(200);
    const queue = (await api(weighted.url, 'GET', '/api/admin/reports', { token: ADMIN })).body as { reports: Array<{ reportedId: string; reason: string }> };
    expect(queue.reports.slice(0, 2).map((r) => r.reason)).toEqual(['underage', 'underage']);
    for (const r of reporters) r.socket.close();
    repeated.socket.close();
    minor.socket.close();
  });

  it('a reporter whose past report a moderator closed as unfounded weighs less', async () => {
    const reporters = [await from(weighted, '192.0.2.50'), await from(weighted, '198.51.100.50'), await from(weighted, '203.0.113.50')];
    const earlier = await person(weighted.url, weighted.wsUrl, []);
    await report(reporters[0]!, earlier, 'spam');
    const queue = (await api(weighted.url, 'GET', '/api/admin/reports', { token: ADMIN })).body as { reports: Array<{ id: string; reporterId: string }> };
    const id = queue.reports.find((r) => r.reporterId === reporters[0]!.user.account.id)!.id;
    expect((await api(weighted.url, 'POST', `/api/admin/reports/${id}/close`, { token: ADMIN, body: { unfounded: true } })).status).toBe(204);
    const exported = (await api(weighted.url, 'GET', '/api/me/export', { token: reporters[0]!.user.token })).body as { reports: Array<{ status: string }> };
    expect(exported.reports.map((r) => r.status)).toEqual(['unfounded']);

    const target = await person(weighted.url, weighted.wsUrl, []);
    for (const r of reporters) await report(r, target, 'harassment');
    expect(await signsIn(weighted, target)).toBe(200); // 0.5 + 1 + 1 < 3
    for (const r of reporters) r.socket.close();
    earlier.socket.close();
    target.socket.close();
  });
});

describe('moderator API', () => {
  it('needs the token, compared exactly', async () => {
    for (const token of [undefined, 'wrong', ADMIN.slice(0, -1), `${ADMIN}x`]) {
      expect((await api(server.url, 'GET', '/api/admin/reports', { token })).status).toBe(401);
    }
    expect((await admin('GET', '/api/admin/reports')).status).toBe(200);
  });

  it('is off when ADMIN_TOKEN is unset', async () => {
    const plain = await startService();
    try {
      expect((await api(plain.url, 'GET', '/api/admin/reports', { token: ADMIN })).status).toBe(404);
    } finally {
      await plain.stop();
    }
  });

  it('lists open reports with underage first, closes them, suspends and unsuspends', async () => {
    const { a, b, chatId } = await chatting(server.url, server.wsUrl);
    a.socket.send({ type: 'report', chatId, reason: 'underage' });
    await a.socket.next('reported');
    const list = (await admin('GET', '/api/admin/reports')).body as { reports: Array<{ id: string; reason: string }> };
    expect(list.reports[0]!.reason).toBe('underage');
    const id = list.reports.find((r) => r.reason === 'underage')!.id;
    expect((await admin('POST', `/api/admin/reports/${id}/close`)).status).toBe(204);
    expect(((await admin('GET', '/api/admin/reports')).body as { reports: Array<{ id: string }> }).reports.map((r) => r.id)).not.toContain(id);
    expect((await admin('POST', '/api/admin/reports/nope/close')).status).toBe(404);

    const suspended = await admin('POST', `/api/admin/accounts/${b.user.account.id}/suspend`, { hours: 2 });
    expect(suspended.status).toBe(200);
    expect((await b.socket.next('error')).code).toBe('suspended');
    expect((await api(server.url, 'POST', '/api/sessions', { body: { recoveryCode: b.user.recoveryCode } })).status).toBe(403);
    expect((await admin('POST', `/api/admin/accounts/${b.user.account.id}/unsuspend`)).status).toBe(204);
    expect((await api(server.url, 'POST', '/api/sessions', { body: { recoveryCode: b.user.recoveryCode } })).status).toBe(200);
    expect((await admin('POST', '/api/admin/accounts/nobody/suspend', {})).status).toBe(404);
    expect((await admin('POST', `/api/admin/accounts/${b.user.account.id}/suspend`, { until: '2001-01-01T00:00:00Z' })).status).toBe(400);
    a.socket.close();
  });
});

describe('socket caps', () => {
  it('an account may hold at most MAX_SOCKETS_PER_ACCOUNT sockets; an IP at most MAX_SOCKETS_PER_IP', async () => {
    const capped = await startService({ MAX_SOCKETS_PER_ACCOUNT: '2', MAX_SOCKETS_PER_IP: '4' });
    try {
      const user = await signUp(capped.url);
      const s1 = await TestSocket.signedIn(capped.wsUrl, user.token);
      const s2 = await TestSocket.signedIn(capped.wsUrl, user.token);
      const s3 = await TestSocket.open(capped.wsUrl);
      s3.send({ type: 'hello', token: user.token });
      expect(await s3.next('error')).toMatchObject({ code: 'too_many_connections' });
      expect((await s3.closed).code).toBe(4429);
      const other = await signUp(capped.url);
      const s4 = await TestSocket.signedIn(capped.wsUrl, other.token);
      const s5 = await TestSocket.signedIn(capped.wsUrl, other.token);
      const s6 = await TestSocket.open(capped.wsUrl);
      expect(await s6.next('error')).toMatchObject({ code: 'too_many_connections' });
      expect((await s6.closed).code).toBe(4429);
      s1.close();
      await s1.closed;
      const s7 = await TestSocket.signedIn(capped.wsUrl, user.token); // room again
      for (const s of [s2, s4, s5, s7]) s.close();
    } finally {
      await capped.stop();
    }
  });
});

describe('database faults', () => {
  it('a failing write is an internal error for that client only; everyone else goes on', async () => {
    let failing = false;
    let real: Store | undefined;
    const dir = (await import('node:fs')).mkdtempSync(`${(await import('node:os')).tmpdir()}/metsony-fault-`);
    real = await openSqliteStore(dir);
    const store = new Proxy(real, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop === 'storeOfflineMessage') {
          return async (...args: Parameters<Store['storeOfflineMessage']>) => {
            if (failing) throw new Error('disk I/O error');
            return target.storeOfflineMessage(...args);
          };
        }
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const faulty = await startService({ DATA_DIR: dir }, { store });
    try {
      const { a, b, connectionId } = await connected(faulty.url, faulty.wsUrl);
      const { a: c, b: d, chatId } = await chatting(faulty.url, faulty.wsUrl, ['Carl', 'Dana']);
      b.socket.close();
      await a.socket.next('presence', (f) => f.online === false);
      failing = true;
      a.socket.send({ type: 'dm', connectionId, id: 'x', text: 'will fail' });
      expect(await a.socket.next('error')).toMatchObject({ code: 'internal' });
      expect(JSON.stringify(a.socket.frames)).not.toContain('disk I/O');
      c.socket.send({ type: 'send', chatId, id: '1', text: 'still fine' });
      expect((await d.socket.next('message')).text).toBe('still fine');
      failing = false;
      a.socket.send({ type: 'dm', connectionId, id: 'y', text: 'works again' });
      expect(await a.socket.next('dm_sent')).toMatchObject({ stored: true });
      expect(faulty.logs()).not.toContain('will fail');
      for (const s of [a.socket, c.socket, d.socket]) s.close();
    } finally {
      await faulty.stop();
    }
  });
});

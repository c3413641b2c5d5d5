/**
 * Issue 15, item 4: the moderator API under the console. The newest-first
 * queue with distinct reporters, an account's history, dismissing, and the
 * audit log every moderator action (and every automatic suspension) writes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, signUp } from '../helpers/http.js';
import { type Running, sameData, serversOnPostgres, startService } from '../helpers/inProcess.js';
import { freshTopic, type Person, person } from '../helpers/people.js';

serversOnPostgres();

const ADMIN = 'moderator-console-token-0123456789';
let server: Running;
beforeAll(async () => {
  server = await startService({ ADMIN_TOKEN: ADMIN, MATCH_REMATCH_COOLDOWN_MS: '0' });
});
afterAll(async () => {
  await server.stop();
});

type Report = { id: string; reporterId: string; reportedId: string; reason: string; note: string | null; createdAt: string; status: string; attached: unknown };
type Queued = Report & { reporters: number };
type Entry = { id: string; at: string; actor: string; action: string; reportId: string | null; accountId: string | null; until: string | null };

const admin = <T = Record<string, unknown>>(method: string, path: string, body?: unknown, on: Running = server) =>
  api<T>(on.url, method, path, { token: ADMIN, body });

/** `reporter` meets `target` in a chat and reports them. */
async function report(reporter: Person, target: Person, reason: string, note?: string): Promise<void> {
  const topic = freshTopic();
  reporter.socket.send({ type: 'find', interests: [topic] });
  await reporter.socket.next('searching');
  target.socket.send({ type: 'find', interests: [topic] });
  const chatId = (await reporter.socket.next('matched')).chat.id;
  await target.socket.next('matched');
  reporter.socket.send({ type: 'report', chatId, reason, ...(note ? { note } : {}) });
  await reporter.socket.next('reported');
  reporter.socket.send({ type: 'leave', chatId });
  await reporter.socket.next('ended');
  if (target.socket.ws.readyState === target.socket.ws.OPEN) await target.socket.next('ended');
}

/** Until the clock has moved past `since`: two actions never share a millisecond, so "newest first" has one answer. */
async function nextMillisecond(since = Date.now()): Promise<void> {
  while (Date.now() <= since) await new Promise((r) => setImmediate(r));
}

const NEW_ROUTES: Array<[string, string]> = [
  ['GET', '/api/admin/open-reports'],
  ['GET', '/api/admin/accounts/someone/reports'],
  ['GET', '/api/admin/audit'],
  ['POST', '/api/admin/reports/some-report/dismiss'],
];

describe('moderator API: access', () => {
  it('every new route needs the token (401 before the body is read), and none exists without ADMIN_TOKEN', async () => {
    for (const [method, path] of NEW_ROUTES) {
      for (const token of [undefined, 'wrong', ADMIN.slice(0, -1)]) {
        const res = await api(server.url, method, path, { token, body: method === 'POST' ? { unknownField: 1 } : undefined });
        expect({ path, token, status: res.status, body: res.body }).toEqual({
          path,
          token,
          status: 401,
          body: { error: { code: 'unauthorized', message: expect.any(String) } },
        });
      }
    }
    // an account's own token is no moderator token
    const user = await signUp(server.url);
    expect((await api(server.url, 'GET', '/api/admin/audit', { token: user.token })).status).toBe(401);
    const plain = await startService();
    try {
      for (const [method, path] of NEW_ROUTES) expect((await api(plain.url, method, path, { token: ADMIN })).status).toBe(404);
    } finally {
      await plain.stop();
    }
  });

  it('refuses a bad page size or cursor with 400', async () => {
    for (const query of ['limit=0', 'limit=201', 'limit=x', 'before=not-a-cursor', `before=${Buffer.from('["yesterday","x"]').toString('base64url')}`]) {
      for (const path of ['/api/admin/open-reports', '/api/admin/audit']) {
        const res = await admin(`GET`, `${path}?${query}`);
        expect({ path, query, status: res.status, code: (res.body as { error?: { code: string } }).error?.code }).toEqual({ path, query, status: 400, code: 'bad_request' });
      }
    }
  });
});

describe('moderator API: reports, history, actions and their audit log', () => {
  it('three people report one account: newest first with 3 reporters, its history, and every action audited', async () => {
    const target = await person(server.url, server.wsUrl, [], 'Target');
    const reporters = [await person(server.url, server.wsUrl, []), await person(server.url, server.wsUrl, []), await person(server.url, server.wsUrl, [])];
    await report(reporters[0]!, target, 'spam', 'links');
    await nextMillisecond();
    await report(reporters[1]!, target, 'harassment');
    await nextMillisecond();
    await report(reporters[2]!, target, 'other', 'rude nickname');
    await report(reporters[0]!, target, 'spam', 'again'); // a second report from one reporter: still 3 reporters
    const targetId = target.user.account.id;

    const queue = await admin<{ reports: Queued[]; next: string | null }>('GET', '/api/admin/open-reports');
    expect(queue.status).toBe(200);
    const mine = queue.body.reports.filter((r) => r.reportedId === targetId);
    expect(mine.map((r) => [r.reporterId, r.reason, r.note])).toEqual([
      [reporters[0]!.user.account.id, 'spam', 'again'],
      [reporters[2]!.user.account.id, 'other', 'rude nickname'],
      [reporters[1]!.user.account.id, 'harassment', null],
      [reporters[0]!.user.account.id, 'spam', 'links'],
    ]);
    expect(mine[0]).toEqual({ id: expect.any(String), reporterId: reporters[0]!.user.account.id, reportedId: targetId, reason: 'spam', note: 'again', createdAt: expect.any(String), status: 'open', attached: null, reporters: 3 });
    expect(mine.every((r) => r.reporters === 3)).toBe(true);
    expect(queue.body.next).toBeNull();

    // paged: one at a time, each page continuing where the last stopped
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: { status: number; body: { reports: Queued[]; next: string | null } } = await admin('GET', `/api/admin/open-reports?limit=1${cursor ? `&before=${cursor}` : ''}`);
      expect(page.body.reports.length).toBeLessThanOrEqual(1);
      seen.push(...page.body.reports.map((r) => r.id));
      cursor = page.body.next;
    }
    expect(seen).toEqual(queue.body.reports.map((r) => r.id));

    const history = await admin<Record<string, unknown>>('GET', `/api/admin/accounts/${targetId}/reports`);
    expect(history.status).toBe(200);
    expect(history.body).toEqual({
      accountId: targetId,
      account: { nickname: 'Target', createdAt: target.user.account.createdAt, suspendedUntil: null },
      reporters: 3,
      reports: mine.map(({ reporters: _, ...r }) => r),
      filed: { total: 0, unfounded: 0 },
    });
    expect((await admin('GET', '/api/admin/accounts/nobody/reports')).status).toBe(404);

    // the actions, each one audited
    const [spamAgain, other, harassment, spam] = mine.map((r) => r.id) as [string, string, string, string];
    const suspended = await admin<{ until: string }>('POST', `/api/admin/accounts/${targetId}/suspend`, { hours: 1 });
    expect(suspended.status).toBe(200);
    expect((await target.socket.closed).code).toBe(4403);
    await nextMillisecond();
    expect((await admin('POST', `/api/admin/reports/${spam}/close`)).status).toBe(204);
    await nextMillisecond();
    expect((await admin('POST', `/api/admin/reports/${spamAgain}/dismiss`)).status).toBe(204);
    await nextMillisecond();
    expect((await admin('POST', `/api/admin/reports/${other}/dismiss`, { unfounded: true })).status).toBe(204);
    await nextMillisecond();
    expect((await admin('POST', `/api/admin/reports/${harassment}/close`, { unfounded: true })).status).toBe(204);
    await nextMillisecond();
    expect((await admin('POST', `/api/admin/accounts/${targetId}/unsuspend`)).status).toBe(204);
    // refused actions write nothing
    expect((await admin('POST', '/api/admin/reports/nope/dismiss')).status).toBe(404);
    expect((await admin('POST', '/api/admin/reports/nope/dismiss', { reason: 'x' })).status).toBe(400);
    expect((await admin('POST', '/api/admin/accounts/nobody/suspend', {})).status).toBe(404);
    expect((await admin('POST', '/api/admin/accounts/nobody/unsuspend')).status).toBe(404);

    const audit = await admin<{ entries: Entry[]; next: string | null }>('GET', `/api/admin/audit?accountId=${targetId}`);
    expect(audit.status).toBe(200);
    const entry = (action: string, fields: Partial<Entry> = {}) => ({ id: expect.any(String), at: expect.any(String), actor: 'moderator', action, reportId: null, accountId: targetId, until: null, ...fields });
    expect(audit.body).toEqual({
      entries: [
        entry('unsuspend'),
        entry('unfounded', { reportId: harassment }),
        entry('unfounded', { reportId: other }),
        entry('dismiss', { reportId: spamAgain }),
        entry('close', { reportId: spam }),
        entry('suspend', { until: suspended.body.until }),
      ],
      next: null,
    });
    expect(JSON.stringify(audit.body)).not.toContain('127.0.0.1');
    const whole = await admin<{ entries: Entry[] }>('GET', '/api/admin/audit?limit=3');
    expect(whole.body.entries.map((e) => e.id)).toEqual(audit.body.entries.slice(0, 3).map((e) => e.id));

    // the queue no longer holds them; the history shows their outcome; the reporters' records moved
    const after = await admin<{ reports: Queued[] }>('GET', '/api/admin/open-reports');
    expect(after.body.reports.filter((r) => r.reportedId === targetId)).toEqual([]);
    const outcome = await admin<{ reports: Report[]; account: { suspendedUntil: string | null } }>('GET', `/api/admin/accounts/${targetId}/reports`);
    expect(outcome.body.reports.map((r) => r.status)).toEqual(['dismissed', 'unfounded', 'unfounded', 'closed']);
    expect(outcome.body.account.suspendedUntil).toBeNull();
    const reporterHistory = await admin<{ account: unknown; reports: Report[]; filed: unknown }>('GET', `/api/admin/accounts/${reporters[1]!.user.account.id}/reports`);
    expect(reporterHistory.body.reports).toEqual([]);
    expect(reporterHistory.body.filed).toEqual({ total: 1, unfounded: 1 });

    // the account sees what was done to it in its export, never the reports or who made them
    const exported = await api<{ moderation: unknown[] }>(server.url, 'GET', '/api/me/export', { token: target.user.token });
    expect(exported.body.moderation).toEqual([
      { action: 'unsuspend', at: expect.any(String), by: 'moderator', until: null },
      { action: 'unfounded', at: expect.any(String), by: 'moderator', until: null },
      { action: 'unfounded', at: expect.any(String), by: 'moderator', until: null },
      { action: 'dismiss', at: expect.any(String), by: 'moderator', until: null },
      { action: 'close', at: expect.any(String), by: 'moderator', until: null },
      { action: 'suspend', at: expect.any(String), by: 'moderator', until: suspended.body.until },
    ]);

    // Delete everything takes the entries naming the account
    expect((await api(server.url, 'DELETE', '/api/me', { token: target.user.token })).status).toBe(204);
    const left = await admin<{ entries: Entry[] }>('GET', '/api/admin/audit?limit=200');
    expect(JSON.stringify(left.body)).not.toContain(targetId);
    expect((await admin<{ entries: Entry[] }>('GET', `/api/admin/audit?accountId=${targetId}`)).body.entries).toEqual([]);
    for (const r of reporters) r.socket.close();
  });

  it('an automatic suspension is audited as automatic', async () => {
    const strict = await startService({ ADMIN_TOKEN: ADMIN, REPORT_THRESHOLD: '1', REPORT_MIN_ACCOUNT_AGE_MS: '0', REPORT_FULL_WEIGHT_AGE_MS: '0' });
    try {
      const reporter = await person(strict.url, strict.wsUrl, []);
      const target = await person(strict.url, strict.wsUrl, []);
      const topic = freshTopic();
      reporter.socket.send({ type: 'find', interests: [topic] });
      await reporter.socket.next('searching');
      target.socket.send({ type: 'find', interests: [topic] });
      const chatId = (await reporter.socket.next('matched')).chat.id;
      reporter.socket.send({ type: 'report', chatId, reason: 'harassment' });
      await reporter.socket.next('reported');
      expect(await target.socket.next('error')).toMatchObject({ code: 'suspended' });
      expect((await target.socket.closed).code).toBe(4403);
      const audit = await admin<{ entries: Entry[] }>('GET', '/api/admin/audit', undefined, strict);
      expect(audit.body.entries).toEqual([
        { id: expect.any(String), at: expect.any(String), actor: 'automatic', action: 'suspend', reportId: null, accountId: target.user.account.id, until: expect.any(String) },
      ]);
      reporter.socket.close();
    } finally {
      await strict.stop();
    }
  });
});

describe('audit log retention', () => {
  it('an entry older than 365 days is purged by the sweep at start-up; a younger one stays', async () => {
    const first = await startService({ ADMIN_TOKEN: ADMIN });
    const user = await signUp(first.url);
    const daysAgo = (days: number) => new Date(Date.now() - days * 24 * 3600_000).toISOString();
    const { store } = first.service;
    await store.setSuspension(user.account.id, null, { id: 'old-entry', at: daysAgo(366), actor: 'moderator' });
    await store.setSuspension(user.account.id, null, { id: 'young-entry', at: daysAgo(364), actor: 'moderator' });
    await first.stop();
    const again = await startService({ ADMIN_TOKEN: ADMIN, ...sameData(first) });
    try {
      const audit = await admin<{ entries: Entry[] }>('GET', '/api/admin/audit', undefined, again);
      expect(audit.body.entries.map((e) => e.id)).toEqual(['young-entry']);
    } finally {
      await again.stop();
    }
  });
});

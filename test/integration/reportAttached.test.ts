/**
 * A report may carry the last messages of the chat, attached by the reporter
 * (docs/protocol.md, `report.attached`): moderators see them through the
 * moderator API, the reporter in their export; they are refused when malformed,
 * removed when a moderator acts on the report, and 30 days after it at the latest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/shared/limits.js';
import type { AttachedMessage } from '../../src/shared/moderation.js';
import { fitAttached, frameBytes } from '../../src/web/store/reportAttachment.js';
import { api } from '../helpers/http.js';
import { type Running, sameData, serversOnPostgres, startService } from '../helpers/inProcess.js';
import { chatting, type Person } from '../helpers/people.js';

serversOnPostgres();

const ADMIN = 'report-attachment-moderator-token-0123';
const DAY = 24 * 3600_000;
let clock = Date.now();
let server: Running;
beforeAll(async () => {
  server = await startService({ ADMIN_TOKEN: ADMIN, MATCH_REMATCH_COOLDOWN_MS: '0' }, { now: () => clock });
});
afterAll(async () => {
  await server.stop();
});

type Report = { id: string; reporterId: string; reportedId: string; reason: string; note: string | null; status: string; attached: AttachedMessage[] | null };

const admin = <T = Record<string, unknown>>(method: string, path: string, on: Running = server) => api<T>(on.url, method, path, { token: ADMIN });

/** Every kept report against `accountId`, newest first (the account's history). */
async function reportsAgainst(accountId: string, on: Running = server): Promise<Report[]> {
  const res = await admin<{ reports: Report[] }>('GET', `/api/admin/accounts/${accountId}/reports`, on);
  return res.status === 404 ? [] : res.body.reports;
}

/** `a` reports `b` in their chat with this frame's extra fields; resolves with the answer's type (`reported`, or the error code). */
async function fileReport(a: Person, chatId: string, extra: Record<string, unknown>): Promise<string> {
  a.socket.send({ type: 'report', chatId, reason: 'harassment', ...extra });
  const answer = await a.socket.next(undefined, (f) => f.type === 'reported' || f.type === 'error');
  return answer.type === 'error' ? String(answer.code) : answer.type;
}

const LINES: AttachedMessage[] = [
  { from: 'partner', text: 'you will regret this' },
  { from: 'me', text: 'please stop' },
  { from: 'partner', text: 'I know where you live 🙂' },
];

describe('report with attached messages', () => {
  it('reaches the moderators (queue, list, history) and the reporter’s export; the plain form attaches nothing', async () => {
    const { a, b, chatId } = await chatting(server.url, server.wsUrl);
    expect(await fileReport(a, chatId, { note: 'threats', attached: LINES })).toBe('reported');
    const target = b.user.account.id;

    const [kept] = await reportsAgainst(target);
    expect(kept).toMatchObject({ reporterId: a.user.account.id, reason: 'harassment', note: 'threats', status: 'open', attached: LINES });
    const queue = await admin<{ reports: Report[] }>('GET', '/api/admin/open-reports');
    expect(queue.body.reports.find((r) => r.id === kept!.id)?.attached).toEqual(LINES);
    const list = await admin<{ reports: Report[] }>('GET', '/api/admin/reports');
    expect(list.body.reports.find((r) => r.id === kept!.id)?.attached).toEqual(LINES);

    // The reporter's export has them; the reported account's does not (other people's reports are not exported).
    const mine = await api<{ reports: Array<{ id: string; attached: unknown }> }>(server.url, 'GET', '/api/me/export', { token: a.user.token });
    expect(mine.body.reports).toEqual([expect.objectContaining({ id: kept!.id, attached: LINES })]);
    const theirs = await api(server.url, 'GET', '/api/me/export', { token: b.user.token });
    expect(JSON.stringify(theirs.body)).not.toContain('regret');

    // Without `attached` (the PROTOCOL form) nothing is attached; an empty list is the same.
    expect(await fileReport(b, chatId, { reason: 'spam' })).toBe('reported');
    expect(await fileReport(b, chatId, { reason: 'other', attached: [] })).toBe('reported');
    expect((await reportsAgainst(a.user.account.id)).map((r) => r.attached)).toEqual([null, null]);
    a.socket.close();
    b.socket.close();
  });

  it('refuses more than 20, an empty or over-long text, another `from` or another field with bad_request, and stores nothing', async () => {
    const { a, b, chatId } = await chatting(server.url, server.wsUrl);
    const line = (text: string, from = 'partner') => ({ from, text });
    const refused: unknown[] = [
      Array.from({ length: LIMITS.reportAttachedMax + 1 }, (_, i) => line(`line ${i}`)),
      [line('')],
      [line('x'.repeat(LIMITS.textMax + 1))],
      [line('😀'.repeat(LIMITS.textMax + 1))],
      [line('hello', 'stranger')],
      [{ from: 'me' }],
      [{ ...line('hello'), at: '2026-12-03T00:00:00.000Z' }],
      [line('hello'), 'hello'],
      'hello',
      { from: 'me', text: 'hello' },
    ];
    for (const attached of refused) {
      expect({ attached, answer: await fileReport(a, chatId, { attached }) }).toEqual({ attached, answer: 'bad_request' });
    }
    expect(await reportsAgainst(b.user.account.id)).toEqual([]);

    // The limits themselves are fine: 20 items, and 2000 characters counted as code points (an emoji is one).
    const most = [
      ...Array.from({ length: LIMITS.reportAttachedMax - 2 }, (_, i) => line(`line ${i}`, i % 2 ? 'me' : 'partner')),
      line('x'.repeat(LIMITS.textMax)),
      line('😀'.repeat(LIMITS.textMax / 2)),
    ];
    expect(frameBytes({ type: 'report', chatId, reason: 'harassment', attached: most })).toBeLessThan(LIMITS.frameBytesMax);
    expect(await fileReport(a, chatId, { attached: most })).toBe('reported');
    expect((await reportsAgainst(b.user.account.id)).map((r) => r.attached)).toEqual([most]);
    a.socket.close();
    b.socket.close();
  });

  it('what the web app fits under the frame cap is accepted whole, even twenty of the longest messages', async () => {
    const { a, b, chatId } = await chatting(server.url, server.wsUrl);
    // 2000 four-byte characters each: one alone is 8 KB of JSON, so only the newest fits.
    const heavy = Array.from({ length: 20 }, (_, i): AttachedMessage => ({ from: i % 2 ? 'me' : 'partner', text: `${i}${'😀'.repeat(LIMITS.textMax - String(i).length)}` }));
    const frame = { type: 'report' as const, chatId, reason: 'harassment' as const };
    const fitted = fitAttached(frame, heavy);
    expect(fitted).toEqual(heavy.slice(-fitted.length));
    expect(fitted).toHaveLength(1);
    expect(frameBytes({ ...frame, attached: fitted })).toBeLessThan(LIMITS.frameBytesMax);
    expect(await fileReport(a, chatId, { attached: fitted })).toBe('reported');
    expect((await reportsAgainst(b.user.account.id)).map((r) => r.attached)).toEqual([fitted]);
    a.socket.close();
    b.socket.close();
  });
});

describe('attached messages are removed', () => {
  it('when a moderator closes, dismisses or marks the report unfounded; the report itself stays', async () => {
    const { a, b, chatId } = await chatting(server.url, server.wsUrl);
    for (const reason of ['spam', 'harassment', 'other']) expect(await fileReport(a, chatId, { reason, attached: LINES })).toBe('reported');
    const target = b.user.account.id;
    const [third, second, first] = (await reportsAgainst(target)).map((r) => r.id) as [string, string, string];
    expect((await reportsAgainst(target)).map((r) => r.attached)).toEqual([LINES, LINES, LINES]);

    expect((await api(server.url, 'POST', `/api/admin/reports/${first}/close`, { token: ADMIN })).status).toBe(204);
    expect((await reportsAgainst(target)).map((r) => [r.id, r.status, r.attached])).toEqual([
      [third, 'open', LINES],
      [second, 'open', LINES],
      [first, 'closed', null],
    ]);
    expect((await api(server.url, 'POST', `/api/admin/reports/${second}/dismiss`, { token: ADMIN })).status).toBe(204);
    expect((await api(server.url, 'POST', `/api/admin/reports/${third}/close`, { token: ADMIN, body: { unfounded: true } })).status).toBe(204);
    expect((await reportsAgainst(target)).map((r) => [r.id, r.status, r.attached])).toEqual([
      [third, 'unfounded', null],
      [second, 'dismissed', null],
      [first, 'closed', null],
    ]);
    const exported = await api<{ reports: Array<{ attached: unknown }> }>(server.url, 'GET', '/api/me/export', { token: a.user.token });
    expect(exported.body.reports.map((r) => r.attached)).toEqual([null, null, null]);
    a.socket.close();
    b.socket.close();
  });

  it('with the reporter’s account; not with the reported account’s, whose report keeps them under the pseudonym', async () => {
    const first = await chatting(server.url, server.wsUrl);
    expect(await fileReport(first.a, first.chatId, { attached: LINES })).toBe('reported');
    // The reporter deletes everything: the report goes, attachment and all.
    expect((await api(server.url, 'DELETE', '/api/me', { token: first.a.user.token })).status).toBe(204);
    expect(await reportsAgainst(first.b.user.account.id)).toEqual([]);

    // The reported account deletes everything: the report stays pseudonymised, with its attachment, until handled.
    const second = await chatting(server.url, server.wsUrl);
    expect(await fileReport(second.a, second.chatId, { attached: LINES })).toBe('reported');
    expect((await api(server.url, 'DELETE', '/api/me', { token: second.b.user.token })).status).toBe(204);
    const filed = (await admin<{ reports: Report[] }>('GET', '/api/admin/open-reports')).body.reports.filter((r) => r.reporterId === second.a.user.account.id);
    expect(filed).toEqual([expect.objectContaining({ reportedId: expect.stringMatching(/^erased-/), attached: LINES })]);
    for (const s of [first.b, second.a]) s.socket.close();
  });

  it('30 days after the report by the retention sweep (at start-up and hourly), and not before', async () => {
    const { a, b, chatId } = await chatting(server.url, server.wsUrl);
    expect(await fileReport(a, chatId, { attached: LINES })).toBe('reported');
    a.socket.close();
    b.socket.close();
    const target = b.user.account.id;
    const restart = async (daysLater: number): Promise<void> => {
      await server.stop();
      clock = Date.now() + daysLater * DAY;
      server = await startService({ ADMIN_TOKEN: ADMIN, ...sameData(server) }, { now: () => clock });
    };

    await restart(29);
    expect((await reportsAgainst(target)).map((r) => r.attached)).toEqual([LINES]);
    await restart(30.01);
    expect((await reportsAgainst(target)).map((r) => [r.status, r.attached])).toEqual([['open', null]]);
  });
});

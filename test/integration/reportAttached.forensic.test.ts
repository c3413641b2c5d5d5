/**
 * Messages attached to a report are chat text in clear: while the report is
 * open they are in the database; once a moderator acts on it no byte of them
 * is left in any file under DATA_DIR, and they never reach the output.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { findInFiles } from '../helpers/forensic.js';
import { api } from '../helpers/http.js';
import { chatting } from '../helpers/people.js';
import { type ServerProcess, startServerProcess } from '../helpers/serverProcess.js';

let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.kill();
});

const ADMIN = `forensic-admin-${randomBytes(16).toString('hex')}`;
const canary = (label: string) => `${label}-${randomBytes(10).toString('hex')}`;

describe('attached messages on disk', () => {
  it('are in the database while the report is open, and in no file once a moderator closed it', async () => {
    server = await startServerProcess({ env: { LOG_LEVEL: 'trace', ADMIN_TOKEN: ADMIN } });
    const s = server;
    const { a, b, chatId } = await chatting(s.url, s.wsUrl);
    const theirs = canary('threat');
    const mine = canary('reply');
    // Long ones too: the row then spills onto overflow pages, as the largest attachments do.
    const longs = [canary('long1'), canary('long2'), canary('long3')];
    const attached = [
      { from: 'partner', text: theirs },
      { from: 'me', text: mine },
      ...longs.map((l) => ({ from: 'partner', text: l.padEnd(2000, '.') })),
    ];
    a.socket.send({ type: 'report', chatId, reason: 'harassment', attached });
    await a.socket.next('reported');
    a.socket.close();
    b.socket.close();

    const reports = await api<{ reports: Array<{ id: string; attached: unknown }> }>(s.url, 'GET', '/api/admin/open-reports', { token: ADMIN });
    const report = reports.body.reports.find((r) => r.attached !== null)!;
    expect(report.attached).toEqual(attached);
    const traces = [theirs, mine, ...longs];
    expect(findInFiles(s.dataDir, traces).length).toBeGreaterThanOrEqual(traces.length); // really stored while open

    expect((await api(s.url, 'POST', `/api/admin/reports/${report.id}/close`, { token: ADMIN })).status).toBe(204);
    expect(findInFiles(s.dataDir, traces)).toEqual([]);
    const after = await api<{ reports: Array<{ id: string; attached: unknown }> }>(s.url, 'GET', `/api/admin/accounts/${b.user.account.id}/reports`, { token: ADMIN });
    expect(after.body.reports).toEqual([expect.objectContaining({ id: report.id, status: 'closed', attached: null })]);

    expect(traces.filter((t) => s.output().includes(t))).toEqual([]);
    expect(await s.stop()).toBe(0);
    expect(findInFiles(s.dataDir, traces)).toEqual([]);
  });
});

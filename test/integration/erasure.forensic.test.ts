/**
 * P5, P9 forensic: after "Delete everything", no byte of the account's
 * nickname, interests, offline messages or code hash is left in any file under
 * DATA_DIR, nor of the moderators' audit entries naming it; a trusted client
 * IP never reaches a file or the output.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { pepperedCodeHash } from '../../src/server/domain/pepper.js';
import { hashSecret, normalizeRecoveryCode } from '../../src/server/domain/secrets.js';
import { findInFiles } from '../helpers/forensic.js';
import { api, type SignUp } from '../helpers/http.js';
import { type ServerProcess, startServerProcess } from '../helpers/serverProcess.js';
import { TestSocket } from '../helpers/wsClient.js';

let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.kill();
});

const CLIENT_IP = '198.51.100.23';
const PEPPER = `forensic-pepper-${randomBytes(16).toString('hex')}`;
const ADMIN = `forensic-admin-${randomBytes(16).toString('hex')}`;
type AuditEntries = { entries: Array<{ id: string; accountId: string | null }> };
const uniq = (label: string) => `${label}${randomBytes(6).toString('hex')}`;

describe('delete everything leaves no byte behind', () => {
  it('removes nickname, interests, messages and code hash from every file within 5 s', async () => {
    server = await startServerProcess({ env: { TRUST_PROXY: 'cloudflare', LOG_LEVEL: 'trace', RECOVERY_PEPPER: PEPPER, ADMIN_TOKEN: ADMIN } });
    const s = server;
    const headers = { 'cf-connecting-ip': CLIENT_IP, 'cf-ipcountry': 'PT' };
    const join = async (nickname: string, interests: string[]) => {
      const res = await api<SignUp>(s.url, 'POST', '/api/accounts', { body: { nickname, interests, adult: true }, headers });
      const socket = await TestSocket.open(s.wsUrl, headers);
      socket.send({ type: 'hello', token: res.body.token });
      await socket.next('inbox');
      return { user: res.body, socket };
    };
    const nickname = uniq('nick');
    const interests = [uniq('interest'), uniq('hobby')];
    const leaver = await join(nickname, interests);
    const friend = await join(uniq('friend'), []); // no interests: paired with anyone
    leaver.socket.send({ type: 'find' });
    await leaver.socket.next('searching');
    friend.socket.send({ type: 'find' });
    const chatId = (await leaver.socket.next('matched')).chat.id;
    await friend.socket.next('matched');
    // a report against the leaver outlives the deletion, under a pseudonym: none of the leaver's data stays with it
    friend.socket.send({ type: 'report', chatId, reason: 'underage' });
    await friend.socket.next('reported');
    const profile = { firstName: uniq('First'), location: uniq('Town') };
    leaver.socket.send({ type: 'reveal', chatId, profile });
    expect((await friend.socket.next('revealed')).profile).toEqual(profile);
    leaver.socket.send({ type: 'connect', chatId });
    friend.socket.send({ type: 'connect', chatId });
    const connectionId = (await friend.socket.next('connected')).connection.id;
    await leaver.socket.next('connected');
    // messages both ways, waiting while the other is away
    friend.socket.close();
    await leaver.socket.next('presence', (f) => f.online === false);
    const toFriend = uniq('outgoing');
    leaver.socket.send({ type: 'dm', connectionId, id: '1', text: toFriend });
    expect((await leaver.socket.next('dm_sent')).stored).toBe(true);
    // the friend is back, and is told when the leaver has gone
    const friendBack = await TestSocket.signedIn(s.wsUrl, friend.user.token);
    leaver.socket.close();
    await friendBack.next('presence', (f) => f.connectionId === connectionId && f.online === false);
    const toLeaver = uniq('incoming');
    friendBack.send({ type: 'dm', connectionId, id: '2', text: toLeaver });
    expect((await friendBack.next('dm_sent')).stored).toBe(true);

    // a moderator suspends the leaver, lifts it and closes the report: three audit entries name the leaver
    const leaverId = leaver.user.account.id;
    const admin = (method: string, path: string, body?: unknown) => api<AuditEntries>(s.url, method, path, { token: ADMIN, body });
    expect((await admin('POST', `/api/admin/accounts/${leaverId}/suspend`, { hours: 1 })).status).toBe(200);
    expect((await admin('POST', `/api/admin/accounts/${leaverId}/unsuspend`)).status).toBe(204);
    const reportId = (await api<{ reports: Array<{ id: string; reportedId: string }> }>(s.url, 'GET', '/api/admin/reports', { token: ADMIN })).body.reports.find(
      (r) => r.reportedId === leaverId,
    )!.id;
    expect((await admin('POST', `/api/admin/reports/${reportId}/close`)).status).toBe(204);
    const audited = (await admin('GET', `/api/admin/audit?accountId=${leaverId}`)).body.entries.map((e) => e.id);
    expect(audited).toHaveLength(3);

    const code = normalizeRecoveryCode(leaver.user.recoveryCode);
    const codeHash = pepperedCodeHash(PEPPER, code);
    const traces = [nickname, ...interests, toFriend, toLeaver, codeHash, leaverId, ...audited];
    expect(findInFiles(s.dataDir, [nickname, codeHash]).length).toBeGreaterThan(0); // stored before
    expect(findInFiles(s.dataDir, audited).length).toBeGreaterThan(0);

    expect((await api(s.url, 'DELETE', '/api/me', { token: leaver.user.token })).status).toBe(204);
    expect(await friendBack.next('connection_removed')).toEqual({ type: 'connection_removed', connectionId });
    const deadline = Date.now() + 5000;
    while (findInFiles(s.dataDir, traces).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(findInFiles(s.dataDir, traces)).toEqual([]);
    expect((await admin('GET', '/api/admin/audit')).body.entries).toEqual([]);

    // never anywhere: the revealed profile, the client IP, the code, its unkeyed SHA-256, the pepper
    const never = [profile.firstName, profile.location, CLIENT_IP, code, hashSecret(code), PEPPER];
    expect(findInFiles(s.dataDir, never)).toEqual([]);
    expect(never.filter((x) => s.output().includes(x))).toEqual([]);

    friendBack.close();
    expect(await s.stop()).toBe(0);
    expect(findInFiles(s.dataDir, [...traces, ...never])).toEqual([]);
  });
});

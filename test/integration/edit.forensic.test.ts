/**
 * Issue 9 finding 14 (SQLite): after `PATCH /api/me` no byte of the old
 * nickname or interests is left in any file under DATA_DIR, the `-wal` included.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { findInFiles } from '../helpers/forensic.js';
import { api, signUp } from '../helpers/http.js';
import { type ServerProcess, startServerProcess } from '../helpers/serverProcess.js';

let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.kill();
});

const uniq = (label: string) => `${label}${randomBytes(6).toString('hex')}`;

describe('editing the profile leaves no old value behind', () => {
  it('the old nickname and interests are gone from every file once PATCH /api/me answers', async () => {
    server = await startServerProcess();
    const oldNickname = uniq('oldnick');
    const oldInterest = uniq('oldtopic');
    const user = await signUp(server.url, [oldInterest], oldNickname);
    expect(findInFiles(server.dataDir, [oldNickname]).length).toBeGreaterThan(0); // stored before

    const newNickname = uniq('newnick');
    const res = await api(server.url, 'PATCH', '/api/me', { token: user.token, body: { nickname: newNickname, interests: [uniq('newtopic')] } });
    expect(res.status).toBe(200);
    expect(findInFiles(server.dataDir, [oldNickname, oldInterest])).toEqual([]);
    expect(findInFiles(server.dataDir, [newNickname]).length).toBeGreaterThan(0);
  });
});

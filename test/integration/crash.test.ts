/**
 * Issue 5 faults: kill -9 in the middle of a burst of account creations leaves
 * a consistent database, and every acknowledged sign-up is there after restart.
 */
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SQLITE_FILE } from '../../src/server/store/sqlite.js';
import { api, type SignUp } from '../helpers/http.js';
import { type ServerProcess, startServerProcess } from '../helpers/serverProcess.js';

const running: ServerProcess[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.kill();
});

describe('kill -9 during sign-ups', () => {
  it('keeps every acknowledged account and a consistent database', async () => {
    const server = await startServerProcess();
    running.push(server);
    const acked: SignUp[] = [];
    let stop = false;
    const worker = async (w: number) => {
      for (let i = 0; !stop && i < 200; i++) {
        try {
          const res = await api<SignUp>(server.url, 'POST', '/api/accounts', { body: { nickname: `crash${w}-${i}`, interests: ['x'], adult: true } });
          if (res.status === 201) acked.push(res.body);
        } catch {
          return; // the server died under us: expected
        }
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => worker(w));
    while (acked.length < 40) await new Promise((r) => setTimeout(r, 2));
    await server.kill();
    stop = true;
    await Promise.all(workers);
    const ackedAtKill = [...acked];

    const db = new SqliteDatabase(path.join(server.dataDir, SQLITE_FILE));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();

    const again = await startServerProcess({ dataDir: server.dataDir });
    running.push(again);
    for (const { recoveryCode, account, token } of ackedAtKill) {
      const signIn = await api<{ account: SignUp['account'] }>(again.url, 'POST', '/api/sessions', { body: { recoveryCode } });
      expect(signIn.status).toBe(200);
      expect(signIn.body.account).toEqual(account);
      expect((await api(again.url, 'GET', '/api/me', { token })).status).toBe(200);
    }
  }, 60_000);
});

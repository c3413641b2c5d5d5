/**
 * Issue 9 finding 10: recovery-code hashes are keyed with a server pepper kept
 * outside the database; old SHA-256 rows are rehashed once; a wrong pepper
 * stops start-up; a rotation moves codes to the new pepper as people sign in.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { pepperedCodeHash } from '../../src/server/domain/pepper.js';
import { hashSecret, newRecoveryCode, newToken } from '../../src/server/domain/secrets.js';
import { migrateTo } from '../../src/server/store/migrations.js';
import { SQLITE_FILE } from '../../src/server/store/sqlite.js';
import { api, type SignUp, signUp } from '../helpers/http.js';
import { startService } from '../helpers/inProcess.js';

const PEPPER_A = 'pepper-a-0123456789abcdefghijklmnopqrstuvwxyz';
const PEPPER_B = 'pepper-b-0123456789abcdefghijklmnopqrstuvwxyz';
const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'metsony-pepper-'));
const signIn = (url: string, recoveryCode: string) => api<{ token: string; account: SignUp['account'] }>(url, 'POST', '/api/sessions', { body: { recoveryCode } });

/** Starts the real server with `env`; it is expected to refuse: its exit status and stderr lines (killed after 20 s if it does not). */
async function refusedStart(env: Record<string, string>): Promise<{ status: number | null; lines: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', RECOVERY_PEPPER: '', RECOVERY_PEPPER_FILE: '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const status = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  clearTimeout(timer);
  return { status, lines: stderr.trim().split('\n') };
}

describe('recovery-code pepper', () => {
  it('stores HMAC(pepper, SHA-256(code)), never the SHA-256 of the code', async () => {
    const server = await startService({ RECOVERY_PEPPER: PEPPER_A });
    try {
      const user = await signUp(server.url);
      const { store } = server.service;
      expect(await store.accountByCodeHash(hashSecret(user.recoveryCode))).toBeUndefined();
      expect((await store.accountByCodeHash(pepperedCodeHash(PEPPER_A, user.recoveryCode)))?.id).toBe(user.account.id);
      expect((await signIn(server.url, user.recoveryCode.toUpperCase())).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('rehashes a database from before the pepper once: old codes and tokens keep working', async () => {
    const dataDir = tempDir();
    // The database as the previous version left it: SHA-256 code hashes, sessions without id or last use.
    const sqlite = new SqliteDatabase(path.join(dataDir, SQLITE_FILE));
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
    await migrateTo(db, '2026-11-29T03-linked-identities');
    const code = newRecoveryCode();
    const token = newToken();
    const createdAt = '2026-11-30T10:00:00.000Z';
    sqlite
      .prepare('INSERT INTO accounts (id, nickname, interests, code_hash, created_at) VALUES (?, ?, ?, ?, ?)')
      .run('old-account', 'Oldtimer', '[]', hashSecret(code), createdAt);
    sqlite.prepare('INSERT INTO sessions (token_hash, account_id, created_at) VALUES (?, ?, ?)').run(hashSecret(token), 'old-account', createdAt);
    await db.destroy();

    for (let start = 0; start < 2; start++) {
      // The second start must not hash the hashes again.
      const server = await startService({ DATA_DIR: dataDir, RECOVERY_PEPPER: PEPPER_A });
      try {
        expect(await server.service.store.accountByCodeHash(hashSecret(code))).toBeUndefined();
        const res = await signIn(server.url, code);
        expect(res.status).toBe(200);
        expect(res.body.account.id).toBe('old-account');
        const sessions = await api<{ sessions: Array<{ id: string; createdAt: string; lastUsedAt: string }> }>(server.url, 'GET', '/api/sessions', { token });
        expect(sessions.status).toBe(200);
        expect(sessions.body.sessions[0]).toMatchObject({ createdAt, id: expect.any(String) });
      } finally {
        await server.stop();
      }
    }
  });

  it('a generated pepper is a 0600 file under DATA_DIR, reused on restart', async () => {
    const dataDir = tempDir();
    const first = await startService({ DATA_DIR: dataDir });
    const user = await signUp(first.url);
    await first.stop();
    const file = path.join(dataDir, 'recovery-pepper');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const second = await startService({ DATA_DIR: dataDir });
    try {
      expect((await signIn(second.url, user.recoveryCode)).status).toBe(200);
    } finally {
      await second.stop();
    }
  });

  it('a different pepper stops start-up with one line naming the variable', { timeout: 60_000 }, async () => {
    const dataDir = tempDir();
    const first = await startService({ DATA_DIR: dataDir, RECOVERY_PEPPER: PEPPER_A });
    await signUp(first.url);
    await first.stop();
    const wrong = await refusedStart({ DATA_DIR: dataDir, RECOVERY_PEPPER: PEPPER_B });
    expect(wrong.status).toBe(1);
    expect(wrong.lines).toHaveLength(1);
    expect(wrong.lines[0]).toContain('RECOVERY_PEPPER');

    const pepperFile = path.join(tempDir(), 'pepper');
    fs.writeFileSync(pepperFile, PEPPER_B);
    const wrongFile = await refusedStart({ DATA_DIR: dataDir, RECOVERY_PEPPER_FILE: pepperFile });
    expect(wrongFile.status).toBe(1);
    expect(wrongFile.lines).toHaveLength(1);
    expect(wrongFile.lines[0]).toContain('RECOVERY_PEPPER_FILE');

    // Unset: the generated file under DATA_DIR is not the pepper the codes were keyed with either.
    const unset = await refusedStart({ DATA_DIR: dataDir });
    expect(unset.status).toBe(1);
    expect(unset.lines).toHaveLength(1);
    expect(unset.lines[0]).toContain('RECOVERY_PEPPER');

    const short = await refusedStart({ DATA_DIR: dataDir, RECOVERY_PEPPER: 'short' });
    expect(short.lines).toEqual([expect.stringContaining('RECOVERY_PEPPER')]);
  });

  it('rotates: with RECOVERY_PEPPER_PREVIOUS, signing in moves the code to the new pepper', { timeout: 60_000 }, async () => {
    const dataDir = tempDir();
    const first = await startService({ DATA_DIR: dataDir, RECOVERY_PEPPER: PEPPER_A });
    const active = await signUp(first.url);
    const away = await signUp(first.url);
    await first.stop();

    const rotating = await startService({ DATA_DIR: dataDir, RECOVERY_PEPPER: PEPPER_B, RECOVERY_PEPPER_PREVIOUS: PEPPER_A });
    try {
      const { store } = rotating.service;
      expect((await signIn(rotating.url, active.recoveryCode)).status).toBe(200);
      expect((await store.accountByCodeHash(pepperedCodeHash(PEPPER_B, active.recoveryCode)))?.id).toBe(active.account.id);
      expect(await store.accountByCodeHash(pepperedCodeHash(PEPPER_A, active.recoveryCode))).toBeUndefined();
      const fresh = await signUp(rotating.url);
      expect((await store.accountByCodeHash(pepperedCodeHash(PEPPER_B, fresh.recoveryCode)))?.id).toBe(fresh.account.id);
    } finally {
      await rotating.stop();
    }

    // The old pepper is no longer accepted as the current one, and a wrong previous one is refused.
    expect((await refusedStart({ DATA_DIR: dataDir, RECOVERY_PEPPER: PEPPER_A })).lines).toEqual([expect.stringContaining('RECOVERY_PEPPER')]);
    const wrongPrevious = await refusedStart({ DATA_DIR: dataDir, RECOVERY_PEPPER: PEPPER_B, RECOVERY_PEPPER_PREVIOUS: 'another-pepper-0123456789abcdefghijklmnop' });
    expect(wrongPrevious.lines).toEqual([expect.stringContaining('RECOVERY_PEPPER_PREVIOUS')]);

    const after = await startService({ DATA_DIR: dataDir, RECOVERY_PEPPER: PEPPER_B });
    try {
      expect((await signIn(after.url, active.recoveryCode)).status).toBe(200);
      // Documented: a code nobody used while the previous pepper was set stays under it.
      expect((await signIn(after.url, away.recoveryCode)).status).toBe(401);
    } finally {
      await after.stop();
    }
  });
});

/**
 * Issue 15: backups that restore. SQLite: the backup command copies a running
 * node's database; restored into a new DATA_DIR with the recovery pepper
 * (kept apart from the database), a server starts there and signs an account
 * in with its recovery code. PostgreSQL: pg_dump of a live node's schema,
 * pg_restore into a new database, a server on it signs the account in.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PEPPER_FILE_NAME } from '../../src/server/config.js';
import { SQLITE_FILE } from '../../src/server/store/sqlite.js';
import { api, signUp } from '../helpers/http.js';
import { startService } from '../helpers/inProcess.js';
import { startServerProcess, type ServerProcess } from '../helpers/serverProcess.js';
import { postgresSchema } from '../helpers/stores.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const databaseUrl = process.env.DATABASE_URL;
const PG_DUMP = process.env.PG_DUMP ?? '/usr/bin/pg_dump';
const PG_RESTORE = process.env.PG_RESTORE ?? '/usr/bin/pg_restore';
const PROCESS_TEST_MS = 300_000;

/** Runs the backup command as an operator would (the server's own environment, here via tsx instead of dist/). */
function runBackup(env: Record<string, string>, file: string): Promise<{ code: number | null; output: string }> {
  const { DATABASE_URL: _db, REDIS_URL: _redis, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/server/backup.ts'), file], {
    cwd: ROOT,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

const signIn = (base: string, recoveryCode: string) => api(base, 'POST', '/api/sessions', { body: { recoveryCode } });

describe('SQLite backup and restore', () => {
  const processes: ServerProcess[] = [];
  afterAll(async () => {
    for (const p of processes) await p.kill();
  });

  it('a backup of a running node restores into a new DATA_DIR that signs the account in', async () => {
    const live = await startServerProcess({ startTimeoutMs: 90_000 });
    processes.push(live);
    const kept = await signUp(live.url, ['backups'], 'Kept');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'metsony-backup-')), 'metsony-backup.sqlite');

    const backup = await runBackup({ DATA_DIR: live.dataDir }, file);
    expect(backup.output).toContain('pages written');
    expect(backup.output).toContain(PEPPER_FILE_NAME);
    expect(backup.code).toBe(0);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    // The node kept serving while it was copied; what comes after is not in the copy.
    const later = await signUp(live.url, ['backups'], 'Later');
    // An existing file is never overwritten.
    expect((await runBackup({ DATA_DIR: live.dataDir }, file)).code).toBe(1);

    // Restore: the database file, and the pepper from wherever it was kept.
    const restored = fs.mkdtempSync(path.join(os.tmpdir(), 'metsony-restored-'));
    fs.copyFileSync(file, path.join(restored, SQLITE_FILE));
    fs.copyFileSync(path.join(live.dataDir, PEPPER_FILE_NAME), path.join(restored, PEPPER_FILE_NAME));
    const server = await startServerProcess({ dataDir: restored, startTimeoutMs: 90_000 });
    processes.push(server);
    const res = await signIn(server.url, kept.recoveryCode);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ account: { id: kept.account.id, nickname: 'Kept', interests: ['backups'] } });
    expect((await signIn(server.url, later.recoveryCode)).status).toBe(401);
  }, PROCESS_TEST_MS);

  it('restored without the pepper, the server refuses to start and names the variable', async () => {
    const live = await startServerProcess({ startTimeoutMs: 90_000 });
    processes.push(live);
    await signUp(live.url, [], 'Someone');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'metsony-backup-')), 'b.sqlite');
    expect((await runBackup({ DATA_DIR: live.dataDir }, file)).code).toBe(0);
    const restored = fs.mkdtempSync(path.join(os.tmpdir(), 'metsony-restored-'));
    fs.copyFileSync(file, path.join(restored, SQLITE_FILE));
    await expect(startServerProcess({ dataDir: restored, startTimeoutMs: 90_000 })).rejects.toThrow(/RECOVERY_PEPPER/);
  }, PROCESS_TEST_MS);
});

const pgTools = databaseUrl && spawnSync(PG_DUMP, ['--version']).status === 0 && spawnSync(PG_RESTORE, ['--version']).status === 0;

describe.runIf(pgTools)('PostgreSQL backup (pg_dump) and restore (pg_restore)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('a dump of a live node’s schema restores into a new database that signs the account in', async () => {
    const env = { RECOVERY_PEPPER: 'backup-test-pepper-0123456789abcdef0123' };
    const schema = await postgresSchema(databaseUrl!, 'metsony_backup');
    cleanups.push(() => schema.drop());
    const live = await startService({ ...env, DATABASE_URL: schema.url });
    cleanups.push(() => live.stop());
    const kept = await signUp(live.url, ['dumps'], 'Dumped');

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'metsony-pgdump-')), 'metsony.dump');
    const dump = spawnSync(PG_DUMP, ['--format=custom', `--schema=${schema.name}`, `--file=${file}`, databaseUrl!], { encoding: 'utf8' });
    expect(dump.stderr).toBe('');
    expect(dump.status).toBe(0);

    const target = `${new URL(databaseUrl!).pathname.slice(1)}_restore_${process.pid}`;
    await schema.admin.query(`DROP DATABASE IF EXISTS ${target}`);
    await schema.admin.query(`CREATE DATABASE ${target}`);
    cleanups.push(async () => {
      await schema.admin.query(`DROP DATABASE IF EXISTS ${target} WITH (FORCE)`);
    });
    const targetUrl = new URL(databaseUrl!);
    targetUrl.pathname = `/${target}`;
    const restore = spawnSync(PG_RESTORE, ['--no-owner', `--dbname=${targetUrl}`, file], { encoding: 'utf8' });
    expect(restore.stderr).toBe('');
    expect(restore.status).toBe(0);

    targetUrl.searchParams.set('options', `-c search_path=${schema.name}`);
    const server = await startService({ ...env, DATABASE_URL: targetUrl.toString() });
    cleanups.push(() => server.stop());
    expect(server.logs()).not.toContain('database migrated');
    const res = await signIn(server.url, kept.recoveryCode);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ account: { id: kept.account.id, nickname: 'Dumped' } });
    // The restored copy is its own database: the live node does not see what happens there.
    const check = new pg.Client({ connectionString: targetUrl.toString() });
    await check.connect();
    expect((await check.query('SELECT count(*)::int AS n FROM accounts')).rows[0]).toEqual({ n: 1 });
    await check.end();
  }, PROCESS_TEST_MS);
});

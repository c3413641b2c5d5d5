/**
 * The SQLite driver whose connection lives on a worker thread
 * (src/server/store/sqliteWorkerDriver.ts, sqliteThread.ts): concurrent
 * queries, transactions kept apart, errors as better-sqlite3 throws them, a
 * thread that dies, and a clean close. With and without group commit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { Unavailable } from '../../src/server/domain/unavailable.js';
import type { Worker } from 'node:worker_threads';
import type { SqliteThreadOptions } from '../../src/server/store/sqliteThreadClient.js';
import type { FromThread } from '../../src/server/store/sqliteThreadProtocol.js';
import { SqliteWorkerDialect } from '../../src/server/store/sqliteWorkerDriver.js';

type Db = { t: { id: string; v: number } };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openDb(options: Partial<SqliteThreadOptions> = {}): Promise<{ db: Kysely<Db>; file: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metsony-sqlite-worker-'));
  const file = path.join(dir, 'test.sqlite');
  const db = new Kysely<Db>({ dialect: new SqliteWorkerDialect({ file, groupCommit: true, ...options }) });
  cleanups.push(async () => {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await db.schema.createTable('t').addColumn('id', 'text', (c) => c.primaryKey()).addColumn('v', 'integer', (c) => c.notNull()).execute();
  return { db, file };
}

const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id).sort();

/** What better-sqlite3 throws for `run` on the main thread, as the driver did before the worker. */
function thrownDirectly(run: (direct: SqliteDatabase.Database) => unknown): Error {
  const direct = new SqliteDatabase(':memory:');
  direct.exec('CREATE TABLE t (id text PRIMARY KEY, v integer NOT NULL)');
  direct.prepare('INSERT INTO t VALUES (?, ?)').run('a', 1);
  try {
    run(direct);
  } catch (err) {
    return err as Error;
  } finally {
    direct.close();
  }
  throw new Error('expected an error');
}

const shape = (err: unknown) => {
  const e = err as Error & { code?: string };
  return { class: e.constructor.name, name: e.name, message: e.message, code: e.code };
};

describe.each([{ groupCommit: true }, { groupCommit: false }])('SQLite on a worker thread, group commit $groupCommit', ({ groupCommit }) => {
  it('answers many concurrent queries, each with its own result', async () => {
    const { db } = await openDb({ groupCommit });
    const keys = Array.from({ length: 300 }, (_, i) => `k${i}`);
    const inserted = await Promise.all(keys.map((id, v) => db.insertInto('t').values({ id, v }).executeTakeFirst()));
    expect(inserted.map((r) => r.numInsertedOrUpdatedRows)).toEqual(keys.map(() => 1n));
    const read = await Promise.all(keys.map((id) => db.selectFrom('t').select('v').where('id', '=', id).executeTakeFirstOrThrow()));
    expect(read.map((r) => r.v)).toEqual(keys.map((_, v) => v));
    const updated = await db.updateTable('t').set({ v: 0 }).where('v', '>=', 100).executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(200n);
  });

  it('keeps a transaction apart: a query from outside neither runs inside it nor sees half of it', async () => {
    const { db } = await openDb({ groupCommit });
    let outside: number | undefined;
    let outsideDuring: number | undefined = -1;
    let read: Promise<unknown> | undefined;
    await db.transaction().execute(async (tx) => {
      await tx.insertInto('t').values({ id: 'a', v: 1 }).execute();
      read = db
        .selectFrom('t')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
        .then((r) => (outside = Number(r.n)));
      // The thread answers in order: had the outside read been sent, it would have been answered before these.
      await tx.insertInto('t').values({ id: 'b', v: 2 }).execute();
      await tx.selectFrom('t').selectAll().execute();
      outsideDuring = outside;
    });
    await read;
    expect(outsideDuring).toBeUndefined();
    expect(outside).toBe(2);
  });

  it('rolls back a transaction that throws, and only that one', async () => {
    const { db } = await openDb({ groupCommit });
    const failure = new Error('changed my mind');
    const [kept, undone] = await Promise.allSettled([
      db.transaction().execute(async (tx) => {
        await tx.insertInto('t').values({ id: 'kept', v: 1 }).execute();
      }),
      db.transaction().execute(async (tx) => {
        await tx.insertInto('t').values({ id: 'undone', v: 2 }).execute();
        throw failure;
      }),
    ]);
    expect(kept.status).toBe('fulfilled');
    expect(undone).toEqual({ status: 'rejected', reason: failure });
    // A statement that fails inside a transaction: the transaction is rolled back, the error is the statement's.
    const duplicate = await db
      .transaction()
      .execute(async (tx) => {
        await tx.insertInto('t').values({ id: 'also undone', v: 3 }).execute();
        await tx.insertInto('t').values({ id: 'kept', v: 4 }).execute();
      })
      .catch((err: unknown) => err);
    expect(duplicate).toBeInstanceOf(SqliteDatabase.SqliteError);
    expect(ids(await db.selectFrom('t').select('id').execute())).toEqual(['kept']);
  });

  it('throws the errors better-sqlite3 throws, with their class, message and code, and goes on', async () => {
    const { db } = await openDb({ groupCommit });
    await db.insertInto('t').values({ id: 'a', v: 1 }).execute();

    const unique = await db.insertInto('t').values({ id: 'a', v: 2 }).execute().catch((err: unknown) => err);
    expect(shape(unique)).toEqual(shape(thrownDirectly((d) => d.prepare('INSERT INTO t VALUES (?, ?)').run('a', 2))));
    expect(shape(unique).code).toBe('SQLITE_CONSTRAINT_PRIMARYKEY');

    const syntax = await sql`SELEC 1`.execute(db).catch((err: unknown) => err);
    expect(shape(syntax)).toEqual(shape(thrownDirectly((d) => d.prepare('SELEC 1'))));

    const binding = await sql`SELECT ${true} AS x`.execute(db).catch((err: unknown) => err);
    expect(binding).toBeInstanceOf(TypeError);
    expect(shape(binding)).toEqual(shape(thrownDirectly((d) => d.prepare('SELECT ? AS x').get(true))));

    expect(await db.selectFrom('t').select('v').where('id', '=', 'a').executeTakeFirstOrThrow()).toEqual({ v: 1 });
  });
});

describe('SQLite on a worker thread: group commit', () => {
  it('acknowledges a commit only once an fsync of the WAL begun after it has finished', async () => {
    // The test listens to the thread before the driver does, so it has seen each message by the time the driver acts on it.
    const seen = { syncedUpTo: 0, lastCommit: 0, commits: 0 };
    const { db } = await openDb({
      onThread: (thread) =>
        thread.on('message', (m: FromThread) => {
          if (m.type === 'synced' && !m.error) seen.syncedUpTo = Math.max(seen.syncedUpTo, m.upTo);
          if (m.type === 'result' && m.commit !== undefined) {
            seen.lastCommit = m.commit;
            seen.commits++;
          }
        }),
    });
    for (let i = 0; i < 20; i++) {
      await db.insertInto('t').values({ id: `k${i}`, v: i }).execute();
      expect(seen.syncedUpTo).toBeGreaterThanOrEqual(seen.lastCommit);
    }
    await db.transaction().execute(async (tx) => {
      await tx.insertInto('t').values({ id: 'in a transaction', v: 0 }).execute();
      await tx.updateTable('t').set({ v: 1 }).where('id', '=', 'k0').execute();
    });
    expect(seen.syncedUpTo).toBeGreaterThanOrEqual(seen.lastCommit);
    // Twenty inserts on their own, the schema, and the one transaction: each committed once.
    expect(seen.commits).toBe(22);
  });
});

describe('SQLite on a worker thread: failures and shutdown', () => {
  it('a database that cannot be opened fails the first query with its reason', async () => {
    const db = new Kysely<Db>({ dialect: new SqliteWorkerDialect({ file: '/proc/metsony-no-such-dir/x.sqlite', groupCommit: true }) });
    await expect(db.selectFrom('t').selectAll().execute()).rejects.toThrow(/directory does not exist/);
    await db.destroy();
  });

  it('a thread that dies fails the queries sent to it with Unavailable, not a hang, and the next query gets a new thread', async () => {
    const threads: Worker[] = [];
    const { db } = await openDb({ onThread: (thread) => threads.push(thread) });
    await db.insertInto('t').values({ id: 'kept', v: 1 }).execute();
    // A query that runs for a while (a count over a million generated rows), and the thread is ended under it.
    const slow = sql`WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 3000000) SELECT count(*) AS n FROM c`.execute(db);
    const next = db.selectFrom('t').select('id').execute();
    await Promise.resolve();
    void threads[0]!.terminate();
    const err = await slow.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Unavailable);
    expect(String((err as Unavailable).cause)).toMatch(/exited/);
    expect(ids(await next)).toEqual(['kept']);
    expect(threads).toHaveLength(2);
  });

  it('closes cleanly: the thread checkpoints and removes the WAL, and later queries are refused', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metsony-sqlite-worker-'));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'test.sqlite');
    const db = new Kysely<Db>({ dialect: new SqliteWorkerDialect({ file, groupCommit: true }) });
    await db.schema.createTable('t').addColumn('id', 'text', (c) => c.primaryKey()).addColumn('v', 'integer').execute();
    await db.insertInto('t').values({ id: 'a', v: 1 }).execute();
    expect(fs.existsSync(`${file}-wal`)).toBe(true);
    await db.destroy();
    // SQLite removes the WAL when the last connection closes properly; a killed thread would leave it.
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const reopened = new SqliteDatabase(file, { readonly: true });
    expect(reopened.prepare('SELECT id, v FROM t').all()).toEqual([{ id: 'a', v: 1 }]);
    reopened.close();
    await expect(db.selectFrom('t').selectAll().execute()).rejects.toThrow();
  });
});

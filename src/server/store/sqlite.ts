import fs from 'node:fs';
import path from 'node:path';
import { Kysely, sql } from 'kysely';
import { KyselyStore } from './kyselyStore.js';
import { migrateToLatest } from './migrations.js';
import type { Database } from './schema.js';
import { SqliteWorkerDialect } from './sqliteWorkerDriver.js';

export const SQLITE_FILE = 'metsony.sqlite';

/**
 * The embedded default, on a worker thread of its own (sqliteThread.ts) so
 * that no query or fsync stalls the relay. WAL for concurrent reads; an
 * acknowledged write survives a crash (group commit: the WAL is fsynced before
 * any commit is acknowledged); secure_delete so deleted rows are zeroed rather
 * than left in free pages.
 */
export async function openSqliteStore(
  dataDir: string,
  options: { groupCommit?: boolean; onMigrated?: (names: string[]) => void } = {},
): Promise<KyselyStore> {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, SQLITE_FILE);
  const db = new Kysely<Database>({ dialect: new SqliteWorkerDialect({ file, groupCommit: options.groupCommit ?? true }) });
  try {
    // Migrated whether or not anyone is told (an optional call would skip its argument).
    const applied = await migrateToLatest(db as Kysely<unknown>);
    options.onMigrated?.(applied);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return new KyselyStore(db, {
    // Deleted rows are zeroed in the database file (secure_delete); this also
    // empties the WAL, which may still hold pages from before the delete.
    afterErase: async () => {
      await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
    },
  });
}

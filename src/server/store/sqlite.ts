import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { KyselyStore } from './kyselyStore.js';
import { migrateToLatest } from './migrations.js';
import type { Database } from './schema.js';

export const SQLITE_FILE = 'metsony.sqlite';

/**
 * The embedded default. WAL for concurrent reads, synchronous=FULL so an
 * acknowledged write survives a crash, secure_delete so deleted rows are
 * zeroed rather than left in free pages.
 */
export async function openSqliteStore(dataDir: string, onMigrated?: (names: string[]) => void): Promise<KyselyStore> {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const sqlite = new SqliteDatabase(path.join(dataDir, SQLITE_FILE));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('secure_delete = ON');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  // Migrated whether or not anyone is told (an optional call would skip its argument).
  const applied = await migrateToLatest(db as Kysely<unknown>);
  onMigrated?.(applied);
  return new KyselyStore(db, {
    // Deleted rows are zeroed in the database file (secure_delete); this also
    // empties the WAL, which may still hold pages from before the delete.
    afterErase: async () => {
      sqlite.pragma('wal_checkpoint(TRUNCATE)');
    },
  });
}

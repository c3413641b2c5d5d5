/** Every Store implementation the contract suite runs against: SQLite always, PostgreSQL when DATABASE_URL is set. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openPostgresStore } from '../../src/server/store/postgres.js';
import { openSqliteStore } from '../../src/server/store/sqlite.js';
import type { Store } from '../../src/server/store/store.js';

export type StoreFactory = { name: string; open(): Promise<{ store: Store; dispose(): Promise<void> }> };

export const storeFactories: StoreFactory[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metsony-store-'));
      const store = await openSqliteStore(dir);
      return { store, dispose: async () => fs.rmSync(dir, { recursive: true, force: true }) };
    },
  },
];

const databaseUrl = process.env.DATABASE_URL;
if (databaseUrl) {
  storeFactories.push({
    name: 'postgres',
    async open() {
      // A schema of its own per run, so parallel suites do not meet.
      const schema = `metsony_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
      const admin = new pg.Client({ connectionString: databaseUrl });
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`);
      const url = new URL(databaseUrl);
      url.searchParams.set('options', `-c search_path=${schema}`);
      const store = await openPostgresStore(url.toString());
      return {
        store,
        dispose: async () => {
          await admin.query(`DROP SCHEMA ${schema} CASCADE`);
          await admin.end();
        },
      };
    },
  });
}

/** A schema of its own in DATABASE_URL's database, for a whole server: its URL, and how to drop it. */
export async function postgresSchema(
  url: string,
  prefix = 'metsony_srv',
): Promise<{ url: string; name: string; admin: pg.Client; drop(): Promise<void> }> {
  const schema = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: scoped.toString(),
    name: schema,
    admin,
    drop: async () => {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}

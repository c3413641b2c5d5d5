import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { KyselyStore } from './kyselyStore.js';
import { migrateToLatest } from './migrations.js';
import type { Database } from './schema.js';

/** PostgreSQL, for several nodes sharing one database (DATABASE_URL). */
export async function openPostgresStore(databaseUrl: string): Promise<KyselyStore> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const { rows } = await pool.query<{ schema: string | null }>('SELECT current_schema() AS schema');
  await migrateToLatest(db as Kysely<unknown>, rows[0]?.schema ?? undefined);
  return new KyselyStore(db);
}

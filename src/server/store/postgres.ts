import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { KyselyStore } from './kyselyStore.js';
import { migrateToLatest } from './migrations.js';
import { ErasureVacuum } from './postgresVacuum.js';
import type { Database } from './schema.js';

/** PostgreSQL, for several nodes sharing one database (DATABASE_URL). `onError`: a background VACUUM failed. */
export async function openPostgresStore(databaseUrl: string, onError?: (err: unknown) => void): Promise<KyselyStore> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const { rows } = await pool.query<{ schema: string | null }>('SELECT current_schema() AS schema');
  await migrateToLatest(db as Kysely<unknown>, rows[0]?.schema ?? undefined);
  const vacuum = new ErasureVacuum(db, onError);
  return new KyselyStore(db, {
    afterAccountErased: () => vacuum.request(),
    beforeClose: () => vacuum.settled(),
  });
}

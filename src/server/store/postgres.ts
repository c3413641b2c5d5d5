import { Kysely } from 'kysely';
import pg from 'pg';
import { KyselyStore } from './kyselyStore.js';
import { migrateToLatest } from './migrations.js';
import { FaultMappingPostgresDialect } from './postgresFaults.js';
import { ErasureVacuum } from './postgresVacuum.js';
import type { Database } from './schema.js';

const CONNECT_TIMEOUT_MS = 5000;

/** PostgreSQL, for several nodes sharing one database (DATABASE_URL). `onError`: a background VACUUM failed. */
export async function openPostgresStore(databaseUrl: string, onError?: (err: unknown) => void): Promise<KyselyStore> {
  // A database that does not answer a connection within this long counts as unavailable (not a hang).
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // A connection cut by a restart (idle in the pool, or held between queries) must not crash the node:
  // the pool drops it, and a query on it fails as unavailable (postgresFaults.ts).
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new FaultMappingPostgresDialect({ pool }) });
  const { rows } = await pool.query<{ schema: string | null }>('SELECT current_schema() AS schema');
  await migrateWithRetry(db as Kysely<unknown>, rows[0]?.schema ?? undefined);
  const vacuum = new ErasureVacuum(db, onError);
  return new KyselyStore(db, {
    afterAccountErased: () => vacuum.request(),
    beforeClose: () => vacuum.settled(),
  });
}

/**
 * Kysely's migrator looks for its tables by listing the tables of every schema
 * in the database; a schema dropped by someone else meanwhile (another
 * application, or parallel test suites each in a schema of their own) fails
 * that listing with 3F000 "schema does not exist". It says nothing about ours:
 * try again, a few times.
 */
async function migrateWithRetry(db: Kysely<unknown>, schema: string | undefined, attempts = 5): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrateToLatest(db, schema);
    } catch (err) {
      if (attempt >= attempts || (err as { code?: string }).code !== '3F000') throw err;
    }
  }
}

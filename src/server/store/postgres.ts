import { Kysely } from 'kysely';
import pg from 'pg';
import { KyselyStore } from './kyselyStore.js';
import { migrateToLatest } from './migrations.js';
import { FaultMappingPostgresDialect } from './postgresFaults.js';
import { ErasureVacuum } from './postgresVacuum.js';
import type { Database } from './schema.js';

const CONNECT_TIMEOUT_MS = 5000;

/**
 * PostgreSQL, for several nodes sharing one database (DATABASE_URL). `onError`: a background VACUUM failed;
 * `onMigrated`: the migrations this node applied (none when another node had done it).
 */
export async function openPostgresStore(
  databaseUrl: string,
  onError?: (err: unknown) => void,
  onMigrated?: (names: string[]) => void,
): Promise<KyselyStore> {
  // A database that does not answer a connection within this long counts as unavailable (not a hang).
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // A connection cut by a restart (idle in the pool, or held between queries) must not crash the node:
  // the pool drops it, and a query on it fails as unavailable (postgresFaults.ts).
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new FaultMappingPostgresDialect({ pool }) });
  const { rows } = await pool.query<{ schema: string | null }>('SELECT current_schema() AS schema');
  const schema = rows[0]?.schema ?? undefined;
  const applied = await underMigrationLock(pool, schema, () => migrateWithRetry(db as Kysely<unknown>, schema));
  onMigrated?.(applied);
  const vacuum = new ErasureVacuum(db, onError);
  return new KyselyStore(db, {
    afterAccountErased: () => vacuum.request(),
    afterAttachmentsErased: () => vacuum.request(),
    beforeClose: () => vacuum.settled(),
  });
}

/** The advisory lock of the migrations of one schema: `pg_advisory_lock(MIGRATION_LOCK_CLASS, hashtext(schema))`. */
export const MIGRATION_LOCK_CLASS = 0x4d45_5453; // "METS"

/**
 * Several nodes starting at once: the first takes a session-level advisory
 * lock (per schema, so two deployments in one database do not wait for each
 * other) and migrates; the others wait for it here, then find nothing left to
 * do. Kysely's migrator takes a lock of its own only around applying the
 * migrations, after it has created its bookkeeping tables unlocked; this one
 * covers the whole of it. The lock goes with the connection, so a node that
 * dies while migrating frees it (its transaction rolls back).
 */
async function underMigrationLock<T>(pool: pg.Pool, schema: string | undefined, migrate: () => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const key = [MIGRATION_LOCK_CLASS, schema ?? ''];
  try {
    await client.query('SELECT pg_advisory_lock($1::int, hashtext($2))', key);
    try {
      return await migrate();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1::int, hashtext($2))', key);
    }
  } finally {
    client.release();
  }
}

/**
 * Kysely's migrator looks for its tables by listing the tables of every schema
 * in the database; a schema dropped by someone else meanwhile (another
 * application, or parallel test suites each in a schema of their own) fails
 * that listing with 3F000 "schema does not exist". It says nothing about ours:
 * try again, a few times.
 */
async function migrateWithRetry(db: Kysely<unknown>, schema: string | undefined, attempts = 5): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrateToLatest(db, schema);
    } catch (err) {
      if (attempt >= attempts || (err as { code?: string }).code !== '3F000') throw err;
    }
  }
}

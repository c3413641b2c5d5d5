/**
 * Issue 15: several nodes start at once on a fresh PostgreSQL database: one
 * migrates, the others wait for it on the advisory lock, and all of them work.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATION_LOCK_CLASS, openPostgresStore } from '../../src/server/store/postgres.js';
import type { KyselyStore } from '../../src/server/store/kyselyStore.js';
import { postgresSchema } from '../helpers/stores.js';

const databaseUrl = process.env.DATABASE_URL;
const NODES = 3;

describe.runIf(databaseUrl)('migrations when several nodes start at once (PostgreSQL)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('one node migrates, the others wait on the lock and then find nothing to do; all of them work', async () => {
    const schema = await postgresSchema(databaseUrl!, 'metsony_migrate');
    cleanups.push(() => schema.drop());
    const { admin } = schema;
    // The test holds the schema's migration lock first, so all three nodes are seen waiting for it.
    const holder = new pg.Client({ connectionString: schema.url });
    await holder.connect();
    cleanups.push(() => holder.end());
    await holder.query('SELECT pg_advisory_lock($1::int, hashtext($2))', [MIGRATION_LOCK_CLASS, schema.name]);

    const applied: string[][] = [];
    const opening = Array.from({ length: NODES }, (_, i) =>
      openPostgresStore(schema.url, undefined, (names) => {
        applied[i] = names;
      }),
    );
    const waiting = async () =>
      Number(
        (
          await admin.query<{ n: string }>(
            `SELECT count(*) AS n FROM pg_locks
              WHERE locktype = 'advisory' AND NOT granted AND objsubid = 2
                AND classid::text::bigint = $1 AND objid::text::bigint = (hashtext($2)::bigint & 4294967295)`,
            [MIGRATION_LOCK_CLASS, schema.name],
          )
        ).rows[0]!.n,
      );
    const deadline = Date.now() + 20_000;
    while ((await waiting()) < NODES) {
      if (Date.now() > deadline) throw new Error(`only ${await waiting()} of ${NODES} nodes wait on the migration lock`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    // Nothing was created while they waited: not even Kysely's bookkeeping.
    const tables = await admin.query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema.name]);
    expect(tables.rows).toEqual([]);

    await holder.query('SELECT pg_advisory_unlock($1::int, hashtext($2))', [MIGRATION_LOCK_CLASS, schema.name]);
    const stores: KyselyStore[] = await Promise.all(opening);
    cleanups.push(async () => {
      for (const store of stores) await store.close();
    });

    const all = (await admin.query<{ name: string }>(`SELECT name FROM ${schema.name}.kysely_migration ORDER BY name`)).rows.map((r) => r.name);
    expect(all.length).toBeGreaterThan(0);
    const migrators = applied.filter((names) => names.length > 0);
    expect(migrators).toEqual([all]);
    expect(applied.filter((names) => names.length === 0)).toHaveLength(NODES - 1);

    // Every node reads what another wrote.
    const id = randomBytes(8).toString('hex');
    const now = new Date().toISOString();
    await stores[0]!.createAccount({ id, nickname: 'Mira', interests: ['x'], createdAt: now, codeHash: `code-${id}` }, `token-${id}`);
    for (const store of stores) expect((await store.account(id))?.nickname).toBe('Mira');
  }, 60_000);
});

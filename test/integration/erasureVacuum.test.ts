/**
 * Issue 9 finding 14 (PostgreSQL): after "Delete everything" the erased tables
 * are vacuumed in the background, so the account's rows do not linger as dead
 * tuples until autovacuum. Runs when DATABASE_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/server/domain/secrets.js';
import { openPostgresStore } from '../../src/server/store/postgres.js';
import type { KyselyStore } from '../../src/server/store/kyselyStore.js';
import { postgresSchema } from '../helpers/stores.js';

const databaseUrl = process.env.DATABASE_URL;

describe.skipIf(!databaseUrl)('PostgreSQL: VACUUM after an erasure', () => {
  let schema: Awaited<ReturnType<typeof postgresSchema>>;
  let store: KyselyStore;
  beforeAll(async () => {
    schema = await postgresSchema(databaseUrl!, 'metsony_vacuum');
    store = await openPostgresStore(schema.url);
  });
  afterAll(async () => {
    await store?.close();
    await schema?.drop();
  });

  const deadTuples = async () => {
    const { rows } = await schema.admin.query<{ relname: string; n_dead_tup: string; vacuum_count: string }>(
      `SELECT relname, n_dead_tup, vacuum_count FROM pg_stat_user_tables WHERE schemaname = $1 AND relname IN ('accounts', 'sessions', 'offline_messages')`,
      [schema.name],
    );
    return rows;
  };

  it('vacuums the erased tables without holding up the delete', async () => {
    const createdAt = new Date().toISOString();
    for (const id of ['a1', 'a2']) {
      await store.createAccount({ id, nickname: `nick-${id}`, interests: [], createdAt, codeHash: hashSecret(`code-${id}`) }, hashSecret(`t-${id}`));
    }
    const connection = await store.connect('a1', 'a2', 'c1', createdAt);
    await store.storeOfflineMessage({ id: 'm1', connectionId: connection.id, senderId: 'a1', recipientId: 'a2', text: 'bye', createdAt }, { perConnection: 10, total: 10 });
    await store.deleteAccount('a1');
    // The statistics are written when the VACUUM ends; wait for it, bounded.
    const deadline = Date.now() + 10_000;
    let rows = await deadTuples();
    while (rows.some((r) => Number(r.vacuum_count) === 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      rows = await deadTuples();
    }
    expect(rows).toHaveLength(3);
    for (const r of rows) {
      expect(Number(r.vacuum_count)).toBeGreaterThan(0);
      expect(Number(r.n_dead_tup)).toBe(0);
    }
  });
});

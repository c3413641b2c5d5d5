/**
 * Schema migrations, in code, written once for both dialects. Append new
 * migrations with a later timestamp; never edit one that has shipped.
 */
import { randomBytes } from 'node:crypto';
import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';

const migrations: Record<string, Migration> = {
  '2026-11-29T00-accounts-and-sessions': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('nickname', 'text', (c) => c.notNull())
        .addColumn('interests', 'text', (c) => c.notNull())
        .addColumn('code_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('sessions')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_account').on('sessions').column('account_id').execute();
    },
  },
  '2026-11-29T01-connections-and-offline-messages': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('connections')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_a', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('account_b', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('connections_pair', ['account_a', 'account_b'])
        .execute();
      await db.schema.createIndex('connections_b').on('connections').column('account_b').execute();
      await db.schema
        .createTable('offline_messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('connection_id', 'text', (c) => c.notNull().references('connections.id').onDelete('cascade'))
        .addColumn('sender_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('recipient_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('offline_recipient').on('offline_messages').columns(['recipient_id', 'connection_id']).execute();
      await db.schema.createIndex('offline_sender').on('offline_messages').column('sender_id').execute();
    },
  },
  '2026-11-29T02-blocks-reports-suspension': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('accounts').addColumn('suspended_until', 'text').execute();
      await db.schema
        .createTable('blocks')
        .addColumn('blocker_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('blocked_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('blocks_pk', ['blocker_id', 'blocked_id'])
        .execute();
      await db.schema.createIndex('blocks_blocked').on('blocks').column('blocked_id').execute();
      await db.schema
        .createTable('reports')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('reporter_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('reported_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
        .execute();
      await db.schema.createIndex('reports_reported').on('reports').columns(['reported_id', 'created_at']).execute();
      await db.schema.createIndex('reports_reporter').on('reports').column('reporter_id').execute();
      await db.schema.createIndex('reports_status').on('reports').columns(['status', 'created_at']).execute();
    },
  },
  '2026-11-29T03-linked-identities': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('linked_identities')
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('email', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('linked_identities_pk', ['provider', 'subject'])
        .addUniqueConstraint('linked_identities_account', ['account_id', 'provider'])
        .execute();
    },
  },
  /**
   * Reports against an account outlive its deletion (with the reported id
   * replaced by a pseudonym), so `reported_id` no longer references accounts.
   * SQLite cannot drop a constraint: the table is rebuilt, on both dialects.
   */
  '2026-12-03T01-reports-outlive-deletion': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('reports_kept')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('reporter_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('reported_id', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
        .execute();
      const columns = ['id', 'reporter_id', 'reported_id', 'reason', 'note', 'created_at', 'status'] as const;
      const untyped = db as unknown as Kysely<Record<'reports' | 'reports_kept', Record<(typeof columns)[number], string | null>>>;
      await untyped.insertInto('reports_kept').columns(columns).expression(untyped.selectFrom('reports').select(columns)).execute();
      await db.schema.dropTable('reports').execute();
      await db.schema.alterTable('reports_kept').renameTo('reports').execute();
      await db.schema.createIndex('reports_reported').on('reports').columns(['reported_id', 'created_at']).execute();
      await db.schema.createIndex('reports_reporter').on('reports').column('reporter_id').execute();
      await db.schema.createIndex('reports_status').on('reports').columns(['status', 'created_at']).execute();
      },
    },
  '2026-12-03T02-peppered-codes-and-session-expiry': {
    async up(db: Kysely<unknown>) {
      // Key-value facts about this database, e.g. the check value of the recovery-code pepper.
      await db.schema
        .createTable('server_state')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      // A public id for each sign-in (list and revoke one) that is not its token hash, and its last use.
      await db.schema.alterTable('sessions').addColumn('id', 'text').execute();
      await db.schema.alterTable('sessions').addColumn('last_used_at', 'text').execute();
      const typed = db as Kysely<{ sessions: { token_hash: string; created_at: string; id: string | null; last_used_at: string | null } }>;
      const rows = await typed.selectFrom('sessions').select(['token_hash', 'created_at']).execute();
      for (const row of rows) {
        await typed
          .updateTable('sessions')
          .set({ id: randomBytes(12).toString('base64url'), last_used_at: row.created_at })
          .where('token_hash', '=', row.token_hash)
          .execute();
      }
      await db.schema.createIndex('sessions_id').on('sessions').column('id').unique().execute();
    },
  },
  '2026-12-03T16-e2ee-account-keys-and-sealed-messages': {
    async up(db: Kysely<unknown>) {
      // Issue 16: the identity public key, and its private key wrapped under the recovery code (never in clear).
      await db.schema
        .createTable('account_keys')
        .addColumn('account_id', 'text', (c) => c.primaryKey().references('accounts.id').onDelete('cascade'))
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addColumn('wrapped_key', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      // 1: the text is an HPKE envelope sealed to the recipient (docs/encryption.md); the server cannot read it.
      await db.schema.alterTable('offline_messages').addColumn('sealed', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    },
  },
  /** Every moderation action (docs/data-model.md); no foreign keys, so an entry may name a report that is gone. */
  '2026-12-03T17-moderation-audit-log': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('audit_log')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('report_id', 'text')
        .addColumn('account_id', 'text')
        .addColumn('until', 'text')
        .execute();
      await db.schema.createIndex('audit_log_at').on('audit_log').columns(['at', 'id']).execute();
      await db.schema.createIndex('audit_log_account').on('audit_log').columns(['account_id', 'at']).execute();
    },
  },
  /** The last messages a reporter may attach to a report (JSON), removed when a moderator acts or after 30 days. */
  '2026-12-03T18-report-attached-messages': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('reports').addColumn('attached', 'text').execute();
    },
  },
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * `schema` (PostgreSQL): where the migration bookkeeping is looked for. Without
 * it, Kysely takes a `kysely_migration` table in any schema of the database as
 * this one's, and two servers in two schemas of one database break each other.
 */
export async function migrateToLatest(db: Kysely<unknown>, schema?: string): Promise<string[]> {
  const migrator = new Migrator({ db, provider, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Migrates only up to (and including) the named migration: tests build databases as older versions left them. */
export async function migrateTo(db: Kysely<unknown>, name: string): Promise<void> {
  const migrator = new Migrator({ db, provider });
  const { error } = await migrator.migrateTo(name);
  if (error) throw error instanceof Error ? error : new Error(String(error));
}

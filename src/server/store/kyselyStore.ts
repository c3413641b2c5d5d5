import { randomBytes } from 'node:crypto';
import { type Kysely, type Selectable, sql } from 'kysely';
import * as moderation from './moderationQueries.js';
import { toReport } from './moderationQueries.js';
import type { AccountTable, Database } from './schema.js';
import {
  type AccountKeysRecord,
  type AccountRecord,
  type ConnectionRecord,
  type ConnectionView,
  InboxFullError,
  IdentityTakenError,
  type InboxLimits,
  type LinkedIdentity,
  type NewAccount,
  type OfflineMessageRecord,
  type AuditEntry,
  type AuditStamp,
  type NewReport,
  type PageQuery,
  type ReportRecord,
  type ReportStatus,
  type SessionRecord,
  type Store,
  ERASED_PREFIX,
} from './store.js';

function toAccount(row: Selectable<AccountTable> & { linked_google: unknown }): AccountRecord {
  return {
    id: row.id,
    nickname: row.nickname,
    interests: JSON.parse(row.interests) as string[],
    createdAt: row.created_at,
    suspendedUntil: row.suspended_until,
    // SQLite answers EXISTS with 0/1, PostgreSQL with a boolean.
    linkedGoogle: Boolean(row.linked_google),
  };
}

export type StoreHooks = {
  /**
   * Runs after rows with personal content were deleted: for SQLite, truncating
   * the WAL so no old copy of a deleted page is left in a file.
   */
  afterErase?: () => Promise<void>;
  /** After "Delete everything", not awaited: for PostgreSQL, a background VACUUM of the erased tables. */
  afterAccountErased?: () => void;
  /** After a report's attached messages were removed, not awaited: for PostgreSQL, the same background VACUUM. */
  afterAttachmentsErased?: () => void;
  /** Before the database is closed: let background work finish. */
  beforeClose?: () => Promise<void>;
};

/** The public id of a session: random, so it says nothing about the token. */
const newSessionId = () => randomBytes(12).toString('base64url');

function toSession(row: Pick<Selectable<Database['sessions']>, 'id' | 'token_hash' | 'created_at' | 'last_used_at'>): SessionRecord {
  return { id: row.id, tokenHash: row.token_hash, createdAt: row.created_at, lastUsedAt: row.last_used_at };
}

function toConnection(row: Selectable<Database['connections']>): ConnectionRecord {
  return { id: row.id, accountA: row.account_a, accountB: row.account_b, createdAt: row.created_at };
}

/** The Store over Kysely; the dialect-specific parts live in sqlite.ts / postgres.ts. */
export class KyselyStore implements Store {
  constructor(
    protected readonly db: Kysely<Database>,
    private readonly hooks: StoreHooks = {},
  ) {}

  private async erased(): Promise<void> {
    await this.hooks.afterErase?.();
  }

  /** Attached messages are chat text in clear: no copy of them may stay in a file. */
  private async attachmentsErased(): Promise<void> {
    await this.erased();
    this.hooks.afterAttachmentsErased?.();
  }

  async createAccount(account: NewAccount, tokenHash: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('accounts')
        .values({
          id: account.id,
          nickname: account.nickname,
          interests: JSON.stringify(account.interests),
          code_hash: account.codeHash,
          created_at: account.createdAt,
          suspended_until: null,
        })
        .execute();
      await tx
        .insertInto('sessions')
        .values({ token_hash: tokenHash, account_id: account.id, created_at: account.createdAt, id: newSessionId(), last_used_at: account.createdAt })
        .execute();
    });
  }

  /** Accounts with whether they have a linked Google account. */
  private accounts() {
    return this.db
      .selectFrom('accounts')
      .selectAll('accounts')
      .select((eb) =>
        eb
          .exists(
            eb
              .selectFrom('linked_identities')
              .select('linked_identities.subject')
              .whereRef('linked_identities.account_id', '=', 'accounts.id')
              .where('linked_identities.provider', '=', 'google'),
          )
          .as('linked_google'),
      );
  }

  async accountByCodeHash(codeHash: string): Promise<AccountRecord | undefined> {
    const row = await this.accounts().where('accounts.code_hash', '=', codeHash).executeTakeFirst();
    return row && toAccount(row);
  }

  async accountByTokenHash(tokenHash: string): Promise<AccountRecord | undefined> {
    const row = await this.accounts()
      .innerJoin('sessions', 'sessions.account_id', 'accounts.id')
      .where('sessions.token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row && toAccount(row);
  }

  async account(id: string): Promise<AccountRecord | undefined> {
    const row = await this.accounts().where('accounts.id', '=', id).executeTakeFirst();
    return row && toAccount(row);
  }

  async linkIdentity(accountId: string, identity: LinkedIdentity): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const holder = await tx
        .selectFrom('linked_identities')
        .select('account_id')
        .where('provider', '=', identity.provider)
        .where('subject', '=', identity.subject)
        .executeTakeFirst();
      if (holder && holder.account_id !== accountId) throw new IdentityTakenError('already linked');
      await tx.deleteFrom('linked_identities').where('account_id', '=', accountId).where('provider', '=', identity.provider).execute();
      await tx
        .insertInto('linked_identities')
        .values({ provider: identity.provider, subject: identity.subject, account_id: accountId, email: identity.email, created_at: identity.createdAt })
        .execute();
    });
  }

  async accountByIdentity(provider: 'google', subject: string): Promise<AccountRecord | undefined> {
    const row = await this.accounts()
      .innerJoin('linked_identities as li', 'li.account_id', 'accounts.id')
      .where('li.provider', '=', provider)
      .where('li.subject', '=', subject)
      .executeTakeFirst();
    return row && toAccount(row);
  }

  async identitiesOf(accountId: string): Promise<LinkedIdentity[]> {
    const rows = await this.db.selectFrom('linked_identities').selectAll().where('account_id', '=', accountId).execute();
    return rows.map((r) => ({ provider: 'google', subject: r.subject, email: r.email, createdAt: r.created_at }));
  }

  async unlinkIdentity(accountId: string, provider: 'google'): Promise<boolean> {
    const result = await this.db.deleteFrom('linked_identities').where('account_id', '=', accountId).where('provider', '=', provider).executeTakeFirst();
    const removed = Number(result.numDeletedRows) > 0;
    if (removed) await this.erased();
    return removed;
  }

  async updateAccount(
    id: string,
    changes: { nickname?: string; interests?: string[] },
  ): Promise<AccountRecord | undefined> {
    const values: { nickname?: string; interests?: string } = {};
    if (changes.nickname !== undefined) values.nickname = changes.nickname;
    if (changes.interests !== undefined) values.interests = JSON.stringify(changes.interests);
    if (Object.keys(values).length > 0) {
      await this.db.updateTable('accounts').set(values).where('id', '=', id).execute();
      // The old nickname and interests must not linger in the WAL.
      await this.erased();
    }
    return this.account(id);
  }

  async sessionByTokenHash(tokenHash: string): Promise<{ account: AccountRecord; session: SessionRecord } | undefined> {
    const row = await this.accounts()
      .innerJoin('sessions', 'sessions.account_id', 'accounts.id')
      .select(['sessions.id as session_id', 'sessions.token_hash', 'sessions.created_at as session_created_at', 'sessions.last_used_at'])
      .where('sessions.token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      account: toAccount(row),
      session: { id: row.session_id, tokenHash: row.token_hash, createdAt: row.session_created_at, lastUsedAt: row.last_used_at },
    };
  }

  async touchSession(tokenHash: string, lastUsedAt: string): Promise<void> {
    await this.db.updateTable('sessions').set({ last_used_at: lastUsedAt }).where('token_hash', '=', tokenHash).execute();
  }

  async deleteIdleSessions(lastUsedBefore: string): Promise<number> {
    const result = await this.db.deleteFrom('sessions').where('last_used_at', '<', lastUsedBefore).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async createSession(accountId: string, tokenHash: string, createdAt: string): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({ token_hash: tokenHash, account_id: accountId, created_at: createdAt, id: newSessionId(), last_used_at: createdAt })
      .execute();
  }

  async deleteSessionById(accountId: string, id: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('sessions').select('token_hash').where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    await this.deleteSession(row.token_hash);
    return row.token_hash;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
    await this.erased();
  }

  async sessionsOf(accountId: string): Promise<SessionRecord[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .select(['id', 'token_hash', 'created_at', 'last_used_at'])
      .where('account_id', '=', accountId)
      .orderBy('created_at', 'asc')
      .execute();
    return rows.map(toSession);
  }

  async rotateRecoveryCode(accountId: string, codeHash: string, tokenHash: string, createdAt: string, options: { unlinkGoogle?: boolean } = {}): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.updateTable('accounts').set({ code_hash: codeHash }).where('id', '=', accountId).execute();
      await tx.deleteFrom('sessions').where('account_id', '=', accountId).execute();
      await tx
        .insertInto('sessions')
        .values({ token_hash: tokenHash, account_id: accountId, created_at: createdAt, id: newSessionId(), last_used_at: createdAt })
        .execute();
      if (options.unlinkGoogle) {
        await tx.deleteFrom('linked_identities').where('account_id', '=', accountId).where('provider', '=', 'google').execute();
      }
      // The old code must unwrap nothing once it is replaced: the device re-wraps under the new one.
      await tx.updateTable('account_keys').set({ wrapped_key: null, updated_at: createdAt }).where('account_id', '=', accountId).execute();
    });
    await this.erased();
  }

  async replaceCodeHash(accountId: string, oldHash: string, newHash: string): Promise<boolean> {
    const result = await this.db
      .updateTable('accounts')
      .set({ code_hash: newHash })
      .where('id', '=', accountId)
      .where('code_hash', '=', oldHash)
      .executeTakeFirst();
    const replaced = Number(result.numUpdatedRows) > 0;
    if (replaced) await this.erased();
    return replaced;
  }

  async pepperCodeHashes(key: string, check: string, rehash: (hash: string) => string): Promise<number> {
    const rehashed = await this.db.transaction().execute(async (tx) => {
      // The insert is the claim: of several nodes starting at once, one rehashes, the others wait for its commit and skip.
      const claim = await tx
        .insertInto('server_state')
        .values({ key, value: check })
        .onConflict((oc) => oc.column('key').doNothing())
        .executeTakeFirst();
      if (Number(claim.numInsertedOrUpdatedRows ?? 0n) === 0) return 0;
      const rows = await tx.selectFrom('accounts').select(['id', 'code_hash']).execute();
      for (const row of rows) {
        await tx.updateTable('accounts').set({ code_hash: rehash(row.code_hash) }).where('id', '=', row.id).execute();
      }
      return rows.length;
    });
    if (rehashed > 0) await this.erased();
    return rehashed;
  }

  async accountKeys(accountId: string): Promise<AccountKeysRecord | undefined> {
    const row = await this.db.selectFrom('account_keys').selectAll().where('account_id', '=', accountId).executeTakeFirst();
    return row && { publicKey: row.public_key, wrappedKey: row.wrapped_key, updatedAt: row.updated_at };
  }

  async setAccountKeys(accountId: string, keys: AccountKeysRecord): Promise<void> {
    const values = { public_key: keys.publicKey, wrapped_key: keys.wrappedKey, updated_at: keys.updatedAt };
    await this.db
      .insertInto('account_keys')
      .values({ account_id: accountId, ...values })
      .onConflict((oc) => oc.column('account_id').doUpdateSet(values))
      .execute();
    // A replaced wrap is personal data gone: no old copy may stay in a file.
    await this.erased();
  }

  async serverValue(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('server_state').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  async setServerValue(key: string, value: string | null): Promise<void> {
    if (value === null) {
      await this.db.deleteFrom('server_state').where('key', '=', key).execute();
      return;
    }
    await this.db
      .insertInto('server_state')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }

  async deleteAccount(accountId: string): Promise<Array<{ connectionId: string; partnerId: string }>> {
    const former = await this.db.transaction().execute(async (tx) => {
      const connections = await tx
        .selectFrom('connections')
        .select(['id', 'account_a', 'account_b'])
        .where((eb) => eb.or([eb('account_a', '=', accountId), eb('account_b', '=', accountId)]))
        .execute();
      await tx
        .deleteFrom('offline_messages')
        .where((eb) => eb.or([eb('sender_id', '=', accountId), eb('recipient_id', '=', accountId)]))
        .execute();
      await tx
        .deleteFrom('connections')
        .where((eb) => eb.or([eb('account_a', '=', accountId), eb('account_b', '=', accountId)]))
        .execute();
      await tx
        .deleteFrom('blocks')
        .where((eb) => eb.or([eb('blocker_id', '=', accountId), eb('blocked_id', '=', accountId)]))
        .execute();
      await tx.deleteFrom('reports').where('reporter_id', '=', accountId).execute();
      // Reports against the account outlive it, under a pseudonym (never its nickname).
      const pseudonym = `${ERASED_PREFIX}${randomBytes(12).toString('base64url')}`;
      await tx.updateTable('reports').set({ reported_id: pseudonym }).where('reported_id', '=', accountId).execute();
      // What moderators did to the account goes with it (docs/data-model.md).
      await tx.deleteFrom('audit_log').where('account_id', '=', accountId).execute();
      await tx.deleteFrom('linked_identities').where('account_id', '=', accountId).execute();
      await tx.deleteFrom('account_keys').where('account_id', '=', accountId).execute();
      await tx.deleteFrom('sessions').where('account_id', '=', accountId).execute();
      await tx.deleteFrom('accounts').where('id', '=', accountId).execute();
      return connections.map((c) => ({ connectionId: c.id, partnerId: c.account_a === accountId ? c.account_b : c.account_a }));
    });
    await this.erased();
    this.hooks.afterAccountErased?.();
    return former;
  }

  async connect(accountX: string, accountY: string, id: string, createdAt: string): Promise<ConnectionRecord> {
    const [a, b] = accountX < accountY ? [accountX, accountY] : [accountY, accountX];
    return this.db.transaction().execute(async (tx) => {
      const existing = await tx
        .selectFrom('connections')
        .selectAll()
        .where('account_a', '=', a)
        .where('account_b', '=', b)
        .executeTakeFirst();
      if (existing) return toConnection(existing);
      await tx.insertInto('connections').values({ id, account_a: a, account_b: b, created_at: createdAt }).execute();
      return { id, accountA: a, accountB: b, createdAt };
    });
  }

  async connection(id: string): Promise<ConnectionRecord | undefined> {
    const row = await this.db.selectFrom('connections').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toConnection(row);
  }

  async connectionsOf(accountId: string): Promise<ConnectionView[]> {
    const rows = await this.db
      .selectFrom('connections')
      .selectAll()
      .where((eb) => eb.or([eb('account_a', '=', accountId), eb('account_b', '=', accountId)]))
      .orderBy('created_at', 'asc')
      .execute();
    if (rows.length === 0) return [];
    const partnerOf = (r: (typeof rows)[number]) => (r.account_a === accountId ? r.account_b : r.account_a);
    const partners = await this.db
      .selectFrom('accounts')
      .leftJoin('account_keys', 'account_keys.account_id', 'accounts.id')
      .select(['accounts.id', 'accounts.nickname', 'account_keys.public_key'])
      .where('accounts.id', 'in', rows.map(partnerOf))
      .execute();
    const nickname = new Map(partners.map((p) => [p.id, p.nickname]));
    const publicKey = new Map(partners.map((p) => [p.id, p.public_key]));
    const counts = await this.db
      .selectFrom('offline_messages')
      .select((eb) => ['connection_id', eb.fn.countAll<number>().as('n')])
      .where('recipient_id', '=', accountId)
      .groupBy('connection_id')
      .execute();
    const unread = new Map(counts.map((c) => [c.connection_id, Number(c.n)]));
    return rows.map((r) => ({
      id: r.id,
      since: r.created_at,
      partnerId: partnerOf(r),
      partnerNickname: nickname.get(partnerOf(r)) ?? '',
      unread: unread.get(r.id) ?? 0,
      partnerPublicKey: publicKey.get(partnerOf(r)) ?? null,
    }));
  }

  async deleteConnection(id: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('offline_messages').where('connection_id', '=', id).execute();
      await tx.deleteFrom('connections').where('id', '=', id).execute();
    });
    await this.erased();
  }

  async storeOfflineMessage(message: OfflineMessageRecord, limits: InboxLimits): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const counts = await tx
        .selectFrom('offline_messages')
        .select((eb) => [
          eb.fn.countAll<number>().as('total'),
          eb.fn.sum<number>(eb.case().when('connection_id', '=', message.connectionId).then(1).else(0).end()).as('fromThis'),
        ])
        .where('recipient_id', '=', message.recipientId)
        .executeTakeFirstOrThrow();
      if (Number(counts.total) >= limits.total || Number(counts.fromThis ?? 0) >= limits.perConnection) {
        throw new InboxFullError('inbox full');
      }
      await tx
        .insertInto('offline_messages')
        .values({
          id: message.id,
          connection_id: message.connectionId,
          sender_id: message.senderId,
          recipient_id: message.recipientId,
          text: message.text,
          created_at: message.createdAt,
          sealed: message.sealed === true ? 1 : 0,
        })
        .execute();
    });
  }

  async inbox(recipientId: string): Promise<OfflineMessageRecord[]> {
    return this.messagesWhere('recipient_id', recipientId);
  }

  async outbox(senderId: string): Promise<OfflineMessageRecord[]> {
    return this.messagesWhere('sender_id', senderId);
  }

  private async messagesWhere(column: 'recipient_id' | 'sender_id', accountId: string): Promise<OfflineMessageRecord[]> {
    const rows = await this.db
      .selectFrom('offline_messages')
      .selectAll()
      .where(column, '=', accountId)
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      connectionId: r.connection_id,
      senderId: r.sender_id,
      recipientId: r.recipient_id,
      text: r.text,
      createdAt: r.created_at,
      ...(r.sealed === 1 ? { sealed: true } : {}),
    }));
  }

  async deleteMessages(recipientId: string, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.db
      .deleteFrom('offline_messages')
      .where('recipient_id', '=', recipientId)
      .where('id', 'in', [...ids])
      .executeTakeFirst();
    const deleted = Number(result.numDeletedRows);
    if (deleted > 0) await this.erased();
    return deleted;
  }

  async block(blockerId: string, blockedId: string, createdAt: string): Promise<void> {
    await this.db
      .insertInto('blocks')
      .values({ blocker_id: blockerId, blocked_id: blockedId, created_at: createdAt })
      .onConflict((oc) => oc.columns(['blocker_id', 'blocked_id']).doNothing())
      .execute();
  }

  async blockedPairsOf(accountId: string): Promise<Set<string>> {
    const rows = await this.db
      .selectFrom('blocks')
      .select(['blocker_id', 'blocked_id'])
      .where((eb) => eb.or([eb('blocker_id', '=', accountId), eb('blocked_id', '=', accountId)]))
      .execute();
    return new Set(rows.map((r) => (r.blocker_id === accountId ? r.blocked_id : r.blocker_id)));
  }

  async blocksBy(accountId: string): Promise<Array<{ blockedId: string; createdAt: string }>> {
    const rows = await this.db
      .selectFrom('blocks')
      .select(['blocked_id', 'created_at'])
      .where('blocker_id', '=', accountId)
      .orderBy('created_at', 'asc')
      .execute();
    return rows.map((r) => ({ blockedId: r.blocked_id, createdAt: r.created_at }));
  }

  async createReport(report: NewReport): Promise<void> {
    await this.db
      .insertInto('reports')
      .values({
        id: report.id,
        reporter_id: report.reporterId,
        reported_id: report.reportedId,
        reason: report.reason,
        note: report.note,
        created_at: report.createdAt,
        status: report.status,
        attached: report.attached ? JSON.stringify(report.attached) : null,
      })
      .execute();
  }

  async reportsBy(reporterId: string): Promise<ReportRecord[]> {
    const rows = await this.db.selectFrom('reports').selectAll().where('reporter_id', '=', reporterId).orderBy('created_at', 'asc').execute();
    return rows.map(toReport);
  }

  async reportersAgainst(reportedId: string, since: string): Promise<Array<{ reporterId: string; underage: boolean }>> {
    const rows = await this.db
      .selectFrom('reports')
      .select(['reporter_id', 'reason'])
      .where('reported_id', '=', reportedId)
      .where('created_at', '>=', since)
      .execute();
    const byReporter = new Map<string, boolean>();
    for (const r of rows) byReporter.set(r.reporter_id, (byReporter.get(r.reporter_id) ?? false) || r.reason === 'underage');
    return [...byReporter].map(([reporterId, underage]) => ({ reporterId, underage }));
  }

  async openReports(limit: number): Promise<ReportRecord[]> {
    // Reports of minors first (P13), then oldest first.
    const rows = await this.db
      .selectFrom('reports')
      .selectAll()
      .where('status', '=', 'open')
      .orderBy((eb) => eb.case().when('reason', '=', 'underage').then(0).else(1).end())
      .orderBy('created_at', 'asc')
      .limit(limit)
      .execute();
    return rows.map(toReport);
  }

  openReportsNewest(page: PageQuery): Promise<ReportRecord[]> {
    return moderation.openReportsNewest(this.db, page);
  }

  reportsAgainst(reportedId: string, limit: number): Promise<ReportRecord[]> {
    return moderation.reportsAgainst(this.db, reportedId, limit);
  }

  reporterCounts(reportedIds: readonly string[]): Promise<Map<string, number>> {
    return moderation.reporterCounts(this.db, reportedIds);
  }

  async closeReport(id: string, status: Exclude<ReportStatus, 'open'> = 'closed', stamp?: AuditStamp): Promise<boolean> {
    const { closed, erased } = await moderation.closeReport(this.db, id, status, stamp);
    if (erased) await this.attachmentsErased();
    return closed;
  }

  async purgeReportAttachments(before: string): Promise<number> {
    const purged = await moderation.purgeReportAttachments(this.db, before);
    if (purged > 0) await this.attachmentsErased();
    return purged;
  }

  async purgeErasedReports(before: string): Promise<number> {
    const result = await this.db
      .deleteFrom('reports')
      .where('reported_id', 'like', `${ERASED_PREFIX}%`)
      .where('created_at', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  setSuspension(accountId: string, until: string | null, stamp?: AuditStamp): Promise<boolean> {
    return moderation.setSuspension(this.db, accountId, until, stamp);
  }

  auditLog(page: PageQuery & { accountId?: string }): Promise<AuditEntry[]> {
    return moderation.auditLog(this.db, page);
  }

  purgeAuditLog(before: string): Promise<number> {
    return moderation.purgeAuditLog(this.db, before);
  }

  async ping(): Promise<void> {
    await sql`SELECT 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.hooks.beforeClose?.();
    await this.db.destroy();
  }
}

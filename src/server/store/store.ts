/**
 * The Store port: everything the service keeps on disk goes through here.
 * Live chat never does. Implemented over Kysely for SQLite and PostgreSQL.
 */
import type { AttachedMessage, AuditEntry, ReportRecord, ReportStatus } from '../../shared/moderation.js';

export type AccountRecord = {
  id: string;
  nickname: string;
  interests: string[];
  createdAt: string;
  /** ISO time until which the account is suspended, or null. */
  suspendedUntil: string | null;
  /** Whether a Google account is linked. */
  linkedGoogle: boolean;
};

/** One sign-in (bearer token) of an account; `id` is public, `tokenHash` is not. */
export type SessionRecord = { id: string; tokenHash: string; createdAt: string; lastUsedAt: string };

export type NewAccount = Omit<AccountRecord, 'suspendedUntil' | 'linkedGoogle'> & { codeHash: string };

export type LinkedIdentity = { provider: 'google'; subject: string; email: string | null; createdAt: string };

/** Thrown by linkIdentity when that provider account is already linked to another of ours. */
export class IdentityTakenError extends Error {}

export type { AttachedMessage, AuditAction, AuditActor, AuditEntry, ReportReason, ReportRecord, ReportStatus } from '../../shared/moderation.js';

/** A report as it is filed: `attached` may be left out (none). */
export type NewReport = Omit<ReportRecord, 'attached'> & { attached?: AttachedMessage[] | null };

/** Who acted and when, given with a moderation change so its audit entry is written in the same transaction. */
export type AuditStamp = Pick<AuditEntry, 'id' | 'at' | 'actor'>;

/** Newest first; `before` is the last row of the previous page (its time and id). */
export type PageQuery = { limit: number; before?: { at: string; id: string } };

/** What a report's reported id becomes when that account is erased: `erased-` and a random id shared by its reports. */
export const ERASED_PREFIX = 'erased-';

export type ConnectionRecord = { id: string; accountA: string; accountB: string; createdAt: string };

/** A connection as one side sees it. */
export type ConnectionView = {
  id: string;
  partnerId: string;
  partnerNickname: string;
  since: string;
  unread: number;
  /** The partner's identity public key, when they have one (issue 16). */
  partnerPublicKey: string | null;
};

/** An account's identity key: the public key and the private key wrapped under the recovery code (opaque JSON). */
export type AccountKeysRecord = { publicKey: string; wrappedKey: string | null; updatedAt: string };

export type OfflineMessageRecord = {
  id: string;
  connectionId: string;
  senderId: string;
  recipientId: string;
  text: string;
  createdAt: string;
  /** The text is sealed to the recipient (issue 16); stored and delivered as it is. */
  sealed?: boolean;
};

export type InboxLimits = { perConnection: number; total: number };

/** Thrown by storeOfflineMessage when the recipient's inbox is at a limit. */
export class InboxFullError extends Error {}

export interface Store {
  /** Creates the account and its first session in one transaction. */
  createAccount(account: NewAccount, tokenHash: string): Promise<void>;
  accountByCodeHash(codeHash: string): Promise<AccountRecord | undefined>;
  accountByTokenHash(tokenHash: string): Promise<AccountRecord | undefined>;
  account(id: string): Promise<AccountRecord | undefined>;
  updateAccount(id: string, changes: { nickname?: string; interests?: string[] }): Promise<AccountRecord | undefined>;
  /** The session of a token with its account. */
  sessionByTokenHash(tokenHash: string): Promise<{ account: AccountRecord; session: SessionRecord } | undefined>;
  /** Records a use of the session (callers throttle this). */
  touchSession(tokenHash: string, lastUsedAt: string): Promise<void>;
  /** Deletes every session last used before that time; returns how many. */
  deleteIdleSessions(lastUsedBefore: string): Promise<number>;
  createSession(accountId: string, tokenHash: string, createdAt: string): Promise<void>;
  deleteSession(tokenHash: string): Promise<void>;
  /** Deletes one of the account's sessions by its public id; the token hash it had, or undefined if none. */
  deleteSessionById(accountId: string, id: string): Promise<string | undefined>;
  sessionsOf(accountId: string): Promise<SessionRecord[]>;
  /**
   * Replaces the code hash and every session with one new session, in one
   * transaction; with `unlinkGoogle`, also drops the linked Google identity.
   * The identity key's wrap (made under the old code) is dropped in the same
   * transaction; its public key stays.
   */
  rotateRecoveryCode(accountId: string, codeHash: string, tokenHash: string, createdAt: string, options?: { unlinkGoogle?: boolean }): Promise<void>;
  /** Swaps a code hash for its rehash under a new pepper; false if it changed meanwhile. */
  replaceCodeHash(accountId: string, oldHash: string, newHash: string): Promise<boolean>;
  /**
   * Once per database: stores the pepper's check value under `key` and rehashes every
   * stored code hash with `rehash`, in one transaction. Returns how many
   * hashes it rehashed (0 when the check value was already there).
   */
  pepperCodeHashes(key: string, check: string, rehash: (hash: string) => string): Promise<number>;
  serverValue(key: string): Promise<string | undefined>;
  accountKeys(accountId: string): Promise<AccountKeysRecord | undefined>;
  /** Sets (replaces) the account's identity key and its wrap. */
  setAccountKeys(accountId: string, keys: AccountKeysRecord): Promise<void>;
  /** Sets, or with null removes, a server-state value. */
  setServerValue(key: string, value: string | null): Promise<void>;
  /**
   * "Delete everything": the account, its sessions, identity keys, connections (both sides)
   * and offline messages to and from it, the reports it made and the audit
   * entries naming it. Reports against it are kept, with the reported id
   * replaced by one random pseudonym (ERASED_PREFIX). Returns who it was connected with.
   */
  deleteAccount(accountId: string): Promise<Array<{ connectionId: string; partnerId: string }>>;

  /** The pair's connection, creating it if there is none. */
  connect(accountX: string, accountY: string, id: string, createdAt: string): Promise<ConnectionRecord>;
  connection(id: string): Promise<ConnectionRecord | undefined>;
  connectionsOf(accountId: string): Promise<ConnectionView[]>;
  /** Removes the connection with every message waiting between the two. */
  deleteConnection(id: string): Promise<void>;

  /** Stores a message, in one transaction with the inbox limit checks; resolves after commit. */
  storeOfflineMessage(message: OfflineMessageRecord, limits: InboxLimits): Promise<void>;
  inbox(recipientId: string): Promise<OfflineMessageRecord[]>;
  /** Messages this account sent that still wait to be read. */
  outbox(senderId: string): Promise<OfflineMessageRecord[]>;
  /** Deletes those of the ids that are messages to this recipient; others are ignored. */
  deleteMessages(recipientId: string, ids: readonly string[]): Promise<number>;

  /** `blocker` never meets `blocked` again; idempotent. */
  block(blockerId: string, blockedId: string, createdAt: string): Promise<void>;
  /** Everyone this account blocked or was blocked by. */
  blockedPairsOf(accountId: string): Promise<Set<string>>;
  blocksBy(accountId: string): Promise<Array<{ blockedId: string; createdAt: string }>>;

  createReport(report: NewReport): Promise<void>;
  reportsBy(reporterId: string): Promise<ReportRecord[]>;
  /** Reports against an account since a time, one row per distinct reporter with their heaviest reason. */
  reportersAgainst(reportedId: string, since: string): Promise<Array<{ reporterId: string; underage: boolean }>>;
  /** Minors first, then oldest first (the moderator queue of `GET /api/admin/reports`). */
  openReports(limit: number): Promise<ReportRecord[]>;
  /** Open reports, newest first, paged. */
  openReportsNewest(page: PageQuery): Promise<ReportRecord[]>;
  /** Every kept report against an account (or an erased account's pseudonym), newest first, at most `limit`. */
  reportsAgainst(reportedId: string, limit: number): Promise<ReportRecord[]>;
  /** For each of the accounts, how many distinct accounts reported it (kept reports, any status). */
  reporterCounts(reportedIds: readonly string[]): Promise<Map<string, number>>;
  /**
   * True when the report existed and now has that status; with `stamp`, an
   * audit entry (close, dismiss or unfounded) is written in the same transaction.
   * Its attached messages are removed in that transaction, and leave no copy in a file.
   */
  closeReport(id: string, status?: Exclude<ReportStatus, 'open'>, stamp?: AuditStamp): Promise<boolean>;
  /** Deletes reports against erased accounts made before `before`; returns how many. */
  purgeErasedReports(before: string): Promise<number>;
  /** Removes the attached messages of reports made before `before` (no copy left in a file); returns from how many. */
  purgeReportAttachments(before: string): Promise<number>;
  /**
   * Sets or clears (null) a suspension; false when there is no such account.
   * With `stamp`, an audit entry (suspend or unsuspend) is written in the same transaction.
   */
  setSuspension(accountId: string, until: string | null, stamp?: AuditStamp): Promise<boolean>;
  /** The audit log, newest first, paged; with `accountId`, only the entries naming that account. */
  auditLog(page: PageQuery & { accountId?: string }): Promise<AuditEntry[]>;
  /** Deletes audit entries older than `before`; returns how many. */
  purgeAuditLog(before: string): Promise<number>;

  /** Links (or re-links with a fresh email) a provider account; IdentityTakenError if another account has it. */
  linkIdentity(accountId: string, identity: LinkedIdentity): Promise<void>;
  accountByIdentity(provider: 'google', subject: string): Promise<AccountRecord | undefined>;
  identitiesOf(accountId: string): Promise<LinkedIdentity[]>;
  /** False when there was nothing to unlink. */
  unlinkIdentity(accountId: string, provider: 'google'): Promise<boolean>;

  /** Resolves once the database answered a trivial query; for readiness checks. */
  ping(): Promise<void>;

  close(): Promise<void>;
}

import { normalizeInterests, normalizeNickname } from '../../shared/interests.js';
import type { Me } from '../../shared/protocol.js';
import { badRequest, httpError, unauthorized } from '../errors.js';
import type { AccountRecord, SessionRecord, Store } from '../store/store.js';
import type { RecoveryCodeHasher } from './pepper.js';
import type { Revocations } from './revocations.js';
import { hashSecret, newId, newRecoveryCode, newToken, normalizeRecoveryCode } from './secrets.js';

export function toMe(account: AccountRecord): Me {
  return {
    id: account.id,
    nickname: account.nickname,
    interests: account.interests,
    createdAt: account.createdAt,
    linked: { google: account.linkedGoogle },
  };
}

function validNickname(raw: string): string {
  const result = normalizeNickname(raw);
  if (!result.ok) throw badRequest(result.message);
  return result.nickname;
}

function validInterests(raw: string[]): string[] {
  const result = normalizeInterests(raw);
  if (!result.ok) throw badRequest(result.message);
  return result.interests;
}

export function suspendedUntil(account: AccountRecord, now = Date.now()): string | undefined {
  return account.suspendedUntil && Date.parse(account.suspendedUntil) > now ? account.suspendedUntil : undefined;
}

export function assertNotSuspended(account: AccountRecord): void {
  const until = suspendedUntil(account);
  if (until) {
    throw httpError('suspended', `This account is suspended until ${until} after reports from other people.`, { until });
  }
}

/** A session's last use is written at most this often, not on every request. */
export const SESSION_TOUCH_INTERVAL_MS = 3600_000;

export type AccountsOptions = {
  codes: RecoveryCodeHasher;
  /** A session unused for longer than this is refused and deleted. */
  sessionIdleMs: number;
  /** The clock (tests move it forward). */
  now?: () => number;
};

/** Sign-up, sign-in by recovery code, token checks, profile edits. */
export class Accounts {
  private readonly codes: RecoveryCodeHasher;
  private readonly sessionIdleMs: number;
  private readonly now: () => number;
  private readonly updateListeners: Array<(account: AccountRecord) => void> = [];

  constructor(
    private readonly store: Store,
    private readonly revocations: Revocations,
    options: AccountsOptions,
  ) {
    this.codes = options.codes;
    this.sessionIdleMs = options.sessionIdleMs;
    this.now = options.now ?? Date.now;
  }

  private isoNow(): string {
    return new Date(this.now()).toISOString();
  }

  async signUp(input: { nickname: string; interests: string[]; adult: boolean }) {
    if (input.adult !== true) {
      throw httpError('age_confirmation_required', 'METSONY is for adults: confirm that you are 18 or older.');
    }
    const nickname = validNickname(input.nickname);
    const interests = validInterests(input.interests);
    const recoveryCode = newRecoveryCode();
    const token = newToken();
    const account: AccountRecord = { id: newId(), nickname, interests, createdAt: this.isoNow(), suspendedUntil: null, linkedGoogle: false };
    await this.store.createAccount({ ...account, codeHash: this.codes.hash(recoveryCode) }, hashSecret(token));
    return { account, recoveryCode, token };
  }

  async signIn(rawCode: string) {
    const account = await this.accountByCode(normalizeRecoveryCode(rawCode));
    if (!account) throw httpError('invalid_recovery_code', 'That recovery code does not match any account.');
    return { account, token: await this.startSession(account) };
  }

  /** By the current pepper, then (while rotating) the previous one, moving a hash found that way to the current pepper. */
  private async accountByCode(normalizedCode: string): Promise<AccountRecord | undefined> {
    const codeHash = this.codes.hash(normalizedCode);
    const account = await this.store.accountByCodeHash(codeHash);
    if (account) return account;
    const previousHash = this.codes.previousHash(normalizedCode);
    if (previousHash === undefined) return undefined;
    const old = await this.store.accountByCodeHash(previousHash);
    if (old) await this.store.replaceCodeHash(old.id, previousHash, codeHash);
    return old;
  }

  /** A new bearer token for an account that proved who it is (recovery code, or a linked Google account). */
  async startSession(account: AccountRecord): Promise<string> {
    assertNotSuspended(account);
    const token = newToken();
    await this.store.createSession(account.id, hashSecret(token), this.isoNow());
    return token;
  }

  /** The account a bearer token belongs to, or 401. */
  async authenticate(token: string | undefined): Promise<AccountRecord> {
    return (await this.authenticateSession(token)).account;
  }

  /**
   * The account and session of a bearer token, or 401. A session idle for
   * longer than the limit is deleted (its sockets close); a live one records
   * its use at most once per SESSION_TOUCH_INTERVAL_MS.
   */
  async authenticateSession(token: string | undefined): Promise<{ account: AccountRecord; session: SessionRecord }> {
    if (!token) throw unauthorized();
    const tokenHash = hashSecret(token);
    const found = await this.store.sessionByTokenHash(tokenHash);
    if (!found) throw unauthorized();
    const now = this.now();
    const idle = now - Date.parse(found.session.lastUsedAt);
    if (idle > this.sessionIdleMs) {
      await this.store.deleteSession(tokenHash);
      this.revocations.emit({ accountId: found.account.id, tokenHashes: [tokenHash] });
      throw unauthorized();
    }
    if (idle >= SESSION_TOUCH_INTERVAL_MS) {
      const lastUsedAt = new Date(now).toISOString();
      await this.store.touchSession(tokenHash, lastUsedAt);
      return { account: found.account, session: { ...found.session, lastUsedAt } };
    }
    return found;
  }

  /** Deletes the sessions nobody used within the idle limit (a periodic sweep; a use after that would be refused anyway). */
  async deleteIdleSessions(): Promise<number> {
    return this.store.deleteIdleSessions(new Date(this.now() - this.sessionIdleMs).toISOString());
  }

  async sessionsOf(accountId: string): Promise<SessionRecord[]> {
    return this.store.sessionsOf(accountId);
  }

  /** Signs out one of the account's sessions by its public id; false when it has none with that id. */
  async signOutSession(accountId: string, sessionId: string): Promise<boolean> {
    const tokenHash = await this.store.deleteSessionById(accountId, sessionId);
    if (tokenHash === undefined) return false;
    this.revocations.emit({ accountId, tokenHashes: [tokenHash] });
    return true;
  }

  async signOut(accountId: string, token: string): Promise<void> {
    const tokenHash = hashSecret(token);
    await this.store.deleteSession(tokenHash);
    this.revocations.emit({ accountId, tokenHashes: [tokenHash] });
  }

  /** A new code and one new token; the old code and every other token stop working; optionally Google is unlinked too. */
  async rotateRecoveryCode(accountId: string, options: { unlinkGoogle?: boolean } = {}): Promise<{ recoveryCode: string; token: string }> {
    const recoveryCode = newRecoveryCode();
    const token = newToken();
    const old = await this.store.sessionsOf(accountId);
    await this.store.rotateRecoveryCode(accountId, this.codes.hash(recoveryCode), hashSecret(token), this.isoNow(), options);
    this.revocations.emit({ accountId, tokenHashes: old.map((s) => s.tokenHash) });
    return { recoveryCode, token };
  }

  /** Called after each profile edit (the lobby: later searches use the new nickname and interests). */
  onUpdate(listener: (account: AccountRecord) => void): void {
    this.updateListeners.push(listener);
  }

  async update(id: string, changes: { nickname?: string; interests?: string[] }): Promise<AccountRecord> {
    const valid: { nickname?: string; interests?: string[] } = {};
    if (changes.nickname !== undefined) valid.nickname = validNickname(changes.nickname);
    if (changes.interests !== undefined) valid.interests = validInterests(changes.interests);
    const account = await this.store.updateAccount(id, valid);
    if (!account) throw unauthorized();
    for (const listener of this.updateListeners) listener(account);
    return account;
  }

  /** Unlinks the account's Google account; false when none is linked. */
  async unlinkGoogle(accountId: string): Promise<boolean> {
    return this.store.unlinkIdentity(accountId, 'google');
  }
}

import { normalizeInterests, normalizeNickname } from '../../shared/interests.js';
import type { Me } from '../../shared/protocol.js';
import { AppError, badRequest, unauthorized } from '../errors.js';
import type { AccountRecord, Store } from '../store/store.js';
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
    throw new AppError('suspended', `This account is suspended until ${until} after reports from other people.`, 403, { until });
  }
}

/** Sign-up, sign-in by recovery code, token checks, profile edits. */
export class Accounts {
  constructor(
    private readonly store: Store,
    private readonly revocations: Revocations,
  ) {}

  async signUp(input: { nickname: string; interests: string[]; adult: boolean }) {
    if (input.adult !== true) {
      throw new AppError('age_confirmation_required', 'METSONY is for adults: confirm that you are 18 or older.', 400);
    }
    const nickname = validNickname(input.nickname);
    const interests = validInterests(input.interests);
    const recoveryCode = newRecoveryCode();
    const token = newToken();
    const account: AccountRecord = { id: newId(), nickname, interests, createdAt: new Date().toISOString(), suspendedUntil: null, linkedGoogle: false };
    await this.store.createAccount({ ...account, codeHash: hashSecret(recoveryCode) }, hashSecret(token));
    return { account, recoveryCode, token };
  }

  async signIn(rawCode: string) {
    const account = await this.store.accountByCodeHash(hashSecret(normalizeRecoveryCode(rawCode)));
    if (!account) throw new AppError('invalid_recovery_code', 'That recovery code does not match any account.', 401);
    return { account, token: await this.startSession(account) };
  }

  /** A new bearer token for an account that proved who it is (recovery code, or a linked Google account). */
  async startSession(account: AccountRecord): Promise<string> {
    assertNotSuspended(account);
    const token = newToken();
    await this.store.createSession(account.id, hashSecret(token), new Date().toISOString());
    return token;
  }

  /** The account a bearer token belongs to, or 401. */
  async authenticate(token: string | undefined): Promise<AccountRecord> {
    if (!token) throw unauthorized();
    const account = await this.store.accountByTokenHash(hashSecret(token));
    if (!account) throw unauthorized();
    return account;
  }

  /** As authenticate, but a suspended account gets `403 suspended`: it may only export, delete and sign out. */
  async authenticateActive(token: string | undefined): Promise<AccountRecord> {
    const account = await this.authenticate(token);
    assertNotSuspended(account);
    return account;
  }

  async signOut(accountId: string, token: string): Promise<void> {
    const tokenHash = hashSecret(token);
    await this.store.deleteSession(tokenHash);
    this.revocations.emit({ accountId, tokenHashes: [tokenHash] });
  }

  /** A new code and one new token; the old code and every other token stop working. */
  async rotateRecoveryCode(accountId: string): Promise<{ recoveryCode: string; token: string }> {
    const recoveryCode = newRecoveryCode();
    const token = newToken();
    const old = await this.store.sessionsOf(accountId);
    await this.store.rotateRecoveryCode(accountId, hashSecret(recoveryCode), hashSecret(token), new Date().toISOString());
    this.revocations.emit({ accountId, tokenHashes: old.map((s) => s.tokenHash) });
    return { recoveryCode, token };
  }

  async update(id: string, changes: { nickname?: string; interests?: string[] }): Promise<AccountRecord> {
    const valid: { nickname?: string; interests?: string[] } = {};
    if (changes.nickname !== undefined) valid.nickname = validNickname(changes.nickname);
    if (changes.interests !== undefined) valid.interests = validInterests(changes.interests);
    const account = await this.store.updateAccount(id, valid);
    if (!account) throw unauthorized();
    return account;
  }
}

/**
 * The Store port: everything the service keeps on disk goes through here.
 * Live chat never does. Implemented over Kysely for SQLite and PostgreSQL.
 */
export type AccountRecord = {
  id: string;
  nickname: string;
  interests: string[];
  createdAt: string;
};

export type NewAccount = AccountRecord & { codeHash: string };

export type SessionRecord = { createdAt: string };

export interface Store {
  /** Creates the account and its first session in one transaction. */
  createAccount(account: NewAccount, tokenHash: string): Promise<void>;
  accountByCodeHash(codeHash: string): Promise<AccountRecord | undefined>;
  accountByTokenHash(tokenHash: string): Promise<AccountRecord | undefined>;
  account(id: string): Promise<AccountRecord | undefined>;
  updateAccount(id: string, changes: { nickname?: string; interests?: string[] }): Promise<AccountRecord | undefined>;
  createSession(accountId: string, tokenHash: string, createdAt: string): Promise<void>;
  deleteSession(tokenHash: string): Promise<void>;
  close(): Promise<void>;
}

/** Table types for Kysely. Timestamps are ISO-8601 strings (portable across SQLite and PostgreSQL). */
export type AccountTable = {
  id: string;
  nickname: string;
  /** JSON array of normalised interests. */
  interests: string;
  /** SHA-256 of the normalised recovery code. */
  code_hash: string;
  created_at: string;
};

export type SessionTable = {
  /** SHA-256 of the bearer token. */
  token_hash: string;
  account_id: string;
  created_at: string;
};

export type Database = {
  accounts: AccountTable;
  sessions: SessionTable;
};

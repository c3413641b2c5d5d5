/** Table types for Kysely. Timestamps are ISO-8601 strings (portable across SQLite and PostgreSQL). */
export type AccountTable = {
  id: string;
  nickname: string;
  /** JSON array of normalised interests. */
  interests: string;
  /** HMAC-SHA256(pepper, SHA-256(normalised recovery code)); see domain/pepper.ts. */
  code_hash: string;
  created_at: string;
  /** Set by moderation (reports or a moderator); null when not suspended. */
  suspended_until: string | null;
};

export type SessionTable = {
  /** SHA-256 of the bearer token. */
  token_hash: string;
  account_id: string;
  created_at: string;
  /** Random public id (list and revoke one sign-in); not derived from the token. */
  id: string;
  /** Last use, refreshed at most about once an hour; idle sessions expire. */
  last_used_at: string;
};

/** Facts about this database itself, e.g. the check value of the recovery-code pepper. */
export type ServerStateTable = {
  key: string;
  value: string;
};

/** A mutual connection; `account_a` < `account_b`, so a pair has one row. */
export type ConnectionTable = {
  id: string;
  account_a: string;
  account_b: string;
  created_at: string;
};

/** A message to an offline connection, deleted when read. */
export type OfflineMessageTable = {
  id: string;
  connection_id: string;
  sender_id: string;
  recipient_id: string;
  text: string;
  created_at: string;
  /** 1 when `text` is sealed to the recipient's identity key (an `hpke1.` envelope), else 0. */
  sealed: number;
};

/** An account's identity key (issue 16): the public key, and the private key wrapped under the recovery code. */
export type AccountKeyTable = {
  account_id: string;
  /** base64url of the 32-byte X25519 public key. */
  public_key: string;
  /** JSON of the wrap (scrypt parameters, salt, nonce, ciphertext); null after a code rotation until the device re-wraps. */
  wrapped_key: string | null;
  updated_at: string;
};

/** `blocker_id` never wants to meet `blocked_id` again. */
export type BlockTable = {
  blocker_id: string;
  blocked_id: string;
  created_at: string;
};

/**
 * A report about a chat partner: who, whom, why, when; chat text only as the
 * messages the reporter chose to attach, until a moderator acts or 30 days pass.
 */
export type ReportTable = {
  id: string;
  reporter_id: string;
  reported_id: string;
  reason: string;
  note: string | null;
  created_at: string;
  /** 'open', 'closed' (handled), 'dismissed' (no action needed) or 'unfounded' (dismissed; lowers the reporter's weight). */
  status: string;
  /** JSON array of `{from: "me" | "partner", text}` the reporter attached; null when none, or once removed. */
  attached: string | null;
};

/** One moderation action: what, when, on which report or account. Never an IP, never who the moderator is. */
export type AuditLogTable = {
  id: string;
  at: string;
  /** 'moderator' (through the moderator API) or 'automatic' (a suspension by reports). */
  actor: string;
  /** 'suspend', 'unsuspend', 'close', 'dismiss' or 'unfounded'. */
  action: string;
  report_id: string | null;
  /** The account acted on (for a report: the reported account); erased with it. */
  account_id: string | null;
  /** For 'suspend': until when. */
  until: string | null;
};

/** A sign-in provider's account linked to ours (P6): only its subject id and email. */
export type LinkedIdentityTable = {
  provider: string;
  subject: string;
  account_id: string;
  email: string | null;
  created_at: string;
};

export type Database = {
  accounts: AccountTable;
  sessions: SessionTable;
  connections: ConnectionTable;
  offline_messages: OfflineMessageTable;
  blocks: BlockTable;
  reports: ReportTable;
  audit_log: AuditLogTable;
  linked_identities: LinkedIdentityTable;
  server_state: ServerStateTable;
  account_keys: AccountKeyTable;
};

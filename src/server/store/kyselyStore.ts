import { type Kysely, type Selectable } from 'kysely';
import type { AccountTable, Database } from './schema.js';
import type { AccountRecord, NewAccount, Store } from './store.js';

function toAccount(row: Selectable<AccountTable>): AccountRecord {
  return {
    id: row.id,
    nickname: row.nickname,
    interests: JSON.parse(row.interests) as string[],
    createdAt: row.created_at,
  };
}

/** The Store over Kysely; the dialect-specific parts live in sqlite.ts / postgres.ts. */
export class KyselyStore implements Store {
  constructor(
    protected readonly db: Kysely<Database>,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {}

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
        })
        .execute();
      await tx
        .insertInto('sessions')
        .values({ token_hash: tokenHash, account_id: account.id, created_at: account.createdAt })
        .execute();
    });
  }

  async accountByCodeHash(codeHash: string): Promise<AccountRecord | undefined> {
    const row = await this.db.selectFrom('accounts').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
    return row && toAccount(row);
  }

  async accountByTokenHash(tokenHash: string): Promise<AccountRecord | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('accounts', 'accounts.id', 'sessions.account_id')
      .selectAll('accounts')
      .where('sessions.token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row && toAccount(row);
  }

  async account(id: string): Promise<AccountRecord | undefined> {
    const row = await this.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toAccount(row);
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
    }
    return this.account(id);
  }

  async createSession(accountId: string, tokenHash: string, createdAt: string): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({ token_hash: tokenHash, account_id: accountId, created_at: createdAt })
      .execute();
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
  }

  async close(): Promise<void> {
    await this.db.destroy();
    await this.onClose();
  }
}

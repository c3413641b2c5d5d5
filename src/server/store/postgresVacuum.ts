/**
 * PostgreSQL keeps deleted rows as dead tuples until VACUUM. After an account
 * is erased (or a report's attached messages are removed), the tables it had
 * rows in are vacuumed in the background (never
 * inside a transaction, never delaying the reply); erasures that come while
 * one runs are covered by one more run, not one each.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

const ERASED_TABLES = ['offline_messages', 'connections', 'blocks', 'reports', 'linked_identities', 'account_keys', 'sessions', 'accounts', 'audit_log'] as const;

export class ErasureVacuum {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  request(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves when no VACUUM is running (before closing the pool, and in tests). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        // SKIP_LOCKED: a table someone holds a conflicting lock on is left to autovacuum rather than waited for.
        await sql`VACUUM (SKIP_LOCKED) ${sql.join(ERASED_TABLES.map((t) => sql.table(t)))}`.execute(this.db);
      } catch (err) {
        this.onError(err);
      }
    } while (this.again);
  }
}

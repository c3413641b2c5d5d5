/**
 * A Kysely dialect for SQLite whose connection lives in a worker thread
 * (sqliteThread.ts): the same SQL, adapter and introspection as Kysely's
 * SqliteDialect, so KyselyStore and the migrations run on it unchanged.
 *
 * SQLite has one connection here, as with Kysely's own driver: a query or a
 * transaction holds it (a FIFO lock) from its first statement to its last,
 * so transactions never see each other's statements. Under group commit a
 * statement that committed (a write outside a transaction, or COMMIT) lets
 * the connection go as soon as it has run, and its caller waits for the
 * fsync that makes it durable while the next callers already run theirs.
 */
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { type SqliteThreadOptions, SqliteThread } from './sqliteThreadClient.js';

/** A lock granted in the order it was asked for. */
class FifoLock {
  private held = false;
  private readonly queue: Array<() => void> = [];

  lock(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.queue.push(resolve));
  }

  unlock(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.held = false;
  }
}

/** One hold of the connection, from acquireConnection to releaseConnection. */
class WorkerConnection implements DatabaseConnection {
  private holding = true;

  constructor(
    private readonly thread: SqliteThread,
    private readonly lock: FifoLock,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    // Let go early after a commit; a caller that goes on with the same hold takes the lock again.
    if (!this.holding) {
      await this.lock.lock();
      this.holding = true;
    }
    const { reply, durable } = await this.thread.query(query.sql, query.parameters);
    if (durable) {
      this.release();
      await durable;
    }
    if (reply.changes === undefined) return { rows: reply.rows as R[] };
    return {
      rows: reply.rows as R[],
      numAffectedRows: BigInt(reply.changes),
      insertId: reply.lastInsertRowid === undefined ? undefined : BigInt(reply.lastInsertRowid),
    };
  }

  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    // Rows cross threads as one message: a stream is the whole result, row by row.
    const { rows } = await this.executeQuery<R>(query);
    for (const row of rows) yield { rows: [row] };
  }

  /**
   * Rolls back this hold's transaction, if it is still open: not when its
   * COMMIT ran (and let go of the connection) but was not made durable, nor
   * when SQLite already ended it after an error such as SQLITE_FULL.
   */
  async rollback(): Promise<void> {
    if (this.holding && this.thread.inTransaction) await this.executeQuery(CompiledQuery.raw('rollback'));
  }

  release(): void {
    if (!this.holding) return;
    this.holding = false;
    this.lock.unlock();
  }
}

const savepoint = (command: string, name: string) => CompiledQuery.raw(`${command} "${name.replaceAll('"', '""')}"`);

class SqliteWorkerDriver implements Driver {
  private readonly lock = new FifoLock();
  private thread: SqliteThread | undefined;
  private closing = false;

  constructor(private readonly options: SqliteThreadOptions) {}

  async init(): Promise<void> {
    this.thread = await SqliteThread.start(this.options);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.lock.lock();
    try {
      // A thread that died failed its queries with Unavailable; the next query gets a new one.
      if (!this.thread || (this.thread.failure && !this.closing)) this.thread = await SqliteThread.start(this.options);
      return new WorkerConnection(this.thread, this.lock);
    } catch (err) {
      this.lock.unlock();
      throw err;
    }
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as WorkerConnection).rollback();
  }

  async savepoint(connection: DatabaseConnection, name: string, _compile: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(savepoint('savepoint', name));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, _compile: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(savepoint('rollback to', name));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, _compile: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(savepoint('release', name));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as WorkerConnection).release();
  }

  async destroy(): Promise<void> {
    this.closing = true;
    await this.thread?.close();
  }
}

/** SQLite through a worker thread that owns the connection (`file`), with or without group commit. */
export class SqliteWorkerDialect implements Dialect {
  constructor(private readonly options: SqliteThreadOptions) {}

  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }

  createDriver(): Driver {
    return new SqliteWorkerDriver(this.options);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}

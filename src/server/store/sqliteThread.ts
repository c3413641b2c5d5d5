/**
 * The SQLite thread: a worker thread that owns the one better-sqlite3
 * connection, so that no query, commit or fsync runs on the main thread,
 * where every live chat is relayed. It runs the queries it is sent, one at a
 * time, in the order they come (sqliteWorkerDriver.ts keeps transactions
 * apart), and answers each.
 *
 * Group commit (`groupCommit`): with synchronous=NORMAL a commit in WAL mode
 * writes its frames to the WAL without an fsync; this thread then fsyncs the
 * WAL itself, off the thread (libuv's pool), while it goes on with the next
 * queries. A commit is reported durable once an fsync that began after it
 * has finished, so one fsync covers every commit made while the previous one
 * ran. The main thread acknowledges nothing before that (an acknowledged
 * account survives a crash or a power cut), but the next queries need not wait.
 *
 * The thread's code is the one function below, given to the worker as its
 * source text (sqliteThreadClient.ts): it uses nothing from this module's
 * scope, only what it `require`s, so the same text runs from dist/ and from
 * src/ (already JavaScript under tsx or vitest) without a TypeScript loader
 * in the thread, which took seconds to start on a busy machine.
 */
import type { FromThread, QueryReply, ThreadOptions, ToThread, WireError } from './sqliteThreadProtocol.js';

export function sqliteThread(require: NodeJS.Require): void {
  const fs = require('node:fs') as typeof import('node:fs');
  const path = require('node:path') as typeof import('node:path');
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const SqliteDatabase = require('better-sqlite3') as typeof import('better-sqlite3');

  /** Prepared statements kept for reuse, by SQL text; the whole cache is dropped when full. */
  const STATEMENT_CACHE = 500;

  const port = parentPort!;
  const options = workerData as ThreadOptions;
  const post = (message: FromThread) => port.postMessage(message);

  /** An error crosses to the main thread as its name, message and code (sqliteThreadProtocol.ts makes it again). */
  const toWire = (err: unknown): WireError => {
    if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
    const code = (err as { code?: unknown }).code;
    return { name: err.name, message: err.message, ...(typeof code === 'string' ? { code } : {}) };
  };

  const open = () => {
    const db = new SqliteDatabase(options.file);
    db.pragma('journal_mode = WAL');
    // Group commit makes each commit durable itself (below); otherwise SQLite does, inside the commit.
    db.pragma(options.groupCommit ? 'synchronous = NORMAL' : 'synchronous = FULL');
    db.pragma('secure_delete = ON');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    return db;
  };

  /** The fsyncs of group commit: commits are numbered; `synced` tells the main thread how far they are on disk. */
  class WalSync {
    private committed = 0;
    private syncing = false;
    private walFd: number | undefined;
    private idle: (() => void) | undefined;

    /** A commit was made: its number, on disk once `synced` reaches it. */
    commit(): number {
      this.committed++;
      if (!this.syncing) this.syncNext();
      return this.committed;
    }

    private syncNext(): void {
      this.syncing = true;
      const upTo = this.committed;
      const done = (err: unknown) => {
        this.syncing = false;
        post({ type: 'synced', upTo, ...(err ? { error: toWire(err) } : {}) });
        if (this.committed > upTo) this.syncNext();
        else this.idle?.();
      };
      try {
        fs.fsync(this.wal(), done);
      } catch (err) {
        done(err);
      }
    }

    /**
     * The WAL, opened on the first commit (it exists by then). SQLite keeps the
     * same file while the connection is open (a checkpoint rewrites or truncates
     * it in place), so an fsync through this descriptor reaches its frames. Its
     * directory is synced once, so the file's entry is on disk too.
     */
    private wal(): number {
      if (this.walFd === undefined) {
        this.walFd = fs.openSync(`${options.file}-wal`, 'r');
        const dir = fs.openSync(path.dirname(options.file), 'r');
        try {
          fs.fsyncSync(dir);
        } finally {
          fs.closeSync(dir);
        }
      }
      return this.walFd;
    }

    /** Resolves when no fsync is running; then closes the WAL's descriptor. */
    async settle(): Promise<void> {
      if (this.syncing) await new Promise<void>((resolve) => (this.idle = resolve));
      if (this.walFd !== undefined) fs.closeSync(this.walFd);
      this.walFd = undefined;
    }
  }

  /** A Uint8Array parameter arrives without its Buffer class, which better-sqlite3 needs for a blob. */
  const bindable = (value: unknown) => (value instanceof Uint8Array && !Buffer.isBuffer(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value);

  const serve = (db: import('better-sqlite3').Database) => {
    const statements = new Map<string, import('better-sqlite3').Statement>();
    const sync = options.groupCommit ? new WalSync() : undefined;

    const prepared = (sql: string) => {
      let statement = statements.get(sql);
      if (!statement) {
        if (statements.size >= STATEMENT_CACHE) statements.clear();
        statement = db.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    };

    // Written since the last commit was numbered (COMMIT itself counts as read-only for SQLite).
    let wrote = false;
    const run = (id: number, sql: string, parameters: readonly unknown[]): QueryReply => {
      const statement = prepared(sql);
      const values = parameters.map(bindable);
      const reply: QueryReply = { type: 'result', id, rows: [], inTransaction: false };
      if (statement.reader) reply.rows = statement.all(values);
      else Object.assign(reply, statement.run(values));
      // (A statement that failed changed nothing: SQLite undoes it whole.)
      if (!statement.readonly) wrote = true;
      reply.inTransaction = db.inTransaction;
      // Writes and no transaction open any more: a write on its own, or a COMMIT, has committed data.
      if (sync && wrote && !db.inTransaction) {
        reply.commit = sync.commit();
        wrote = false;
      }
      return reply;
    };

    port.on('message', (message: ToThread) => {
      if (message.type === 'close') {
        void (async () => {
          await sync?.settle();
          db.close();
          post({ type: 'closed' });
          port.close();
        })();
        return;
      }
      try {
        post(run(message.id, message.sql, message.parameters));
      } catch (err) {
        // Some errors (SQLITE_FULL, SQLITE_IOERR…) end the transaction they happen in.
        post({ type: 'error', id: message.id, error: toWire(err), inTransaction: db.inTransaction });
      }
    });
  };

  let db: import('better-sqlite3').Database | undefined;
  try {
    db = open();
  } catch (err) {
    post({ type: 'failed', error: toWire(err) });
  }
  if (db) {
    serve(db);
    post({ type: 'ready' });
  }
}

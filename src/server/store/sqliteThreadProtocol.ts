/**
 * The messages between the main thread and the SQLite thread
 * (sqliteThread.ts), and how an error crosses between them: a worker's
 * errors are cloned without their class, so the thread sends each as name,
 * message and code, and it is made again on the main thread as the same class
 * (`SqliteError` with its `code`, `TypeError`, `RangeError`, or `Error`), as
 * if better-sqlite3 had thrown it on the main thread as before.
 */
import SqliteDatabase from 'better-sqlite3';

export type ThreadOptions = {
  /** The database file. */
  file: string;
  /**
   * Group commit: commits return before their fsync, one fsync of the WAL then
   * covers every commit made meanwhile, and each commit's reply waits for it
   * (`durable`). Off: synchronous=FULL, an fsync inside every commit.
   */
  groupCommit: boolean;
};

export type WireError = { name: string; message: string; code?: string };

export type ToThread = { type: 'query'; id: number; sql: string; parameters: readonly unknown[] } | { type: 'close' };

export type QueryReply = {
  type: 'result';
  id: number;
  rows: unknown[];
  changes?: number;
  lastInsertRowid?: number | bigint;
  /** Set when this statement committed data: its reply is final only once `synced` reaches this number. */
  commit?: number;
  /** Whether a transaction is open after it. */
  inTransaction: boolean;
};

export type FromThread =
  | { type: 'ready' }
  | { type: 'failed'; error: WireError }
  | QueryReply
  | { type: 'error'; id: number; error: WireError; inTransaction: boolean }
  /** Every commit numbered up to `upTo` is on disk, or, with `error`, could not be made so. */
  | { type: 'synced'; upTo: number; error?: WireError }
  | { type: 'closed' };

export function fromWire(wire: WireError): Error {
  if (wire.name === 'SqliteError') return new SqliteDatabase.SqliteError(wire.message, wire.code ?? 'SQLITE_ERROR');
  const err = wire.name === 'TypeError' ? new TypeError(wire.message) : wire.name === 'RangeError' ? new RangeError(wire.message) : new Error(wire.message);
  if (err.name !== wire.name) err.name = wire.name;
  if (wire.code !== undefined) Object.assign(err, { code: wire.code });
  return err;
}

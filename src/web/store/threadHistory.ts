/**
 * The conversations with connections, kept on this device only, in IndexedDB
 * (never sent anywhere, never on the server): a reload or a new tab shows the
 * thread again. One record per account and connection, the last
 * HISTORY_LINES lines. Log out and Delete everything delete the whole
 * database; removing a connection deletes its record. Where IndexedDB is
 * unavailable (some private modes), threads live in memory as before.
 */
import type { DmLine } from './dmLine.js';

const DB_NAME = 'metsony';
const STORE = 'threads';
export const HISTORY_LINES = 500;

type ThreadRecord = { key: string; accountId: string; connectionId: string; lines: DmLine[] };

let opening: Promise<IDBDatabase | null> | null = null;

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

function open(): Promise<IDBDatabase | null> {
  opening ??= new Promise((resolve) => {
    try {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'key' }).createIndex('accountId', 'accountId');
      req.onsuccess = () => {
        const db = req.result;
        // Another tab deleting the database (its Log out) must not wait on us.
        db.onversionchange = () => {
          db.close();
          opening = null;
        };
        resolve(db);
      };
      req.onerror = () => resolve(null);
      req.onblocked = () => resolve(null);
    } catch {
      resolve(null);
    }
  });
  return opening;
}

const keyOf = (accountId: string, connectionId: string) => `${accountId}:${connectionId}`;

/** This account's saved threads, by connection id. */
export async function loadThreads(accountId: string): Promise<Record<string, DmLine[]>> {
  const db = await open();
  if (!db) return {};
  try {
    const records = await request(db.transaction(STORE).objectStore(STORE).index('accountId').getAll(accountId) as IDBRequest<ThreadRecord[]>);
    return Object.fromEntries(records.map((r) => [r.connectionId, r.lines]));
  } catch {
    return {};
  }
}

/** Saves a thread's lines (the last HISTORY_LINES; a line still being sent waits for its answer). */
export async function saveThread(accountId: string, connectionId: string, lines: DmLine[]): Promise<void> {
  const db = await open();
  if (!db) return;
  const kept = lines.filter((l) => l.from === 'them' || l.state !== 'sending').slice(-HISTORY_LINES);
  const record: ThreadRecord = { key: keyOf(accountId, connectionId), accountId, connectionId, lines: kept };
  try {
    await request(db.transaction(STORE, 'readwrite').objectStore(STORE).put(record));
  } catch {
    // Full or gone: the thread still shows for this page's life.
  }
}

export async function deleteThread(accountId: string, connectionId: string): Promise<void> {
  const db = await open();
  if (!db) return;
  try {
    await request(db.transaction(STORE, 'readwrite').objectStore(STORE).delete(keyOf(accountId, connectionId)));
  } catch {
    // Nothing to delete.
  }
}

/** Log out / Delete everything: no thread of any account stays in this browser. */
export async function wipeThreadHistory(): Promise<void> {
  const db = await opening;
  db?.close();
  opening = null;
  try {
    await new Promise<void>((resolve) => {
      const req = indexedDB.deleteDatabase(DB_NAME);
      req.onsuccess = req.onerror = req.onblocked = () => resolve();
    });
  } catch {
    // No IndexedDB: nothing was kept.
  }
}

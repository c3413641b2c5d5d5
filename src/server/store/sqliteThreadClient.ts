/**
 * The main thread's side of the SQLite thread (sqliteThread.ts): starts it,
 * sends it queries and pairs each reply with its query. If the thread dies
 * (an uncaught error, out of memory, terminated), every query waiting on it
 * and every later one fails at once with `Unavailable` ("the database cannot
 * be reached just now", 503), never a hang; sqliteWorkerDriver.ts then starts
 * a new thread for the next query.
 */
import { Worker } from 'node:worker_threads';
import { Unavailable } from '../domain/unavailable.js';
import { sqliteThread } from './sqliteThread.js';
import { type FromThread, fromWire, type QueryReply, type ThreadOptions, type ToThread } from './sqliteThreadProtocol.js';

/** How long the thread may take to open the database, and to close it. */
const START_TIMEOUT_MS = 10_000;
const CLOSE_TIMEOUT_MS = 10_000;

type Waiter = { resolve: (result: ThreadResult) => void; reject: (err: Error) => void };
type CommitWaiter = { upTo: number; resolve: () => void; reject: (err: Error) => void };

export type ThreadResult = {
  reply: QueryReply;
  /** For a statement that committed data under group commit: settles once that commit is on disk. */
  durable?: Promise<void>;
};

/**
 * The thread runs the source text of `sqliteThread` (see there why), with a
 * `require` that resolves from this module, wherever the process was started.
 * `__name` is the helper tsx's compiler calls to keep function names.
 */
function spawnThread(workerData: ThreadOptions): Worker {
  const source = [
    'const __name = (target, value) => Object.defineProperty(target, "name", { value, configurable: true });',
    `(${sqliteThread.toString()})(require('node:module').createRequire(${JSON.stringify(import.meta.url)}));`,
  ].join('\n');
  return new Worker(source, { eval: true, workerData });
}

export type SqliteThreadOptions = ThreadOptions & {
  /** Called with each thread started (tests end one to see what its queries get). */
  onThread?: (thread: Worker) => void;
};

export class SqliteThread {
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();
  private readonly commits: CommitWaiter[] = [];
  private death: Unavailable | undefined;
  private closed: (() => void) | undefined;
  /** Whether a transaction is open on the connection, after the last statement that ran. */
  inTransaction = false;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: FromThread) => this.receive(message));
    worker.on('error', (err) => this.die(err));
    worker.on('exit', (code) => this.die(new Error(`the SQLite thread exited with code ${code}`)));
    worker.unref();
  }

  /** Starts a thread and waits until it has opened the database; its opening error otherwise. */
  static start(options: SqliteThreadOptions): Promise<SqliteThread> {
    const { onThread, ...workerData } = options;
    const worker = spawnThread(workerData);
    onThread?.(worker);
    return new Promise<SqliteThread>((resolve, reject) => {
      const fail = (err: Error) => {
        clearTimeout(timer);
        void worker.terminate();
        reject(err);
      };
      const timer = setTimeout(() => fail(new Unavailable('the database')), START_TIMEOUT_MS);
      const onMessage = (message: FromThread) => {
        worker.off('message', onMessage).off('error', fail).off('exit', onExit);
        if (message.type === 'ready') {
          clearTimeout(timer);
          resolve(new SqliteThread(worker));
        } else fail(message.type === 'failed' ? fromWire(message.error) : new Error(`unexpected first message ${message.type}`));
      };
      const onExit = (code: number) => fail(new Unavailable('the database', undefined, { cause: new Error(`the SQLite thread exited with code ${code}`) }));
      worker.on('message', onMessage).on('error', fail).on('exit', onExit);
    });
  }

  /** Set once the thread has died: the error every query gets. */
  get failure(): Unavailable | undefined {
    return this.death;
  }

  query(sql: string, parameters: readonly unknown[]): Promise<ThreadResult> {
    if (this.death) return Promise.reject(this.death);
    const id = this.nextId++;
    return new Promise<ThreadResult>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.refresh();
      this.send({ type: 'query', id, sql, parameters });
    });
  }

  /**
   * Waits for `synced` to reach commit `upTo`. Called as the commit's reply
   * arrives, before any later message, so no `synced` can pass it unseen.
   */
  private durable(upTo: number): Promise<void> {
    const durable = this.death ? Promise.reject(this.death) : new Promise<void>((resolve, reject) => this.commits.push({ upTo, resolve, reject }));
    // Awaited by the query's caller; this only keeps a failure before then from counting as unhandled.
    durable.catch(() => {});
    return durable;
  }

  /** Asks the thread to finish its fsyncs and close the database; ends it if it does not within the time. */
  async close(): Promise<void> {
    if (this.death) return;
    const closed = new Promise<void>((resolve) => (this.closed = resolve));
    this.worker.ref();
    this.send({ type: 'close' });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), CLOSE_TIMEOUT_MS)));
    const outcome = await Promise.race([closed, late]);
    clearTimeout(timer);
    if (outcome === 'late') await this.worker.terminate();
    this.die(new Error('the database was closed'));
  }

  private send(message: ToThread): void {
    this.worker.postMessage(message);
  }

  private receive(message: FromThread): void {
    switch (message.type) {
      case 'result':
      case 'error': {
        this.inTransaction = message.inTransaction;
        const waiter = this.waiting.get(message.id);
        this.waiting.delete(message.id);
        if (message.type === 'error') waiter?.reject(fromWire(message.error));
        else waiter?.resolve(message.commit === undefined ? { reply: message } : { reply: message, durable: this.durable(message.commit) });
        break;
      }
      case 'synced':
        // Commits are numbered in order, so those waiting are in order too.
        while (this.commits.length > 0 && this.commits[0]!.upTo <= message.upTo) {
          const commit = this.commits.shift()!;
          if (message.error) commit.reject(fromWire(message.error));
          else commit.resolve();
        }
        break;
      case 'closed':
        this.closed?.();
        break;
      default:
        break;
    }
    this.refresh();
  }

  /** The thread keeps the process alive only while something waits on it. */
  private refresh(): void {
    if (this.death) return;
    if (this.waiting.size > 0 || this.commits.length > 0) this.worker.ref();
    else this.worker.unref();
  }

  private die(cause: unknown): void {
    if (this.death) return;
    this.death = new Unavailable('the database', undefined, { cause });
    for (const waiter of this.waiting.values()) waiter.reject(this.death);
    this.waiting.clear();
    for (const commit of this.commits.splice(0)) commit.reject(this.death);
    this.closed?.();
    void this.worker.terminate();
  }
}

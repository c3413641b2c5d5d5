/**
 * The language detector on a worker thread of its own. Its tables (`eld`,
 * smallest build) are ~28 MB of heap: on the main thread they made every
 * garbage collection of the relay longer (the `ai` bench scenario measured
 * relay p99 at 20,000 msg/s at 1.95× the same server with AI off). In a
 * worker they live in another isolate, with a GC of its own, and a detection
 * (~0.1 ms) no longer runs between two relayed frames.
 *
 * The thread runs the source text of `detectorThread` below (as the SQLite
 * thread does, see store/sqliteThread.ts): it uses only what it `require`s
 * or imports, so the same text runs from dist/ and from src/ without a
 * TypeScript loader in the thread. Detection is an optimisation (text already
 * in the reader's language skips the model): when the thread cannot answer,
 * the answer is "unknown" (null) and the model translates as it would anyway.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Longer than this for one detection and the answer is "unknown" (the thread is stuck or still loading). */
const DETECT_TIMEOUT_MS = 5000;

type ToThread = { id: number; text: string };
type FromThread = { id: number; language: string | null };

/**
 * The thread's code. `eldFile`: the absolute path of `eld`'s smallest build, an ES
 * module; `importFile` imports it (written in the thread's source text, since a
 * test runner rewrites an `import()` written here).
 */
export function detectorThread(require: NodeJS.Require, eldFile: string, importFile: (url: string) => Promise<unknown>): void {
  const { parentPort } = require('node:worker_threads') as typeof import('node:worker_threads');
  const { pathToFileURL } = require('node:url') as typeof import('node:url');
  type Eld = { detect(text: string): { language: string; isReliable(): boolean } };
  const loaded = importFile(pathToFileURL(eldFile).href).then((m) => (m as { eld: Eld }).eld);
  parentPort!.on('message', ({ id, text }: ToThread) => {
    void loaded.then(
      (eld) => {
        const result = eld.detect(text);
        parentPort!.postMessage({ id, language: result.language && result.isReliable() ? result.language : null } satisfies FromThread);
      },
      () => parentPort!.postMessage({ id, language: null } satisfies FromThread),
    );
  });
}

/** Where `eld`'s smallest build is, seen from this module (the package exports it to `import` only). */
function eldFile(require: NodeJS.Require): string {
  const path = require('node:path') as typeof import('node:path');
  const fs = require('node:fs') as typeof import('node:fs');
  const file = (require.resolve.paths('eld') ?? []).map((dir) => path.join(dir, 'eld/src/entries/static.extrasmall.js')).find((f) => fs.existsSync(f));
  if (!file) throw new Error('the language detector (package eld) is not installed');
  return file;
}

export class LanguageDetector {
  private worker: Worker | undefined;
  private nextId = 1;
  /** Each detection waiting for its answer, with the thread it was sent to. */
  private readonly waiting = new Map<number, { settle: (language: string | null) => void; worker: Worker }>();
  private closed = false;

  constructor(private readonly options: { timeoutMs?: number; onThread?: (thread: Worker) => void } = {}) {}

  /** The language of `text` (ISO 639-1), or null when unsure, unknown or the thread could not answer. */
  detect(text: string): Promise<string | null> {
    if (this.closed) return Promise.resolve(null);
    const worker = this.thread();
    const id = this.nextId++;
    return new Promise<string | null>((resolve) => {
      const timer = setTimeout(() => settle(null), this.options.timeoutMs ?? DETECT_TIMEOUT_MS);
      const settle = (language: string | null) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(language);
      };
      this.waiting.set(id, { settle, worker });
      worker.postMessage({ id, text } satisfies ToThread);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    for (const { settle } of [...this.waiting.values()]) settle(null);
    await worker?.terminate();
  }

  /** The running thread, started on first use and again after one died. */
  private thread(): Worker {
    if (this.worker) return this.worker;
    const source = [
      'const __name = (target, value) => Object.defineProperty(target, "name", { value, configurable: true });',
      `(${detectorThread.toString()})(require, ${JSON.stringify(eldFile(createRequire(import.meta.url)))}, (url) => import(url));`,
    ].join('\n');
    const worker = new Worker(source, { eval: true });
    worker.on('message', ({ id, language }: FromThread) => this.waiting.get(id)?.settle(language));
    // What this thread had (not what a newer one has) is answered "unknown".
    const gone = () => {
      if (this.worker === worker) this.worker = undefined;
      for (const pending of [...this.waiting.values()]) if (pending.worker === worker) pending.settle(null);
    };
    worker.on('error', gone);
    worker.on('exit', gone);
    // Never what keeps the process alive.
    worker.unref();
    this.worker = worker;
    this.options.onThread?.(worker);
    return worker;
  }
}

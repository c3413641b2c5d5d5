/**
 * The contract between the orchestrator (bench/run.ts) and a load generator
 * (bench/loadgen/*.ts): parameters arrive as one JSON argument, progress goes
 * to stderr, and the result is the one JSON line on stdout. A generator whose
 * parent has gone away stops by itself.
 */
import { closedAfterReady } from './clients.js';

export type Target = 'server' | 'baseline';

/** Parameters every generator gets, plus its own. */
export type CommonParams = {
  target: Target;
  /** http://127.0.0.1:PORT */
  url: string;
  /** ws://127.0.0.1:PORT/ws */
  wsUrl: string;
  /** The process under load, for its CPU time and RSS. */
  pid: number;
  /** First host byte of the 127.0.0.x source addresses this generator may use. */
  addressBase: number;
  addressCount: number;
};

export function params<T>(): CommonParams & T {
  const raw = process.argv[2];
  if (!raw) throw new Error('usage: node --import tsx bench/loadgen/<scenario>.ts <json params>');
  return JSON.parse(raw) as CommonParams & T;
}

let label = 'loadgen';
export function setLabel(name: string): void {
  label = name;
}

export function log(message: string): void {
  process.stderr.write(`[${label}] ${message}\n`);
}

/** Prints the one result line and exits. */
export function finish(result: Record<string, unknown>): never {
  const closed = Object.keys(closedAfterReady).length > 0 ? { closedByPeer: closedAfterReady } : {};
  process.stdout.write(`${JSON.stringify({ ...result, ...closed })}\n`, () => process.exit(0));
  // The write callback exits; this keeps the type `never` and is a backstop.
  setTimeout(() => process.exit(0), 2000);
  return undefined as never;
}

/** Runs a generator's main; any failure becomes `{"error": …}` on stdout and exit code 1. */
export function main(run: () => Promise<never | void>): void {
  // Orphaned (the orchestrator died): stop, so no load outlives the run.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(2);
  }, 500).unref();
  run().catch((err: unknown) => {
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stdout.write(`${JSON.stringify({ error: message })}\n`, () => process.exit(1));
  });
}

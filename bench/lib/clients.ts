/**
 * Many WebSocket clients from one load-generator process: opens them with a
 * bounded number of handshakes in flight, from several 127.0.0.x source
 * addresses (one address has ~28k ephemeral ports), says `hello` and waits
 * for `ready`. Stops opening at the first EMFILE (the process is out of file
 * descriptors) and reports it instead of crashing.
 */
import WebSocket from 'ws';
import { type Summary, rounded, summarize } from './stats.js';

export type Frame = { type: string; [key: string]: unknown };

export class Client {
  chatId: string | undefined;
  closed = false;
  /** Every frame after `ready` (including `inbox`). */
  onFrame: (frame: Frame) => void = () => {};

  constructor(
    readonly index: number,
    readonly ws: WebSocket,
  ) {}

  send(frame: Frame): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  sendRaw(text: string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
  }
}

export type OpenResult = {
  clients: Client[];
  attempted: number;
  opened: number;
  failed: number;
  /** Why sockets failed to open (error code, close code, `timeout`, `error_frame`). */
  errors: Record<string, number>;
  /** Stopped early because this process ran out of file descriptors. */
  emfile: boolean;
  seconds: number;
  perSecond: number;
  /** Connect → `ready`, per socket. */
  readyMs: Summary;
};

/** Source addresses 127.0.0.<first>…: `count` of them. */
export function loopbackAddresses(count: number, first = 2): string[] {
  return Array.from({ length: count }, (_, i) => `127.0.0.${first + i}`);
}

/** Sockets closed by the other side after `ready`, across all clients of this process. */
export const closedAfterReady: Record<string, number> = {};

export async function openClients(opts: {
  url: string;
  count: number;
  /** The token sent in `hello` by socket i. */
  tokenOf: (i: number) => string;
  localAddresses: string[];
  /** Handshakes (connect + hello + ready) in flight at once. */
  concurrency?: number;
  openTimeoutMs?: number;
  /** The whole opening phase stops after this. */
  budgetMs?: number;
  /** Index of the first client (for logs and token choice across several processes). */
  firstIndex?: number;
  progress?: (opened: number) => void;
}): Promise<OpenResult> {
  const concurrency = opts.concurrency ?? 200;
  const openTimeoutMs = opts.openTimeoutMs ?? 15_000;
  const first = opts.firstIndex ?? 0;
  const started = performance.now();
  const deadline = started + (opts.budgetMs ?? 120_000);
  const clients: Client[] = [];
  const errors: Record<string, number> = {};
  const readyMs: number[] = [];
  let next = 0;
  let inflight = 0;
  let emfile = false;
  let lastProgress = 0;

  return new Promise<OpenResult>((resolve) => {
    const finish = () => {
      const seconds = (performance.now() - started) / 1000;
      resolve({
        clients,
        attempted: next,
        opened: clients.length,
        failed: next - clients.length,
        errors,
        emfile,
        seconds: Math.round(seconds * 1000) / 1000,
        perSecond: Math.round(clients.length / seconds),
        readyMs: rounded(summarize(readyMs)),
      });
    };
    const pump = () => {
      while (!emfile && inflight < concurrency && next < opts.count && performance.now() < deadline) {
        launch(next++);
      }
      if (inflight === 0 && (emfile || next >= opts.count || performance.now() >= deadline)) finish();
    };
    const launch = (n: number) => {
      inflight++;
      const index = first + n;
      const t0 = performance.now();
      let settled = false;
      let ws: WebSocket | undefined;
      const done = (error: string | undefined) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        inflight--;
        if (error) {
          errors[error] = (errors[error] ?? 0) + 1;
          if (error === 'EMFILE' || error === 'ENFILE') emfile = true;
          ws?.terminate();
        } else {
          readyMs.push(performance.now() - t0);
          clients.push(client);
          if (opts.progress && clients.length - lastProgress >= 1000) {
            lastProgress = clients.length;
            opts.progress(clients.length);
          }
        }
        // Keep the stack shallow when many fail synchronously.
        setImmediate(pump);
      };
      const timer = setTimeout(() => done('timeout'), openTimeoutMs);
      let socket: WebSocket;
      try {
        socket = new WebSocket(opts.url, {
          localAddress: opts.localAddresses[index % opts.localAddresses.length],
          perMessageDeflate: false,
          handshakeTimeout: openTimeoutMs,
        });
      } catch (err) {
        done((err as NodeJS.ErrnoException).code ?? 'throw');
        return;
      }
      ws = socket;
      const client = new Client(index, socket);
      let ready = false;
      socket.on('open', () => socket.send(JSON.stringify({ type: 'hello', token: opts.tokenOf(index) })));
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as Frame;
        if (ready) {
          client.onFrame(frame);
        } else if (frame.type === 'ready') {
          ready = true;
          done(undefined);
        } else if (frame.type === 'error') {
          done(`error_frame:${String(frame.code)}`);
        }
      });
      socket.on('error', (err: NodeJS.ErrnoException) => {
        if (!ready) done(err.code ?? 'error');
      });
      socket.on('close', (code) => {
        client.closed = true;
        if (!ready) done(`close_${code}`);
        else closedAfterReady[String(code)] = (closedAfterReady[String(code)] ?? 0) + 1;
      });
    };
    pump();
  });
}

/** Sends `find {}` on every client and waits until each has `matched` (sets `chatId`). */
export async function matchAll(clients: Client[], timeoutMs: number, find: (c: Client) => Frame = () => ({ type: 'find' })): Promise<{ matched: number; seconds: number }> {
  const started = performance.now();
  let matched = 0;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    if (clients.length === 0) resolve();
    for (const c of clients) {
      c.onFrame = (frame) => {
        if (frame.type === 'matched') {
          c.chatId = (frame.chat as { id: string }).id;
          if (++matched === clients.length) {
            clearTimeout(timer);
            resolve();
          }
        }
      };
      c.send(find(c));
    }
  });
  return { matched, seconds: (performance.now() - started) / 1000 };
}

export function closeAll(clients: Client[]): void {
  for (const c of clients) c.ws.terminate();
}

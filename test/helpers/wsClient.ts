/** A real WebSocket client for tests: a queue of received frames to await in order. */
import WebSocket from 'ws';
import type { ServerFrame } from '../../src/shared/protocol.js';

type Frame = ServerFrame & Record<string, unknown>;
type Waiter = { match: (f: Frame) => boolean; resolve: (f: Frame) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };
type Closed = { code: number; reason: string };

/** How long `closed` waits for the server to close the socket: well under the test timeout, so the failure says what went wrong. */
export const CLOSE_WAIT_MS = 5_000;

export class TestSocket {
  readonly frames: Frame[] = [];
  private readonly inbox: Frame[] = [];
  private readonly waiters: Waiter[] = [];
  private readonly closing: Promise<Closed>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      this.frames.push(frame);
      const i = this.waiters.findIndex((w) => w.match(frame));
      if (i >= 0) {
        const [w] = this.waiters.splice(i, 1);
        clearTimeout(w!.timer);
        w!.resolve(frame);
      } else this.inbox.push(frame);
    });
    this.closing = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** The close code and reason, once the socket has closed; rejects after CLOSE_WAIT_MS. */
  get closed(): Promise<Closed> {
    return this.closedWithin(CLOSE_WAIT_MS);
  }

  /** The close code and reason, or a clear failure if the socket is still open after `ms`. */
  closedWithin(ms: number): Promise<Closed> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const state = this.ws.readyState === WebSocket.OPEN ? 'still open' : `in state ${this.ws.readyState}`;
        reject(new Error(`socket ${state} ${ms} ms later, expected a close; frames received: ${JSON.stringify(this.frames.map((f) => f.type))}`));
      }, ms);
    });
    return Promise.race([this.closing, timeout]).finally(() => clearTimeout(timer));
  }

  /** `localAddress`: the loopback address to connect from (127.0.0.0/8 is all local), so a test can be several clients. */
  static async open(url: string, headers: Record<string, string> = {}, localAddress?: string): Promise<TestSocket> {
    const ws = new WebSocket(url, { headers, ...(localAddress ? { localAddress } : {}) });
    const socket = new TestSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return socket;
  }

  /** Opens a socket, says hello and waits for `ready` and `inbox`. */
  static async signedIn(url: string, token: string, localAddress?: string): Promise<TestSocket> {
    const socket = await TestSocket.open(url, {}, localAddress);
    socket.send({ type: 'hello', token });
    await socket.next('ready');
    await socket.next('inbox');
    return socket;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The next frame of that type (frames of other types stay queued). */
  next<T extends Frame['type']>(type?: T, where: (f: Extract<Frame, { type: T }>) => boolean = () => true, timeoutMs = 10_000): Promise<Extract<Frame, { type: T }>> {
    const match = (f: Frame) => (type === undefined || f.type === type) && where(f as Extract<Frame, { type: T }>);
    const i = this.inbox.findIndex(match);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0] as Extract<Frame, { type: T }>);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve: (f) => resolve(f as Extract<Frame, { type: T }>),
        reject,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(new Error(`no "${type ?? 'any'}" frame within ${timeoutMs} ms; unclaimed: ${JSON.stringify(this.inbox)}`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Frames received but not yet claimed by next(). */
  get unclaimed(): readonly Frame[] {
    return this.inbox;
  }

  /** Resolves after a short quiet time; returns what arrived meanwhile, unclaimed. */
  async quiet(ms = 150): Promise<readonly Frame[]> {
    await new Promise((r) => setTimeout(r, ms));
    return this.inbox;
  }

  /**
   * Resolves once the server has read everything sent before: its answer to a
   * WebSocket ping comes after its synchronous replies to the earlier frames.
   */
  flushed(timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no pong within ${timeoutMs} ms`)), timeoutMs);
      this.ws.once('pong', () => {
        clearTimeout(timer);
        resolve();
      });
      this.ws.ping();
    });
  }

  /**
   * Resolves once the server has handled every frame sent so far on these
   * sockets, and every frame that handling sent to any of them has arrived:
   * each is flushed, then each again. Covers what the server does at once, not
   * what it does later on a timer.
   */
  static async settled(...sockets: TestSocket[]): Promise<void> {
    for (const s of sockets) await s.flushed();
    for (const s of sockets) await s.flushed();
  }

  /**
   * Resolves once every frame sent before on this socket has taken effect,
   * including those that wait on the database: a socket's frames are handled
   * in arrival order (docs/protocol.md), and `cancel` answers `idle`. Not for
   * a socket that is searching (it would stop the search).
   */
  async handled(timeoutMs = 10_000): Promise<void> {
    this.send({ type: 'cancel' });
    await this.next('idle', () => true, timeoutMs);
  }

  /** Every frame of that type received so far, claimed or not. */
  received<T extends Frame['type']>(type: T): Array<Extract<Frame, { type: T }>> {
    return this.frames.filter((f): f is Extract<Frame, { type: T }> => f.type === type);
  }

  close(): void {
    this.ws.close();
  }
}

import WebSocket from 'ws';
import type { ClientFrame, ServerFrame } from '../../shared/protocol.js';
import type { Subscription } from '../broker/broker.js';
import type { FrameBudget } from './frameBudget.js';
import type { Peer, Session } from './peer.js';

export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_SUSPENDED = 4403;
export const CLOSE_TOO_MANY = 4429;
export const CLOSE_SHUTDOWN = 1001;
export const CLOSE_POLICY = 1008;

type Phase = 'hello' | 'authenticating' | 'ready' | 'closed';

/** A frame that is handled once the socket is signed in. */
export type ReadyFrame = Exclude<ClientFrame, { type: 'hello' | 'ping' }>;

/** One open socket, from upgrade to close. */
export class Connection implements Peer {
  phase: Phase = 'hello';
  session: Session | undefined;
  missedPings = 0;
  /** Frames that arrived while the hello was being checked; handled in order after `ready`. */
  pending: string[] | undefined;
  helloTimer: NodeJS.Timeout | undefined;
  subscription: Subscription | undefined;
  /** Hash of the token this socket signed in with, so revoking it closes the socket. */
  tokenHash: string | undefined;
  /** Frames waiting while an earlier one of this socket waits on the database or a limiter. */
  queue: ReadyFrame[] | undefined;
  draining = false;
  /** Unset when rate limits are off. */
  budget: FrameBudget | undefined;
  /** A full `pending` or `queue` was answered `rate_limited`; later overflow is dropped silently until it drains. */
  overflowReported = false;
  /** The account whose socket slot this socket holds, from the hello's token check until close. */
  slotOf: string | undefined;

  constructor(
    readonly ws: WebSocket,
    /** Held only to release the per-IP socket count on close; never stored or logged. */
    readonly ip: string | undefined,
    readonly country: string | undefined,
    private readonly maxBufferedBytes: number,
  ) {}

  /** Read through a getter so a check after an await is not narrowed away by the one before it. */
  get closed(): boolean {
    return this.phase === 'closed';
  }

  send(frame: ServerFrame): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    // A client that does not read must not grow our memory: cut it off.
    if (this.ws.bufferedAmount > this.maxBufferedBytes) {
      this.ws.terminate();
      return;
    }
    this.ws.send(JSON.stringify(frame));
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.close(code, reason);
    }
  }

  error(code: string, message: string, extra: Record<string, unknown> = {}): void {
    this.send({ type: 'error', code, message, ...extra });
  }
}


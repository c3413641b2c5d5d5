import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import type { ClientFrame, ServerFrame, SocketErrorCode } from '../../shared/protocol.js';
import { type ErrorDetails, errorFrame } from '../errors.js';
import type { Tally } from '../tally.js';
import type { Subscription } from '../broker/broker.js';
import type { FrameBudget } from './frameBudget.js';
import { KeyExchange } from './keyExchange.js';
import type { Peer, Seat } from '../domain/chat.js';

export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_SUSPENDED = 4403;
export const CLOSE_TOO_MANY = 4429;
export const CLOSE_SHUTDOWN = 1001;
export const CLOSE_POLICY = 1008;
/** The hello could not be checked just now (database or Redis away): reconnect later. */
export const CLOSE_TRY_AGAIN_LATER = 1013;

/** A frame that is handled once the socket is signed in. */
export type ReadyFrame = Exclude<ClientFrame, { type: 'hello' | 'ping' }>;

/** Open, no hello yet. */
export type AwaitingHello = { readonly phase: 'awaitingHello'; readonly helloTimer: NodeJS.Timeout };

/** The hello's token is being checked. */
export type Authenticating = {
  readonly phase: 'authenticating';
  readonly helloTimer: NodeJS.Timeout;
  /** Frames that arrived meanwhile, handled in order after `ready`. */
  readonly pending: string[];
  /** A full `pending` was answered `rate_limited`; later overflow is dropped silently. */
  overflowReported: boolean;
};

/** Signed in: its frames go to the domain. */
export type Ready = {
  readonly phase: 'ready';
  readonly seat: Seat;
  readonly subscription: Subscription;
  /** Frames waiting while an earlier one of this socket waits on the database or a limiter. */
  readonly queue: ReadyFrame[];
  draining: boolean;
  /** A full `queue` was answered `rate_limited`; later overflow is dropped silently until it drains. */
  overflowReported: boolean;
};

export type Closed = { readonly phase: 'closed' };

export type SocketState = AwaitingHello | Authenticating | Ready | Closed;

/** Sockets written to in this turn of the event loop, corked until it ends. */
const corked: ClientSocket[] = [];

function uncorkAll(): void {
  for (const socket of corked) socket.uncork();
  corked.length = 0;
}

/** One open WebSocket of a client, from upgrade to close. */
export class ClientSocket implements Peer {
  readonly kind = 'human';
  state: SocketState;
  missedPings = 0;
  /** End-to-end key frames of its chats (keyExchange.ts); made at the first one. */
  private keys: KeyExchange | undefined;
  private isCorked = false;

  constructor(
    readonly ws: WebSocket,
    /** The TCP (or TLS) connection under `ws`: corked while a turn writes to it. */
    private readonly wire: Pick<Duplex, 'cork' | 'uncork'>,
    /** Held only to release the per-IP socket count on close and for a report's network key; never stored or logged. */
    readonly ip: string | undefined,
    readonly country: string | undefined,
    /** Unset when rate limits are off. */
    readonly budget: FrameBudget | undefined,
    private readonly maxBufferedBytes: number,
    helloTimer: NodeJS.Timeout,
    /** `error` frames sent, by code (for /metrics). */
    private readonly errors: Tally,
  ) {
    this.state = { phase: 'awaitingHello', helloTimer };
  }

  /**
   * Closed or closing: nothing new is to start for it. (A getter, so the
   * handshake's check after each await is not narrowed away by the one before.)
   */
  get closed(): boolean {
    return this.state.phase === 'closed' || this.ws.readyState !== WebSocket.OPEN;
  }

  send(frame: ServerFrame): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (frame.type === 'key' && !(this.keys ??= new KeyExchange()).incoming(frame)) return;
    // A client that does not read must not grow our memory: cut it off.
    if (this.ws.bufferedAmount > this.maxBufferedBytes) {
      this.ws.terminate();
      return;
    }
    if (frame.type === 'error') this.errors.add(frame.code);
    this.corkForThisTurn();
    this.ws.send(JSON.stringify(frame));
  }

  /**
   * What one turn sends to this socket (the `sent` acks of several frames that arrived in one
   * read, or several messages of one batch from another node) leaves in one write when the
   * turn's synchronous work is done, instead of one system call per frame. Frames sent from the
   * turn's promise callbacks are corked again and follow in a second write.
   */
  private corkForThisTurn(): void {
    if (this.isCorked) return;
    this.isCorked = true;
    this.wire.cork();
    if (corked.push(this) === 1) process.nextTick(uncorkAll);
  }

  uncork(): void {
    this.isCorked = false;
    this.wire.uncork();
  }

  /** This socket offered its own key in a chat: the partner's key, if held, goes out now. */
  offeredKey(chatId: string): void {
    const held = (this.keys ??= new KeyExchange()).offer(chatId);
    if (held) this.send(held);
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.close(code, reason);
    }
  }

  /** An `error` frame: the code's default message unless another is given. */
  error(code: SocketErrorCode, message?: string, details?: ErrorDetails): void {
    this.send(errorFrame(code, message, details));
  }
}

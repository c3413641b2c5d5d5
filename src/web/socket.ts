/**
 * The WebSocket client for /ws (PROTOCOL.md §3): hello first, then frames both
 * ways. It reconnects by itself after a network blip (0.5 s doubling to 10 s,
 * with jitter), sends hello again each time, and notices a dead link with an
 * application-level ping, because a phone that lost its network often never
 * fires `close`.
 */
import type { ClientFrame, ServerFrame } from '../shared/protocol.js';

export type SocketStatus = 'connecting' | 'ready' | 'offline' | 'stopped';

export type SocketHandlers = {
  /** The current token; null stops the socket. */
  token(): string | null;
  onFrame(frame: ServerFrame): void;
  onStatus(status: SocketStatus): void;
  /** The server refused the token (`error unauthorized` or close 4401). The socket stays stopped. */
  onUnauthorized(): void;
};

const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 10_000;
/** After `shutdown` the server is restarting: give it a moment before knocking again. */
const AFTER_SHUTDOWN_MS = 2_000;
/** After `shutdown {reconnect:true}` another node is there: go at once, spread over this much. */
const MOVE_SPREAD_MS = 250;
const HEARTBEAT_EVERY_MS = 25_000;
const HEARTBEAT_TIMEOUT_MS = 10_000;
/** Frames kept while offline (messages typed during a blip); more than this is dropped. */
const OUTBOX_MAX = 50;
const CLOSE_UNAUTHORIZED = 4401;
/** The account is suspended; the `suspended` error frame before it says until when. */
const CLOSE_SUSPENDED = 4403;

export function socketUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/ws`;
}

export class ChatSocket {
  private ws: WebSocket | null = null;
  private status: SocketStatus = 'stopped';
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private pongTimer: ReturnType<typeof setTimeout> | undefined;
  private outbox: ClientFrame[] = [];
  /** What the last `shutdown` said: the server restarts, or this node goes and another takes over. */
  private shutdownSeen: 'restart' | 'move' | null = null;
  private unauthorized = false;

  constructor(
    private readonly url: string,
    private readonly handlers: SocketHandlers,
  ) {}

  start(): void {
    if (this.ws || this.retryTimer) return;
    this.unauthorized = false;
    window.addEventListener('online', this.wakeUp);
    document.addEventListener('visibilitychange', this.wakeUp);
    this.connect();
  }

  stop(): void {
    window.removeEventListener('online', this.wakeUp);
    document.removeEventListener('visibilitychange', this.wakeUp);
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.outbox = [];
    this.discardSocket();
    this.setStatus('stopped');
  }

  /** Drops the current connection and opens a new one (e.g. with a new token). */
  restart(): void {
    this.stop();
    this.start();
  }

  get isReady(): boolean {
    return this.status === 'ready';
  }

  /**
   * Sends now if the socket is ready. Otherwise, with `queue`, keeps the frame
   * for the next `ready`; without it, drops it. Returns whether it went out now.
   */
  send(frame: ClientFrame, queue = false): boolean {
    if (this.status === 'ready' && this.ws?.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(frame));
      return true;
    }
    if (queue && this.status !== 'stopped' && this.outbox.length < OUTBOX_MAX) this.outbox.push(frame);
    return false;
  }

  private connect(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const token = this.handlers.token();
    if (!token) {
      this.setStatus('stopped');
      return;
    }
    this.setStatus('connecting');
    this.shutdownSeen = null;
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', token } satisfies ClientFrame));
    ws.onmessage = (event) => this.receive(event);
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.stopHeartbeat();
      if (event.code === CLOSE_UNAUTHORIZED) this.refused();
      // Knocking again would only be refused again; a reload after the suspension ends reconnects.
      else if (event.code === CLOSE_SUSPENDED) this.stop();
      else this.scheduleReconnect();
    };
    // `error` is always followed by `close`, which does the work.
    ws.onerror = () => undefined;
  }

  private receive(event: MessageEvent): void {
    if (typeof event.data !== 'string') return;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(event.data) as ServerFrame;
    } catch {
      return;
    }
    if (typeof frame !== 'object' || frame === null || typeof frame.type !== 'string') return;
    switch (frame.type) {
      case 'ready':
        this.attempt = 0;
        this.setStatus('ready');
        this.startHeartbeat();
        this.handlers.onFrame(frame);
        this.flushOutbox();
        return;
      case 'pong':
        clearTimeout(this.pongTimer);
        this.pongTimer = undefined;
        return;
      case 'shutdown':
        this.shutdownSeen = frame.reconnect ? 'move' : 'restart';
        break;
      case 'error':
        if (frame.code === 'unauthorized' && this.status !== 'ready') {
          this.refused();
          return;
        }
        break;
    }
    this.handlers.onFrame(frame);
  }

  private refused(): void {
    if (this.unauthorized) return;
    this.unauthorized = true;
    this.stop();
    this.handlers.onUnauthorized();
  }

  private flushOutbox(): void {
    const frames = this.outbox;
    this.outbox = [];
    for (const frame of frames) this.send(frame, true);
  }

  private scheduleReconnect(): void {
    if (this.status === 'stopped' || this.unauthorized) return;
    this.setStatus('offline');
    if (this.shutdownSeen === 'move') {
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.connect(), Math.random() * MOVE_SPREAD_MS);
      return;
    }
    const backoff = Math.min(BACKOFF_FIRST_MS * 2 ** this.attempt, BACKOFF_MAX_MS);
    this.attempt++;
    const jittered = backoff * (0.8 + Math.random() * 0.4);
    const delay = this.shutdownSeen === 'restart' ? Math.max(jittered, AFTER_SHUTDOWN_MS) : jittered;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  /** Back online, or the tab is visible again: do not wait for the backoff. */
  private readonly wakeUp = (): void => {
    if (document.visibilityState === 'hidden') return;
    if (this.status === 'offline' && this.retryTimer) {
      this.attempt = 0;
      this.connect();
    }
  };

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.heartbeatTimer = setInterval(() => {
      if (!this.send({ type: 'ping' })) return;
      clearTimeout(this.pongTimer);
      this.pongTimer = setTimeout(() => this.linkLost(), HEARTBEAT_TIMEOUT_MS);
    }, HEARTBEAT_EVERY_MS);
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.pongTimer);
    this.heartbeatTimer = undefined;
    this.pongTimer = undefined;
  }

  /** No pong: the link is dead even if the browser has not noticed. */
  private linkLost(): void {
    this.discardSocket();
    this.scheduleReconnect();
  }

  private discardSocket(): void {
    this.stopHeartbeat();
    const ws = this.ws;
    this.ws = null;
    if (!ws) return;
    ws.onopen = null;
    ws.onmessage = null;
    ws.onclose = null;
    ws.onerror = null;
    if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000, 'bye');
  }

  private setStatus(status: SocketStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.handlers.onStatus(status);
  }
}

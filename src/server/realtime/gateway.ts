/**
 * The socket gateway for /ws: frame intake (the frame budget, size and shape
 * checks, bounded queues), revocation, liveness pings, and the goodbye on
 * shutdown. The parts live next to it: upgrade.ts and socketCaps.ts (taking
 * sockets in), handshake.ts (hello → ready), dispatch.ts (what each frame
 * does). Domain code only ever sees frames that passed the zod schema; the
 * frames of one socket are handled one after another, in arrival order.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { IncomingMessage } from 'node:http';
import WebSocket, { type WebSocketServer } from 'ws';
import { FRAME_BUDGET } from '../../shared/limits.js';
import { ClientFrame, type ServerFrame } from '../../shared/protocol.js';
import type { Broker, Subscription } from '../broker/broker.js';
import type { Config } from '../config.js';
import type { Accounts } from '../domain/accounts.js';
import type { Connections } from '../domain/connections.js';
import type { Geo } from '../domain/geo.js';
import type { Lobby } from '../domain/lobby.js';
import type { Moderation } from '../domain/moderation.js';
import type { RateLimits } from '../domain/rateLimits.js';
import type { Revocation } from '../domain/revocations.js';
import { Unavailable } from '../domain/unavailable.js';
import type { FrameOutcome } from '../errors.js';
import { Tally } from '../tally.js';
import { firstIssue } from '../zodIssue.js';
import { type ClientIpResolver, trustedCountryHeader } from '../http/clientIp.js';
import {
  type Authenticating,
  CLOSE_POLICY,
  CLOSE_SHUTDOWN,
  CLOSE_SUSPENDED,
  CLOSE_TOO_MANY,
  CLOSE_UNAUTHORIZED,
  ClientSocket,
  type Closed,
  type Ready,
  type ReadyFrame,
} from './clientSocket.js';
import type { Doorkeeper } from '../domain/doorkeeper.js';
import { dispatch, type DispatchTable, dispatchTable } from './dispatch.js';
import { ALLOW, CLOSE, FrameBudget, type FrameBudgetLimits, REFUSE, type Verdict } from './frameBudget.js';
import { handshake, type HandshakeDeps } from './handshake.js';
import { PresenceFailures } from './presenceFailures.js';
import { SocketCaps } from './socketCaps.js';
import { acceptUpgrades } from './upgrade.js';
import { checkText } from './textCheck.js';

type Deps = {
  config: Config;
  accounts: Accounts;
  lobby: Lobby;
  connections: Connections;
  moderation: Moderation;
  limits: RateLimits;
  doorkeeper: Doorkeeper;
  broker: Broker;
  geo: Geo;
  clientIp: ClientIpResolver;
  log: Logger;
  /** Several nodes: on shutdown the chats are handed over (they wait for their people on other nodes) and clients reconnect at once. */
  handOver?: boolean;
};

/** What a client that overfills a socket's queue is told to wait. */
const QUEUE_FULL_RETRY_MS = 1000;

const CLOSED: Closed = { phase: 'closed' };

export class Gateway {
  /** `error` frames sent to clients, by code (for /metrics). */
  readonly errors = new Tally();
  private readonly sockets = new Set<ClientSocket>();
  private readonly caps: SocketCaps;
  private readonly pingTimer: NodeJS.Timeout;
  private closing = false;
  private wss: WebSocketServer | undefined;
  private readonly frameLimits: FrameBudgetLimits;
  private readonly table: DispatchTable;
  private readonly handshakeDeps: HandshakeDeps;
  private readonly presenceFailures: PresenceFailures;

  constructor(private readonly deps: Deps) {
    this.presenceFailures = new PresenceFailures(deps.log);
    this.pingTimer = setInterval(() => this.pingAll(), deps.config.socket.pingIntervalMs);
    this.pingTimer.unref();
    this.frameLimits = { ...FRAME_BUDGET, burst: deps.config.socket.frameBurst, perSecond: deps.config.socket.framesPerSecond };
    this.caps = new SocketCaps(deps.config.safety);
    this.table = dispatchTable(deps);
    this.handshakeDeps = { ...deps, caps: this.caps, unsubscribe: (accountId, subscription) => this.unsubscribe(accountId, subscription) };
  }

  /** Frames answered with `bad_request` since start. */
  rejected = 0;
  /** Frames refused or dropped over a frame budget or a queue bound since start. */
  throttled = 0;

  get size(): number {
    return this.sockets.size;
  }

  register(app: FastifyInstance): void {
    this.wss = acceptUpgrades(app, (ws, request) => this.open(ws, request), () => this.closing);
  }

  private open(ws: WebSocket, request: IncomingMessage): void {
    // An upgrade that was under way when the node began to stop.
    if (this.closing) {
      ws.send(JSON.stringify(this.goodbye));
      ws.close(CLOSE_SHUTDOWN, 'shutting down');
      return;
    }
    // The IP is used here, in memory, for the country estimate and the socket cap.
    const headers = request.headers;
    const ip = this.deps.clientIp(request.socket.remoteAddress, headers);
    if (ip && !this.caps.takeIp(ip)) {
      this.errors.add('too_many_connections');
      ws.send(JSON.stringify({ type: 'error', code: 'too_many_connections', message: 'Too many open connections from your network.' } satisfies ServerFrame));
      ws.close(CLOSE_TOO_MANY, 'too many connections');
      return;
    }
    const country = trustedCountryHeader(this.deps.config.trustProxy, request.socket.remoteAddress, headers) ?? (ip ? this.deps.geo.country(ip) : undefined);
    const budget = this.deps.config.safety.rateLimits ? new FrameBudget(Date.now(), this.frameLimits) : undefined;
    const helloTimer = setTimeout(() => this.helloDeadline(socket), this.deps.config.socket.helloDeadlineMs);
    const socket = new ClientSocket(ws, request.socket, ip, country, budget, this.deps.config.socket.maxBufferedBytes, helloTimer, this.errors);
    this.accept(socket);
  }

  private helloDeadline(socket: ClientSocket): void {
    const { phase } = socket.state;
    if (phase !== 'awaitingHello' && phase !== 'authenticating') return;
    socket.error('unauthorized', 'No hello within the deadline.');
    socket.close(CLOSE_UNAUTHORIZED, 'hello deadline');
  }

  private accept(socket: ClientSocket): void {
    this.sockets.add(socket);
    const { ws } = socket;
    ws.on('message', (data, isBinary) => {
      // Closing (e.g. over budget): what the client still sends until it reads the close is ignored.
      if (ws.readyState !== WebSocket.OPEN) return;
      socket.missedPings = 0;
      if (!this.admit(socket)) return;
      if (isBinary) {
        socket.error('bad_request', 'Frames must be JSON text.');
        return;
      }
      const raw = data.toString();
      const state = socket.state;
      if (state.phase === 'authenticating') this.enqueue(socket, state, state.pending, raw);
      else this.handle(socket, raw);
    });
    ws.on('pong', () => {
      socket.missedPings = 0;
    });
    ws.on('error', () => {
      // ws closes the socket itself (e.g. 1009 for an oversized frame); 'close' follows.
    });
    ws.on('close', () => this.drop(socket));
  }

  private drop(socket: ClientSocket): void {
    const previous = socket.state;
    if (previous.phase === 'closed') return;
    socket.state = CLOSED;
    this.sockets.delete(socket);
    this.caps.releaseAccountSlot(socket);
    if (socket.ip) this.caps.releaseIp(socket.ip);
    if (previous.phase !== 'ready') {
      clearTimeout(previous.helloTimer);
      return;
    }
    this.deps.lobby.disconnect(previous.seat);
    void this.unsubscribe(previous.seat.account.id, previous.subscription);
  }

  private async unsubscribe(accountId: string, subscription: Subscription): Promise<void> {
    try {
      const { lastSocket } = await subscription.unsubscribe();
      if (!lastSocket || this.closing) return;
      await this.deps.connections.announce(accountId, false);
      this.presenceFailures.succeeded();
    } catch (err) {
      this.presenceFailures.failed(err);
    }
  }

  private async announceOnline(accountId: string): Promise<void> {
    try {
      await this.deps.connections.announce(accountId, true);
      this.presenceFailures.succeeded();
    } catch (err) {
      this.presenceFailures.failed(err);
    }
  }

  /** The frame budget, charged before a frame is parsed: false when the frame is not to be handled. */
  private admit(socket: ClientSocket): boolean {
    const budget = socket.budget;
    if (!budget) return true;
    if (socket.state.phase === 'ready') return this.charged(socket, budget, budget.frame(Date.now()));
    if (budget.beforeReady()) return true;
    this.throttled++;
    this.cutOff(socket, 'too many frames before ready');
    return false;
  }

  /** Acts on the budget's verdict: true when the frame may go on. */
  private charged(socket: ClientSocket, budget: FrameBudget, verdict: Verdict): boolean {
    if (verdict === ALLOW) return true;
    this.throttled++;
    if (verdict === REFUSE) socket.error('rate_limited', 'Too many frames; slow down.', { retryAfterMs: budget.retryAfterMs });
    else if (verdict === CLOSE) this.cutOff(socket, 'too many frames');
    return false;
  }

  /** Closed for flooding: a chat it was in ends at once (a flood is not a dropped connection to wait for). */
  private cutOff(socket: ClientSocket, reason: string): void {
    if (socket.state.phase === 'ready') this.deps.lobby.endChatOf(socket.state.seat);
    socket.close(CLOSE_POLICY, reason);
  }

  /** Frames waiting on an earlier one are bounded: past the bound, `rate_limited` once, then silence until they drain. */
  private enqueue<T>(socket: ClientSocket, state: Authenticating | Ready, queue: T[], item: T): void {
    if (queue.length < FRAME_BUDGET.queuedMax) {
      queue.push(item);
      return;
    }
    this.throttled++;
    if (state.overflowReported) return;
    state.overflowReported = true;
    socket.error('rate_limited', 'Too many frames are waiting; slow down.', { retryAfterMs: QUEUE_FULL_RETRY_MS });
  }

  /** Parses and validates one frame; valid ones are queued for dispatch. */
  private handle(socket: ClientSocket, raw: string): void {
    if (socket.state.phase === 'closed') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      this.rejected++;
      socket.error('bad_request', 'Frames must be valid JSON.');
      return;
    }
    const parsed = ClientFrame.safeParse(json);
    if (!parsed.success) {
      this.rejected++;
      socket.error('bad_request', `Malformed frame: ${firstIssue(parsed.error) ?? 'not a known message'}`);
      return;
    }
    const frame = parsed.data;
    const budget = socket.budget;
    if (budget && !this.charged(socket, budget, budget.parsed(frame, Date.now()))) return;
    if (frame.type === 'ping') {
      socket.send({ type: 'pong' });
      return;
    }
    const state = socket.state;
    if (frame.type === 'hello') {
      if (state.phase !== 'awaitingHello') {
        socket.error('bad_request', 'Already signed in on this socket.');
        return;
      }
      const authenticating: Authenticating = { phase: 'authenticating', helloTimer: state.helloTimer, pending: [], overflowReported: false };
      socket.state = authenticating;
      void this.signIn(socket, authenticating, frame.token);
      return;
    }
    if (state.phase !== 'ready') {
      socket.error('unauthorized', 'Send hello with your token first.');
      return;
    }
    const textProblem = frame.type === 'send' || frame.type === 'dm' ? checkText(frame) : undefined;
    if (textProblem) {
      socket.error(textProblem.code, textProblem.message);
      return;
    }
    if (state.draining) this.enqueue(socket, state, state.queue, frame);
    else this.run(socket, state, frame);
  }

  /** The hello; once ready, the frames that came in meanwhile are handled in order, then the account's connections hear it is online. */
  private async signIn(socket: ClientSocket, authenticating: Authenticating, token: string): Promise<void> {
    const signedIn = await handshake(socket, authenticating, token, this.handshakeDeps);
    if (!signedIn) return;
    for (const raw of signedIn.pending) this.handle(socket, raw);
    if (signedIn.firstSocket) await this.announceOnline(signedIn.ready.seat.account.id);
  }

  /**
   * Dispatches one frame. Most frames finish synchronously; one that waits on
   * the database or a limiter holds the frames behind it until it is done, so
   * a socket's frames always take effect in arrival order.
   */
  private run(socket: ClientSocket, ready: Ready, frame: ReadyFrame): void {
    let outcome: FrameOutcome | Promise<FrameOutcome>;
    try {
      outcome = dispatch(this.table, frame, ready.seat, socket);
    } catch (err) {
      this.failed(socket, frame, err);
      return;
    }
    if (!(outcome instanceof Promise)) {
      this.settle(socket, outcome);
      return;
    }
    ready.draining = true;
    outcome
      .then(
        (settled) => this.settle(socket, settled),
        (err: unknown) => this.failed(socket, frame, err),
      )
      .finally(() => {
        ready.draining = false;
        while (!ready.draining && socket.state === ready) {
          const next = ready.queue.shift();
          if (!next) break;
          this.run(socket, ready, next);
        }
        if (!ready.draining) ready.overflowReported = false;
      });
  }

  /** The frame's answer to its socket: a reply, an error, or nothing. */
  private settle(socket: ClientSocket, outcome: FrameOutcome): void {
    if (outcome.ok) {
      if (outcome.reply) socket.send(outcome.reply);
      return;
    }
    const { retryAfterMs, chatId } = outcome;
    socket.error(outcome.code, outcome.message, { ...(retryAfterMs ? { retryAfterMs } : {}), ...(chatId ? { chatId } : {}) });
  }

  /** A database error is this client's problem only: the socket and the server stay up. */
  private failed(socket: ClientSocket, frame: ReadyFrame, err: unknown): void {
    if (err instanceof Unavailable) {
      socket.error('unavailable', undefined, { retryAfterMs: err.retryAfterMs });
      return;
    }
    this.deps.log.error({ err, frame: frame.type }, 'frame failed');
    socket.error('internal', 'Something went wrong on our side; try again.');
  }

  /** Closes the sockets that signed in with revoked tokens (or all of a suspended account's), ready or still in their hello. */
  revoke({ accountId, tokenHashes, suspendedUntil: until }: Revocation): void {
    // Their chats end now, without the grace of a dropped connection.
    this.deps.lobby.endSignIns(accountId, tokenHashes);
    for (const [socket, tokenHash] of [...this.caps.socketsOf(accountId)]) {
      if (tokenHashes !== 'all' && !tokenHashes.includes(tokenHash)) continue;
      if (until) {
        socket.error('suspended', `This account is suspended until ${until}.`, { until });
        socket.close(CLOSE_SUSPENDED, 'suspended');
      } else {
        socket.error('unauthorized', 'This sign-in has ended.');
        socket.close(CLOSE_UNAUTHORIZED, 'revoked');
      }
    }
  }

  private pingAll(): void {
    for (const socket of this.sockets) {
      if (socket.missedPings >= 2) {
        socket.ws.terminate();
        continue;
      }
      socket.missedPings++;
      if (socket.ws.readyState === WebSocket.OPEN) socket.ws.ping();
    }
  }

  /** With several nodes the service stays: the client reconnects at once (to another node) and resumes. */
  private get goodbye(): ServerFrame {
    return this.deps.handOver ? { type: 'shutdown', reconnect: true } : { type: 'shutdown' };
  }

  /** Tells every client goodbye and closes its socket. */
  async shutdown(): Promise<void> {
    this.closing = true;
    clearInterval(this.pingTimer);
    this.deps.lobby.shutdown();
    const closed: Promise<void>[] = [];
    for (const socket of this.sockets) {
      socket.send(this.goodbye);
      closed.push(
        new Promise<void>((resolve) => {
          if (socket.ws.readyState === WebSocket.CLOSED) return resolve();
          socket.ws.once('close', () => resolve());
          socket.close(CLOSE_SHUTDOWN, 'server shutting down');
          setTimeout(() => {
            socket.ws.terminate();
            resolve();
          }, 2000).unref();
        }),
      );
    }
    await Promise.all(closed);
    this.wss?.close();
  }
}

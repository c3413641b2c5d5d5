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
import { FRAME_BUDGET, LIMITS } from '../../shared/limits.js';
import { ClientFrame, isTextTooLong, type ServerFrame } from '../../shared/protocol.js';
import type { Broker, Subscription } from '../broker/broker.js';
import type { Config } from '../config.js';
import type { Accounts } from '../domain/accounts.js';
import type { Connections } from '../domain/connections.js';
import type { Geo } from '../domain/geo.js';
import type { Lobby } from '../domain/lobby.js';
import type { Moderation } from '../domain/moderation.js';
import type { RateLimits } from '../domain/rateLimits.js';
import type { Revocation } from '../domain/revocations.js';
import { firstIssue } from '../zodIssue.js';
import { type ClientIpResolver, trustedCountryHeader } from '../http/clientIp.js';
import type { Store } from '../store/store.js';
import { CLOSE_POLICY, CLOSE_SHUTDOWN, CLOSE_SUSPENDED, CLOSE_TOO_MANY, CLOSE_UNAUTHORIZED, Connection, type ReadyFrame } from './connection.js';
import { dispatch, type DispatchTable, dispatchTable, type Failure } from './dispatch.js';
import { ALLOW, CLOSE, FrameBudget, type FrameBudgetLimits, REFUSE, type Verdict } from './frameBudget.js';
import { handshake, type HandshakeDeps } from './handshake.js';
import { SocketCaps } from './socketCaps.js';
import { acceptUpgrades } from './upgrade.js';

type Deps = {
  config: Config;
  accounts: Accounts;
  store: Store;
  lobby: Lobby;
  connections: Connections;
  moderation: Moderation;
  limits: RateLimits;
  broker: Broker;
  geo: Geo;
  clientIp: ClientIpResolver;
  log: Logger;
};

/** What a client that overfills a socket's queue is told to wait. */
const QUEUE_FULL_RETRY_MS = 1000;

export class Gateway {
  private readonly connections = new Set<Connection>();
  private readonly caps: SocketCaps;
  private readonly pingTimer: NodeJS.Timeout;
  private closing = false;
  private wss: WebSocketServer | undefined;
  private readonly frameLimits: FrameBudgetLimits;
  private readonly table: DispatchTable;
  private readonly handshakeDeps: HandshakeDeps;

  constructor(private readonly deps: Deps) {
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
    return this.connections.size;
  }

  register(app: FastifyInstance): void {
    this.wss = acceptUpgrades(app, (ws, request) => this.open(ws, request));
  }

  private open(ws: WebSocket, request: IncomingMessage): void {
    if (this.closing) {
      ws.send(JSON.stringify({ type: 'shutdown' } satisfies ServerFrame));
      ws.close(CLOSE_SHUTDOWN, 'shutting down');
      return;
    }
    // The IP is used here, in memory, for the country estimate and the socket cap.
    const headers = request.headers;
    const ip = this.deps.clientIp(request.socket.remoteAddress, headers);
    if (ip && !this.caps.takeIp(ip)) {
      ws.send(JSON.stringify({ type: 'error', code: 'too_many_connections', message: 'Too many open connections from your network.' } satisfies ServerFrame));
      ws.close(CLOSE_TOO_MANY, 'too many connections');
      return;
    }
    const country = trustedCountryHeader(this.deps.config.trustProxy, request.socket.remoteAddress, headers) ?? (ip ? this.deps.geo.country(ip) : undefined);
    this.accept(new Connection(ws, ip, country, this.deps.config.socket.maxBufferedBytes));
  }

  private accept(conn: Connection): void {
    this.connections.add(conn);
    const { ws } = conn;
    if (this.deps.config.safety.rateLimits) conn.budget = new FrameBudget(Date.now(), this.frameLimits);
    conn.helloTimer = setTimeout(() => {
      if (conn.phase === 'hello' || conn.phase === 'authenticating') {
        conn.error('unauthorized', 'No hello within the deadline.');
        conn.close(CLOSE_UNAUTHORIZED, 'hello deadline');
      }
    }, this.deps.config.socket.helloDeadlineMs);
    ws.on('message', (data, isBinary) => {
      // Closing (e.g. over budget): what the client still sends until it reads the close is ignored.
      if (ws.readyState !== WebSocket.OPEN) return;
      conn.missedPings = 0;
      if (!this.admit(conn)) return;
      if (isBinary) {
        conn.error('bad_request', 'Frames must be JSON text.');
        return;
      }
      const raw = data.toString();
      if (conn.phase === 'authenticating') this.enqueue(conn, (conn.pending ??= []), raw);
      else this.handle(conn, raw);
    });
    ws.on('pong', () => {
      conn.missedPings = 0;
    });
    ws.on('error', () => {
      // ws closes the socket itself (e.g. 1009 for an oversized frame); 'close' follows.
    });
    ws.on('close', () => this.drop(conn));
  }

  private drop(conn: Connection): void {
    if (conn.phase === 'closed') return;
    conn.phase = 'closed';
    clearTimeout(conn.helloTimer);
    this.connections.delete(conn);
    if (conn.slotOf) this.caps.releaseAccountSlot(conn.slotOf);
    conn.slotOf = undefined;
    if (conn.ip) this.caps.releaseIp(conn.ip);
    if (conn.session) this.deps.lobby.disconnect(conn.session);
    if (conn.subscription && conn.session) void this.unsubscribe(conn.session.account.id, conn.subscription);
  }

  private async unsubscribe(accountId: string, subscription: Subscription): Promise<void> {
    try {
      const { lastSocket } = await subscription.unsubscribe();
      if (lastSocket && !this.closing) await this.deps.connections.announce(accountId, false);
    } catch (err) {
      this.deps.log.error({ err }, 'presence update failed');
    }
  }

  private async announceOnline(accountId: string): Promise<void> {
    try {
      await this.deps.connections.announce(accountId, true);
    } catch (err) {
      this.deps.log.error({ err }, 'presence update failed');
    }
  }

  /** The frame budget, charged before a frame is parsed: false when the frame is not to be handled. */
  private admit(conn: Connection): boolean {
    const budget = conn.budget;
    if (!budget) return true;
    if (conn.phase === 'ready') return this.charged(conn, budget, budget.frame(Date.now()));
    if (budget.beforeReady()) return true;
    this.throttled++;
    conn.close(CLOSE_POLICY, 'too many frames before ready');
    return false;
  }

  /** Acts on the budget's verdict: true when the frame may go on. */
  private charged(conn: Connection, budget: FrameBudget, verdict: Verdict): boolean {
    if (verdict === ALLOW) return true;
    this.throttled++;
    if (verdict === REFUSE) conn.error('rate_limited', 'Too many frames; slow down.', { retryAfterMs: budget.retryAfterMs });
    else if (verdict === CLOSE) conn.close(CLOSE_POLICY, 'too many frames');
    return false;
  }

  /** Frames waiting on an earlier one are bounded: past the bound, `rate_limited` once, then silence until they drain. */
  private enqueue<T>(conn: Connection, queue: T[], item: T): void {
    if (queue.length < FRAME_BUDGET.queuedMax) {
      queue.push(item);
      return;
    }
    this.throttled++;
    if (conn.overflowReported) return;
    conn.overflowReported = true;
    conn.error('rate_limited', 'Too many frames are waiting; slow down.', { retryAfterMs: QUEUE_FULL_RETRY_MS });
  }

  /** Parses and validates one frame; valid ones are queued for dispatch. */
  private handle(conn: Connection, raw: string): void {
    if (conn.phase === 'closed') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      this.rejected++;
      conn.error('bad_request', 'Frames must be valid JSON.');
      return;
    }
    const parsed = ClientFrame.safeParse(json);
    if (!parsed.success) {
      this.rejected++;
      conn.error('bad_request', `Malformed frame: ${firstIssue(parsed.error) ?? 'not a known message'}`);
      return;
    }
    const frame = parsed.data;
    const budget = conn.budget;
    if (budget && !this.charged(conn, budget, budget.parsed(frame, Date.now()))) return;
    if (frame.type === 'ping') {
      conn.send({ type: 'pong' });
      return;
    }
    if (frame.type === 'hello') {
      if (conn.phase !== 'hello') {
        conn.error('bad_request', 'Already signed in on this socket.');
        return;
      }
      void this.signIn(conn, frame.token);
      return;
    }
    if (conn.phase !== 'ready') {
      conn.error('unauthorized', 'Send hello with your token first.');
      return;
    }
    if ((frame.type === 'send' || frame.type === 'dm') && isTextTooLong(frame.text)) {
      conn.error('too_long', `Messages are at most ${LIMITS.textMax} characters.`);
      return;
    }
    if (conn.draining) this.enqueue(conn, (conn.queue ??= []), frame);
    else this.run(conn, frame);
  }

  /** The hello; once ready, the frames that came in meanwhile are handled in order, then the account's connections hear it is online. */
  private async signIn(conn: Connection, token: string): Promise<void> {
    const signedIn = await handshake(conn, token, this.handshakeDeps);
    if (!signedIn || !conn.session) return;
    const pending = conn.pending;
    conn.pending = undefined;
    conn.overflowReported = false;
    if (pending) for (const raw of pending) this.handle(conn, raw);
    if (signedIn.firstSocket) await this.announceOnline(conn.session.account.id);
  }

  /**
   * Dispatches one frame. Most frames finish synchronously; one that waits on
   * the database or a limiter holds the frames behind it until it is done, so
   * a socket's frames always take effect in arrival order.
   */
  private run(conn: Connection, frame: ReadyFrame): void {
    let outcome: Failure | Promise<Failure>;
    try {
      outcome = dispatch(this.table, { session: conn.session!, ip: conn.ip, send: (reply) => conn.send(reply) }, frame);
    } catch (err) {
      this.failed(conn, frame, err);
      return;
    }
    if (!(outcome instanceof Promise)) {
      if (outcome) this.report(conn, outcome);
      return;
    }
    conn.draining = true;
    outcome
      .then(
        (failure) => failure && this.report(conn, failure),
        (err: unknown) => this.failed(conn, frame, err),
      )
      .finally(() => {
        conn.draining = false;
        const queue = conn.queue;
        while (!conn.draining && conn.phase !== 'closed' && queue && queue.length > 0) this.run(conn, queue.shift()!);
        if (!conn.draining) conn.overflowReported = false;
      });
  }

  private report(conn: Connection, failure: NonNullable<Failure>): void {
    conn.error(failure.code, failure.message, failure.retryAfterMs ? { retryAfterMs: failure.retryAfterMs } : {});
  }

  /** A database error is this client's problem only: the socket and the server stay up. */
  private failed(conn: Connection, frame: ReadyFrame, err: unknown): void {
    this.deps.log.error({ err, frame: frame.type }, 'frame failed');
    conn.error('internal', 'Something went wrong on our side; try again.');
  }

  /** Closes the sockets that signed in with revoked tokens (or all of a suspended account's). */
  revoke({ accountId, tokenHashes, suspendedUntil: until }: Revocation): void {
    for (const session of [...this.deps.lobby.sessionsOf(accountId)]) {
      const conn = session.peer;
      if (!(conn instanceof Connection)) continue;
      if (tokenHashes !== 'all' && (!conn.tokenHash || !tokenHashes.includes(conn.tokenHash))) continue;
      if (until) {
        conn.error('suspended', `This account is suspended until ${until}.`, { until });
        conn.close(CLOSE_SUSPENDED, 'suspended');
      } else {
        conn.error('unauthorized', 'This sign-in has ended.');
        conn.close(CLOSE_UNAUTHORIZED, 'revoked');
      }
    }
  }

  private pingAll(): void {
    for (const conn of this.connections) {
      if (conn.missedPings >= 2) {
        conn.ws.terminate();
        continue;
      }
      conn.missedPings++;
      if (conn.ws.readyState === WebSocket.OPEN) conn.ws.ping();
    }
  }

  /** Tells every client goodbye and closes its socket. */
  async shutdown(): Promise<void> {
    this.closing = true;
    clearInterval(this.pingTimer);
    this.deps.lobby.shutdown();
    const closed: Promise<void>[] = [];
    for (const conn of this.connections) {
      conn.send({ type: 'shutdown' });
      closed.push(
        new Promise<void>((resolve) => {
          if (conn.ws.readyState === WebSocket.CLOSED) return resolve();
          conn.ws.once('close', () => resolve());
          conn.close(CLOSE_SHUTDOWN, 'server shutting down');
          setTimeout(() => {
            conn.ws.terminate();
            resolve();
          }, 2000).unref();
        }),
      );
    }
    await Promise.all(closed);
    this.wss?.close();
  }
}

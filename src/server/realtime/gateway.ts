/**
 * The socket gateway for /ws: hello and auth, frame size and shape checks,
 * dispatch to the chat core, liveness pings, and the goodbye on shutdown.
 * Domain code only ever sees frames that passed the zod schema.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import { LIMITS } from '../../shared/limits.js';
import { ClientFrame, isTextTooLong, type ServerFrame } from '../../shared/protocol.js';
import type { Broker, Subscription } from '../broker/broker.js';
import type { Config } from '../config.js';
import { toMe, type Accounts } from '../domain/accounts.js';
import type { Connections, FrameResult } from '../domain/connections.js';
import type { Geo } from '../domain/geo.js';
import type { Revocation } from '../domain/revocations.js';
import type { Lobby } from '../domain/lobby.js';
import { hashSecret, newId } from '../domain/secrets.js';
import { AppError } from '../errors.js';
import { type ClientIpResolver, trustedCountryHeader } from '../http/clientIp.js';
import { type Peer, Session } from './peer.js';

export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_SHUTDOWN = 1001;
export const CLOSE_TOO_SLOW = 4408;

type Phase = 'hello' | 'authenticating' | 'ready' | 'closed';

type Deps = {
  config: Config;
  accounts: Accounts;
  lobby: Lobby;
  connections: Connections;
  broker: Broker;
  geo: Geo;
  clientIp: ClientIpResolver;
  log: Logger;
};

/** One open socket, from upgrade to close. */
class Connection implements Peer {
  phase: Phase = 'hello';
  session: Session | undefined;
  missedPings = 0;
  /** Frames that arrived while the hello was being checked; handled in order after `ready`. */
  pending: string[] = [];
  helloTimer: NodeJS.Timeout | undefined;
  subscription: Subscription | undefined;
  /** Hash of the token this socket signed in with, so revoking it closes the socket. */
  tokenHash: string | undefined;
  /** Frames whose handling waits on the database run one after another, in arrival order. */
  work: Promise<void> = Promise.resolve();

  constructor(
    readonly ws: WebSocket,
    readonly country: string | undefined,
    private readonly maxBufferedBytes: number,
  ) {}

  send(frame: ServerFrame): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    // A client that does not read must not grow our memory: cut it off.
    if (this.ws.bufferedAmount > this.maxBufferedBytes) {
      this.ws.close(CLOSE_TOO_SLOW, 'not reading');
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

function describeIssue(error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> }): string {
  const issue = error.issues[0];
  if (!issue) return 'Malformed frame.';
  const where = issue.path.length > 0 ? issue.path.map(String).join('.') : 'frame';
  return `Malformed frame: ${where}: ${issue.message}`;
}

export class Gateway {
  private readonly connections = new Set<Connection>();
  private readonly pingTimer: NodeJS.Timeout;
  private closing = false;

  constructor(private readonly deps: Deps) {
    this.pingTimer = setInterval(() => this.pingAll(), deps.config.socket.pingIntervalMs);
    this.pingTimer.unref();
  }

  get size(): number {
    return this.connections.size;
  }

  register(app: FastifyInstance): void {
    app.get('/ws', { websocket: true }, (ws, request) => {
      if (this.closing) {
        ws.send(JSON.stringify({ type: 'shutdown' } satisfies ServerFrame));
        ws.close(CLOSE_SHUTDOWN, 'shutting down');
        return;
      }
      // The IP is used here, in memory, for the country estimate, and then dropped.
      const headers = request.raw.headers;
      const ip = this.deps.clientIp(request.raw.socket.remoteAddress, headers);
      const country = trustedCountryHeader(this.deps.config.trustProxy, headers) ?? (ip ? this.deps.geo.country(ip) : undefined);
      this.accept(new Connection(ws, country, this.deps.config.socket.maxBufferedBytes));
    });
  }

  private accept(conn: Connection): void {
    this.connections.add(conn);
    const { ws } = conn;
    conn.helloTimer = setTimeout(() => {
      if (conn.phase === 'hello' || conn.phase === 'authenticating') {
        conn.error('unauthorized', 'No hello within the deadline.');
        conn.close(CLOSE_UNAUTHORIZED, 'hello deadline');
      }
    }, this.deps.config.socket.helloDeadlineMs);
    ws.on('message', (data, isBinary) => {
      conn.missedPings = 0;
      if (isBinary) {
        conn.error('bad_request', 'Frames must be JSON text.');
        return;
      }
      const raw = data.toString();
      if (conn.phase === 'authenticating') conn.pending.push(raw);
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

  /** Runs a database-bound frame after the ones before it; failures are `internal` for this client only. */
  private enqueue(conn: Connection, task: () => Promise<FrameResult | void>): void {
    conn.work = conn.work.then(async () => {
      if (conn.phase === 'closed') return;
      try {
        const result = await task();
        if (result?.reply) conn.send(result.reply);
        if (result?.error) conn.error(result.error.code, result.error.message);
      } catch (err) {
        this.deps.log.error({ err: { name: (err as Error)?.name, message: (err as Error)?.message } }, 'frame failed');
        conn.error('internal', 'Something went wrong on our side; try again.');
      }
    });
  }

  private handle(conn: Connection, raw: string): void {
    if (conn.phase === 'closed') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      conn.error('bad_request', 'Frames must be valid JSON.');
      return;
    }
    const parsed = ClientFrame.safeParse(json);
    if (!parsed.success) {
      conn.error('bad_request', describeIssue(parsed.error));
      return;
    }
    const frame = parsed.data;
    if (frame.type === 'ping') {
      conn.send({ type: 'pong' });
      return;
    }
    if (frame.type === 'hello') {
      if (conn.phase !== 'hello') {
        conn.error('bad_request', 'Already signed in on this socket.');
        return;
      }
      void this.hello(conn, frame.token);
      return;
    }
    const session = conn.session;
    if (conn.phase !== 'ready' || !session) {
      conn.error('unauthorized', 'Send hello with your token first.');
      return;
    }
    if ((frame.type === 'send' || frame.type === 'dm') && isTextTooLong(frame.text)) {
      conn.error('too_long', `Messages are at most ${LIMITS.textMax} characters.`);
      return;
    }
    const lobby = this.deps.lobby;
    let failure: { code: string; message: string } | undefined;
    switch (frame.type) {
      case 'find':
        failure = lobby.find(session, frame);
        break;
      case 'cancel':
        lobby.cancel(session);
        break;
      case 'send':
        failure = lobby.send(session, frame);
        break;
      case 'typing':
        failure = lobby.typing(session, frame);
        break;
      case 'leave':
        failure = lobby.leave(session, frame);
        break;
      case 'reveal':
        failure = lobby.reveal(session, frame);
        break;
      case 'connect': {
        const accountId = session.account.id;
        this.enqueue(conn, () => this.deps.connections.request(accountId, frame.chatId));
        break;
      }
      case 'dm': {
        const accountId = session.account.id;
        this.enqueue(conn, () => this.deps.connections.dm(accountId, frame));
        break;
      }
      case 'read': {
        const accountId = session.account.id;
        this.enqueue(conn, () => this.deps.connections.read(accountId, frame.ids));
        break;
      }
      default:
        failure = { code: 'bad_request', message: `"${frame.type}" is not available on this server yet.` };
    }
    if (failure) conn.error(failure.code, failure.message);
  }

  private async hello(conn: Connection, token: string): Promise<void> {
    conn.phase = 'authenticating';
    try {
      const account = await this.deps.accounts.authenticate(token);
      if (conn.phase !== 'authenticating') return;
      clearTimeout(conn.helloTimer);
      conn.tokenHash = hashSecret(token);
      conn.session = new Session(newId(), account, conn.country, conn);
      const subscription = await this.deps.broker.subscribe(account.id, (frame) => conn.send(frame));
      if (conn.phase !== 'authenticating') {
        await this.unsubscribe(account.id, subscription);
        return;
      }
      conn.subscription = subscription;
      const messages = await this.deps.connections.inbox(account.id);
      if (conn.phase !== 'authenticating') return;
      conn.phase = 'ready';
      conn.send({ type: 'ready', account: toMe(account) });
      conn.send({ type: 'inbox', messages });
      if (subscription.firstSocket) await this.deps.connections.announce(account.id, true);
      const pending = conn.pending;
      conn.pending = [];
      for (const raw of pending) this.handle(conn, raw);
    } catch (err) {
      if (conn.phase !== 'authenticating') return;
      conn.phase = 'hello';
      if (err instanceof AppError && err.code === 'unauthorized') {
        conn.error('unauthorized', 'The token is invalid or has been revoked.');
        conn.close(CLOSE_UNAUTHORIZED, 'unauthorized');
      } else {
        this.deps.log.error({ err }, 'hello failed');
        conn.error('internal', 'Something went wrong on our side; try again.');
        conn.close(1011, 'internal');
      }
    }
  }

  /** Closes the sockets that signed in with revoked tokens. */
  revoke({ accountId, tokenHashes }: Revocation): void {
    for (const conn of this.connections) {
      if (conn.session?.account.id !== accountId) continue;
      if (tokenHashes !== 'all' && (!conn.tokenHash || !tokenHashes.includes(conn.tokenHash))) continue;
      conn.error('unauthorized', 'This sign-in has ended.');
      conn.close(CLOSE_UNAUTHORIZED, 'revoked');
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
  }
}

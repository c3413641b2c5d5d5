/**
 * The hello: from a token to a ready socket, in one async function. The
 * socket can close at any await, so each await is followed by one check of
 * it; what was taken before (a socket slot, a subscription, a seat in the
 * lobby) is given back in one place when the socket does not become ready.
 */
import type { Logger } from 'pino';
import type { Broker, Subscription } from '../broker/broker.js';
import { suspendedUntil, toMe, type Accounts } from '../domain/accounts.js';
import type { Connections } from '../domain/connections.js';
import type { Lobby } from '../domain/lobby.js';
import type { Moderation } from '../domain/moderation.js';
import { hashSecret, newId } from '../domain/secrets.js';
import { AppError } from '../errors.js';
import { type Authenticating, CLOSE_SUSPENDED, CLOSE_TOO_MANY, CLOSE_TRY_AGAIN_LATER, CLOSE_UNAUTHORIZED, type ClientSocket, type Ready } from './clientSocket.js';
import { Unavailable } from '../domain/unavailable.js';
import { Seat } from '../domain/chat.js';
import type { SocketCaps } from './socketCaps.js';

export type HandshakeDeps = {
  accounts: Accounts;
  broker: Broker;
  connections: Connections;
  lobby: Lobby;
  moderation: Moderation;
  caps: SocketCaps;
  log: Logger;
  /** Gives a subscription back (and says the account is offline if it was its last). */
  unsubscribe(accountId: string, subscription: Subscription): Promise<void>;
};

/** A socket that just became ready: the frames it sent meanwhile, and whether it is the account's first. */
export type Handshaken = { ready: Ready; pending: readonly string[]; firstSocket: boolean };

/** What a hello holds until the socket is ready. */
type Held = { accountId?: string; subscription?: Subscription; seat?: Seat };

/** Runs the hello of a socket in `authenticating`; undefined when the socket did not become ready (it is closed or closing). */
export async function handshake(socket: ClientSocket, authenticating: Authenticating, token: string, deps: HandshakeDeps): Promise<Handshaken | undefined> {
  const held: Held = {};
  try {
    const done = await signIn(socket, authenticating, token, deps, held);
    if (done) return done;
  } catch (err) {
    if (!socket.closed) refuse(socket, err, deps.log);
  }
  await giveBack(socket, held, deps);
  return undefined;
}

async function signIn(socket: ClientSocket, authenticating: Authenticating, token: string, deps: HandshakeDeps, held: Held): Promise<Handshaken | undefined> {
  const { accounts, broker, connections, lobby, moderation, caps } = deps;
  const account = await accounts.authenticate(token);
  if (socket.closed) return undefined;
  const until = suspendedUntil(account);
  if (until) {
    socket.error('suspended', `This account is suspended until ${until}.`, { until });
    socket.close(CLOSE_SUSPENDED, 'suspended');
    return undefined;
  }
  const tokenHash = hashSecret(token);
  if (!caps.takeAccountSlot(socket, account.id, tokenHash)) {
    socket.error('too_many_connections', 'This account has too many open connections; close a tab.');
    socket.close(CLOSE_TOO_MANY, 'too many connections');
    return undefined;
  }
  clearTimeout(authenticating.helloTimer);

  const blocked = await moderation.blockedPairsOf(account.id);
  if (socket.closed) return undefined;

  held.accountId = account.id;
  held.subscription = await broker.subscribe(account.id, (frame) => socket.send(frame));
  if (socket.closed) return undefined;

  held.seat = new Seat(newId(), account, socket.country, socket, blocked, tokenHash);
  lobby.attach(held.seat);
  const messages = await connections.inbox(account.id);
  if (socket.closed) return undefined;

  const ready: Ready = { phase: 'ready', seat: held.seat, subscription: held.subscription, queue: [], draining: false, overflowReported: false };
  socket.state = ready;
  socket.send({ type: 'ready', account: toMe(account) });
  socket.send({ type: 'inbox', messages });
  return { ready, pending: authenticating.pending, firstSocket: held.subscription.firstSocket };
}

function refuse(socket: ClientSocket, err: unknown, log: Logger): void {
  if (err instanceof AppError && err.code === 'unauthorized') {
    socket.error('unauthorized', 'The token is invalid or has been revoked.');
    socket.close(CLOSE_UNAUTHORIZED, 'unauthorized');
  } else if (err instanceof Unavailable) {
    // The database (or Redis) is away: a retryable answer, and the close code for "try again later".
    socket.error('unavailable', undefined, { retryAfterMs: err.retryAfterMs });
    socket.close(CLOSE_TRY_AGAIN_LATER, 'unavailable');
  } else {
    log.error({ err }, 'hello failed');
    socket.error('internal', 'Something went wrong on our side; try again.');
    socket.close(1011, 'internal');
  }
}

async function giveBack(socket: ClientSocket, held: Held, deps: HandshakeDeps): Promise<void> {
  deps.caps.releaseAccountSlot(socket);
  if (held.seat) deps.lobby.disconnect(held.seat);
  if (held.accountId && held.subscription) await deps.unsubscribe(held.accountId, held.subscription);
}

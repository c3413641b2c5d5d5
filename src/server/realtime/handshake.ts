/**
 * The hello: from a token to a ready socket. One async function; the socket
 * can close at any await, so each await is followed by one check of it, and
 * whatever was taken before that await is given back there.
 */
import type { Logger } from 'pino';
import type { Broker, Subscription } from '../broker/broker.js';
import { suspendedUntil, toMe, type Accounts } from '../domain/accounts.js';
import type { Connections } from '../domain/connections.js';
import type { Lobby } from '../domain/lobby.js';
import { hashSecret, newId } from '../domain/secrets.js';
import { AppError } from '../errors.js';
import type { Store } from '../store/store.js';
import { CLOSE_SUSPENDED, CLOSE_TOO_MANY, CLOSE_UNAUTHORIZED, type Connection } from './connection.js';
import { Session } from './peer.js';
import type { SocketCaps } from './socketCaps.js';

export type HandshakeDeps = {
  accounts: Accounts;
  broker: Broker;
  connections: Connections;
  lobby: Lobby;
  store: Store;
  caps: SocketCaps;
  log: Logger;
  /** Gives a subscription back (and says the account is offline if it was its last). */
  unsubscribe(accountId: string, subscription: Subscription): Promise<void>;
};

/** Signed in: whether this is the account's first socket (its connections are to be told it is online). */
export type Handshaken = { firstSocket: boolean };

export async function handshake(conn: Connection, token: string, deps: HandshakeDeps): Promise<Handshaken | undefined> {
  const { accounts, broker, connections, lobby, store, caps } = deps;
  conn.phase = 'authenticating';
  try {
    const account = await accounts.authenticate(token);
    if (conn.closed) return undefined;
    const until = suspendedUntil(account);
    if (until) {
      conn.error('suspended', `This account is suspended until ${until}.`, { until });
      conn.close(CLOSE_SUSPENDED, 'suspended');
      return undefined;
    }
    if (!caps.takeAccountSlot(account.id)) {
      conn.error('too_many_connections', 'This account has too many open connections; close a tab.');
      conn.close(CLOSE_TOO_MANY, 'too many connections');
      return undefined;
    }
    conn.slotOf = account.id;
    clearTimeout(conn.helloTimer);
    conn.helloTimer = undefined;
    conn.tokenHash = hashSecret(token);

    const blocked = await store.blockedPairsOf(account.id);
    if (conn.closed) return undefined;

    const subscription = await broker.subscribe(account.id, (frame) => conn.send(frame));
    if (conn.closed) {
      await deps.unsubscribe(account.id, subscription);
      return undefined;
    }
    const session = new Session(newId(), account, conn.country, conn, blocked);
    conn.session = session;
    conn.subscription = subscription;
    lobby.attach(session);

    // From here a close is undone by the gateway's drop (it sees the session and subscription).
    const messages = await connections.inbox(account.id);
    if (conn.closed) return undefined;

    conn.phase = 'ready';
    conn.send({ type: 'ready', account: toMe(account) });
    conn.send({ type: 'inbox', messages });
    return { firstSocket: subscription.firstSocket };
  } catch (err) {
    if (conn.closed) return undefined;
    if (conn.slotOf) {
      caps.releaseAccountSlot(conn.slotOf);
      conn.slotOf = undefined;
    }
    conn.phase = 'hello';
    if (err instanceof AppError && err.code === 'unauthorized') {
      conn.error('unauthorized', 'The token is invalid or has been revoked.');
      conn.close(CLOSE_UNAUTHORIZED, 'unauthorized');
    } else {
      deps.log.error({ err }, 'hello failed');
      conn.error('internal', 'Something went wrong on our side; try again.');
      conn.close(1011, 'internal');
    }
    return undefined;
  }
}

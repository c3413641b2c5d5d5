import type { ServerFrame } from '../../shared/protocol.js';

export type Listener = (frame: ServerFrame) => void;

export type Subscription = { readonly firstSocket: boolean; unsubscribe(): Promise<{ lastSocket: boolean }> };

/**
 * One socket's registration with a broker; `unsubscribe` acts once (later
 * calls answer `lastSocket: false`). A small object per held socket rather
 * than a closure and its context: it lives as long as the socket.
 */
export class SocketSubscription implements Subscription {
  private done = false;

  constructor(
    readonly firstSocket: boolean,
    private readonly accountId: string,
    private readonly listener: Listener,
    /** The broker's own release, shared by all its subscriptions. */
    private readonly release: (accountId: string, listener: Listener) => Promise<{ lastSocket: boolean }>,
  ) {}

  async unsubscribe(): Promise<{ lastSocket: boolean }> {
    if (this.done) return { lastSocket: false };
    this.done = true;
    return this.release(this.accountId, this.listener);
  }
}

/**
 * What crosses from one person's sockets to another's: frames addressed to an
 * account (connections, presence, offline-message delivery) and who is
 * online. The in-process broker is the default; a Redis broker implements the
 * same interface for several nodes.
 */
export interface Broker {
  /** Delivers a frame to every open socket of the account, wherever it is. */
  publish(accountId: string, frame: ServerFrame): void;
  /**
   * Like publish, for a frame whose acknowledgement must be true (a live dm):
   * resolves true once a socket of the account here got it or a node holding
   * one received it, false when none holds the account; rejects with
   * `Unavailable` when it cannot be handed on.
   */
  deliver(accountId: string, frame: ServerFrame): Promise<boolean>;
  /**
   * Registers one socket of an account. Returns whether this made the account
   * online (its first socket anywhere) and a function to unregister, which
   * resolves whether that made it offline (its last socket).
   */
  subscribe(accountId: string, listener: Listener): Promise<Subscription>;
  online(accountId: string): Promise<boolean>;
  /**
   * How many nodes held the account's sockets when last seen (this one
   * included; 1 on a single node). Synchronous, for the message rate's hot
   * path: each node grants its share of the account's rate.
   */
  nodesHolding(accountId: string): number;
  close(): Promise<void>;
}

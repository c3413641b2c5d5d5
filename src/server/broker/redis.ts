/**
 * The broker for several nodes: frames addressed to an account travel over
 * Redis pub/sub (one channel per account, subscribed while a node holds one
 * of its sockets); presence is a sorted set per account of the nodes holding
 * it, each entry expiring unless its node keeps refreshing it, so a crashed
 * node's people go offline by themselves. Nodes drop their own echoes.
 */
import type { Redis } from 'ioredis';
import type { ServerFrame } from '../../shared/protocol.js';
import { NodeBus } from '../cluster/nodeBus.js';
import { Unavailable } from '../domain/unavailable.js';
import { type Broker, type Listener, SocketSubscription, type Subscription } from './broker.js';
import { AccountListeners } from './listeners.js';

const PREFIX = 'metsony:';
const channelOf = (accountId: string) => `${PREFIX}acct:${accountId}`;
const presenceOf = (accountId: string) => `${PREFIX}presence:${accountId}`;

/** How long a node's presence entry lives without a refresh unless told otherwise (NODE_TTL_MS's default). */
export const DEFAULT_PRESENCE_TTL_MS = 30_000;

/** Adds this node; returns how many other live nodes hold the account. */
const JOIN = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local others = redis.call('ZCARD', KEYS[1])
if redis.call('ZSCORE', KEYS[1], ARGV[3]) then others = others - 1 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return others`;

/** Removes this node; returns how many live nodes still hold the account. */
const LEAVE = `
redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
return redis.call('ZCARD', KEYS[1])`;

export class RedisBroker implements Broker {
  private readonly listeners = new AccountListeners();
  /** Accounts held here that another node holds too: how many nodes, as of the last join or refresh. */
  private readonly holders = new Map<string, number>();
  private readonly client: Redis;
  private readonly nodeId: string;
  /** A crashed node's people go offline this long after its last refresh; it refreshes at each heartbeat (a third of it). */
  private readonly presenceTtlMs: number;

  /** `ownsBus`: close the bus with the broker (a broker opened on its own, by `connect`). */
  constructor(
    private readonly bus: NodeBus,
    private readonly ownsBus = false,
  ) {
    this.client = bus.client;
    this.nodeId = bus.nodeId;
    this.presenceTtlMs = bus.ttlMs;
    bus.onMessage(`${PREFIX}acct:`, (channel, payload) => this.receive(channel, payload));
    // Keeps this node's presence entries alive.
    bus.onBeat(() => this.announce());
  }

  /** A broker with a node bus of its own (tests of the Broker contract). */
  static async connect(url: string, presenceTtlMs = DEFAULT_PRESENCE_TTL_MS): Promise<RedisBroker> {
    return new RedisBroker(await NodeBus.open(url, presenceTtlMs), true);
  }

  publish(accountId: string, frame: ServerFrame): void {
    const json = JSON.stringify(frame);
    this.listeners.deliver(accountId, frame);
    // Other nodes holding this account deliver it there; our own echo is dropped on arrival.
    void this.client.publish(channelOf(accountId), `${this.nodeId}|${json}`).catch(() => undefined);
  }

  async deliver(accountId: string, frame: ServerFrame): Promise<boolean> {
    if (this.listeners.has(accountId)) {
      this.publish(accountId, frame);
      return true;
    }
    const receivers = await this.command(() => this.client.publish(channelOf(accountId), `${this.nodeId}|${JSON.stringify(frame)}`));
    return receivers > 0;
  }

  /** A command whose answer matters: while Redis is away it fails at once, as `Unavailable`. */
  private async command<T>(run: () => Promise<T>): Promise<T> {
    if (this.client.status !== 'ready') throw new Unavailable('Redis');
    try {
      return await run();
    } catch (err) {
      throw new Unavailable('Redis', undefined, { cause: err });
    }
  }

  async subscribe(accountId: string, listener: Listener): Promise<Subscription> {
    const firstHere = this.listeners.add(accountId, listener);
    let firstSocket = false;
    if (firstHere) {
      await this.bus.subscribe(channelOf(accountId));
      const now = Date.now();
      const others = Number(
        await this.client.eval(JOIN, 1, presenceOf(accountId), now, now + this.presenceTtlMs, this.nodeId, this.presenceTtlMs),
      );
      firstSocket = others === 0;
      this.countHolders(accountId, others + 1);
    }
    return new SocketSubscription(firstSocket, accountId, listener, this.release);
  }

  private readonly release = async (accountId: string, listener: Listener): Promise<{ lastSocket: boolean }> => {
    if (!this.listeners.remove(accountId, listener)) return { lastSocket: false };
    this.holders.delete(accountId);
    await this.bus.unsubscribe(channelOf(accountId));
    const left = Number(await this.client.eval(LEAVE, 1, presenceOf(accountId), Date.now(), this.nodeId));
    return { lastSocket: left === 0 };
  };

  async online(accountId: string): Promise<boolean> {
    if (this.listeners.has(accountId)) return true;
    return (await this.command(() => this.client.zcount(presenceOf(accountId), Date.now(), '+inf'))) > 0;
  }

  nodesHolding(accountId: string): number {
    return this.holders.get(accountId) ?? 1;
  }

  private countHolders(accountId: string, nodes: number): void {
    if (nodes > 1 && this.listeners.has(accountId)) this.holders.set(accountId, nodes);
    else this.holders.delete(accountId);
  }

  async close(): Promise<void> {
    const accounts = [...this.listeners.accounts()];
    this.listeners.clear();
    if (accounts.length > 0) {
      const pipeline = this.client.pipeline();
      for (const id of accounts) pipeline.zrem(presenceOf(id), this.nodeId);
      await pipeline.exec().catch(() => undefined);
    }
    if (this.ownsBus) await this.bus.close();
  }

  private receive(channel: string, payload: string): void {
    const bar = payload.indexOf('|');
    if (bar < 0 || payload.slice(0, bar) === this.nodeId) return;
    const accountId = channel.slice(`${PREFIX}acct:`.length);
    let frame: ServerFrame;
    try {
      frame = JSON.parse(payload.slice(bar + 1)) as ServerFrame;
    } catch {
      return;
    }
    this.listeners.deliver(accountId, frame);
  }

  /**
   * Writes this node's presence entry for every account it holds: each
   * heartbeat, and at once when Redis is back after an outage (whose data may
   * be gone). Rejects when Redis fails.
   */
  async announce(): Promise<void> {
    if (this.listeners.size === 0) return;
    const now = Date.now();
    const accounts = [...this.listeners.accounts()];
    const pipeline = this.client.pipeline();
    for (const id of accounts) {
      pipeline.zadd(presenceOf(id), now + this.presenceTtlMs, this.nodeId);
      pipeline.pexpire(presenceOf(id), this.presenceTtlMs);
      pipeline.zcount(presenceOf(id), now, '+inf');
    }
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
    accounts.forEach((id, i) => this.countHolders(id, Number(results[i * 3 + 2]?.[1] ?? 1)));
  }
}

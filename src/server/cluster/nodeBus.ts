/**
 * One node's link to the others through Redis: its one identity (`nodeId`),
 * its two connections (commands and PUBLISH; SUBSCRIBE), its one heartbeat
 * and its one subscriber. The broker (presence, account channels) and the
 * cluster's chats and search queue (node channels) all go through it.
 *
 * The heartbeat keeps `metsony:alive:<nodeId>` for NODE_TTL_MS and runs the
 * tasks the others gave it, every third of that. Another node is judged dead
 * only after this node has been connected for a whole NODE_TTL_MS: its own
 * outage proves nothing about the others.
 *
 * What a turn of the event loop says to one node goes in one PUBLISH (a
 * batch), in order, once the turn ends: one Redis command and one message to
 * parse instead of one per chat frame. A node sends batches only to a node
 * that said it reads them (`b` on its envelopes), so a rolling upgrade can run
 * old and new nodes side by side; to every node at once, it sends them one by one.
 */
import { Redis } from 'ioredis';
import { newId } from '../domain/secrets.js';
import { Unavailable } from '../domain/unavailable.js';
import type { NodeMessage, NodeMessageOf } from './nodeMessages.js';

const aliveKey = (node: string) => `metsony:alive:${node}`;
const nodeChannel = (node: string) => `metsony:node:${node}`;
/** Every node listens here too. */
const ALL_NODES = 'metsony:nodes';
/** How long a question to another node may go unanswered before it counts as a no. */
const ASK_TIMEOUT_MS = 3000;
/** At most this many items in one batch: a longer turn's words go in several. */
const MAX_BATCH = 256;

type Route = { prefix: string; handle: (channel: string, payload: string) => void };
/** What one node says to another: a message, a question (`ask`: its id) or the answer to one. */
type Item = { ask?: string; m: NodeMessage } | { answer: string; yes: boolean };
/**
 * On the wire: one item, or several in order (`batch`). `b: 1` says the sender reads
 * batches; a node older than batches sends neither, and is sent items one by one.
 */
type Envelope = (Item & { from: string; b?: 1 }) | { from: string; batch: Item[] };
/** An item waiting for the end of the turn; `sent` learns how many nodes received it (or why it was not sent). */
type Outgoing = { item: Item; sent?: (receivers: number | Error) => void };
/** A handler of one type of message; for a question, what it returns is the answer. */
type Handler<T extends NodeMessage['t']> = (message: NodeMessageOf<T>, from: string) => boolean | void;

export class NodeBus {
  private readonly routes: Route[] = [];
  private readonly beats: Array<() => Promise<void>> = [];
  private readonly handlers = new Map<string, (message: NodeMessage, from: string) => boolean | void>();
  private readonly questions = new Map<string, (yes: boolean) => void>();
  /** Per destination (a node, or 'all'), what this turn has said there so far, in order. */
  private readonly outbox = new Map<string, Outgoing[]>();
  private flushing: NodeJS.Immediate | undefined;
  /** Nodes that said they read batches. */
  private readonly batchReaders = new Set<string>();
  /** A handler threw on a message from another node: the rest of its batch still runs, a question is answered no. */
  onHandlerError: (err: unknown, type: string) => void = () => {};
  private readonly heartbeat: NodeJS.Timeout;
  /** Since when both connections have been up without a break; undefined while one is down. */
  private connectedSince: number | undefined = Date.now();

  private constructor(
    /** Commands and PUBLISH. */
    readonly client: Redis,
    /** SUBSCRIBE only (a subscribed connection can do nothing else). */
    private readonly subscriber: Redis,
    /** NODE_TTL_MS: a node silent this long counts as dead; its alive key and presence entries live this long without a beat. */
    readonly ttlMs: number,
    readonly nodeId: string,
  ) {
    subscriber.on('message', (channel: string, payload: string) => this.dispatch(channel, payload));
    for (const c of [client, subscriber]) c.on('close', () => (this.connectedSince = undefined));
    this.onMessage('metsony:node', (channel, payload) => this.receive(channel, payload));
    this.heartbeat = setInterval(() => void this.beat(), Math.max(100, Math.floor(ttlMs / 3)));
    this.heartbeat.unref();
  }

  static async open(url: string, ttlMs: number, nodeId = newId()): Promise<NodeBus> {
    const options = { lazyConnect: true, maxRetriesPerRequest: 3, enableAutoPipelining: true };
    const client = new Redis(url, options);
    const subscriber = new Redis(url, { ...options, enableAutoPipelining: false });
    // ioredis reconnects by itself; a failure surfaces on the command that needed it.
    for (const c of [client, subscriber]) c.on('error', () => {});
    await Promise.all([client.connect(), subscriber.connect()]);
    const bus = new NodeBus(client, subscriber, ttlMs, nodeId);
    await client.set(aliveKey(nodeId), '1', 'PX', ttlMs);
    await subscriber.subscribe(nodeChannel(nodeId), ALL_NODES);
    return bus;
  }

  /** Both Redis connections (for health and outage logging). */
  get connections(): Redis[] {
    return [this.client, this.subscriber];
  }

  /** Messages on channels starting with `prefix` go to `handle` (once subscribed). */
  onMessage(prefix: string, handle: (channel: string, payload: string) => void): void {
    this.routes.push({ prefix, handle });
  }

  private dispatch(channel: string, payload: string): void {
    for (const r of this.routes) if (channel.startsWith(r.prefix)) return r.handle(channel, payload);
  }

  async subscribe(...channels: string[]): Promise<void> {
    await this.subscriber.subscribe(...channels);
  }

  async unsubscribe(channel: string): Promise<void> {
    await this.subscriber.unsubscribe(channel);
  }

  /** Who handles messages of type `t` from other nodes (one handler per type). */
  handle<T extends NodeMessage['t']>(t: T, handler: Handler<T>): void {
    // The map is keyed on `t`, so a message reaches only the handler of its own type.
    this.handlers.set(t, (message, from) => handler(message as NodeMessageOf<T>, from));
  }

  /** Says something to another node (or to all), without waiting to know that it arrived. */
  post(node: string | 'all', message: NodeMessage): void {
    this.send(node, { item: { m: message } });
  }

  /** Hands a message to another node: resolves once that node received it, else rejects with `Unavailable`. */
  async deliver(node: string, message: NodeMessage): Promise<void> {
    // While Redis is away, fail at once instead of queueing behind the reconnection.
    if (this.client.status !== 'ready') throw new Unavailable('the chat relay');
    const receivers = await new Promise<number | Error>((sent) => this.send(node, { item: { m: message }, sent }));
    if (receivers instanceof Error) throw new Unavailable('the chat relay', undefined, { cause: receivers });
    if (receivers === 0) throw new Unavailable('the chat relay');
  }

  /** Asks another node a yes-or-no question; no answer within ASK_TIMEOUT_MS is a no. */
  ask(node: string, message: NodeMessage): Promise<boolean> {
    const id = newId();
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => settle(false), ASK_TIMEOUT_MS);
      const settle = (yes: boolean) => {
        clearTimeout(timer);
        this.questions.delete(id);
        resolve(yes);
      };
      this.questions.set(id, settle);
      this.send(node, { item: { ask: id, m: message }, sent: (receivers) => (receivers === 0 || receivers instanceof Error) && settle(false) });
    });
  }

  /** Queues an item for the end of this turn (or sends the destination's queue now, once it is full). */
  private send(node: string | 'all', out: Outgoing): void {
    let queue = this.outbox.get(node);
    if (!queue) this.outbox.set(node, (queue = []));
    queue.push(out);
    if (queue.length >= MAX_BATCH) {
      this.outbox.delete(node);
      this.publish(node, queue);
      return;
    }
    this.flushing ??= setImmediate(() => this.flush());
  }

  /** The turn is over: what it said goes out, per destination, in order. */
  private flush(): void {
    this.flushing = undefined;
    const outbox = [...this.outbox];
    this.outbox.clear();
    for (const [node, queue] of outbox) this.publish(node, queue);
  }

  private publish(node: string | 'all', queue: Outgoing[]): void {
    const channel = node === 'all' ? ALL_NODES : nodeChannel(node);
    const settle = (outs: Outgoing[], receivers: number | Error) => {
      for (const out of outs) out.sent?.(receivers);
    };
    if (queue.length > 1 && this.batchReaders.has(node)) {
      this.client.publish(channel, JSON.stringify({ from: this.nodeId, batch: queue.map((o) => o.item) })).then(
        (receivers) => settle(queue, receivers),
        (err: unknown) => settle(queue, err instanceof Error ? err : new Error(String(err))),
      );
      return;
    }
    for (const out of queue) {
      this.client.publish(channel, JSON.stringify({ ...out.item, from: this.nodeId, b: 1 })).then(
        (receivers) => out.sent?.(receivers),
        (err: unknown) => out.sent?.(err instanceof Error ? err : new Error(String(err))),
      );
    }
  }

  private receive(channel: string, payload: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload) as Envelope;
    } catch {
      return;
    }
    // Our own words to every node come back to us too.
    if (channel === ALL_NODES && envelope.from === this.nodeId) return;
    if ('batch' in envelope) {
      if (!Array.isArray(envelope.batch)) return;
      this.batchReaders.add(envelope.from);
      for (const item of envelope.batch) this.take(envelope.from, item);
      return;
    }
    if (envelope.b === 1) this.batchReaders.add(envelope.from);
    this.take(envelope.from, envelope);
  }

  private take(from: string, item: Item): void {
    if ('answer' in item) {
      this.questions.get(item.answer)?.(item.yes);
      return;
    }
    // A message of a kind this node does not know (a newer node's) is left alone.
    const handler = item.m && this.handlers.get(item.m.t);
    let yes: boolean | void = false;
    try {
      yes = handler?.(item.m, from);
    } catch (err) {
      this.onHandlerError(err, item.m.t);
    }
    if (item.ask !== undefined) this.send(from, { item: { answer: item.ask, yes: yes === true } });
  }

  /** A task for every heartbeat (its failures wait for the next beat). */
  onBeat(task: () => Promise<void>): void {
    this.beats.push(task);
  }

  /** Whether this node may judge another dead from a missing heartbeat: connected for a whole NODE_TTL_MS. */
  get mayJudge(): boolean {
    return this.connectedSince !== undefined && Date.now() - this.connectedSince >= this.ttlMs;
  }

  async alive(node: string): Promise<boolean> {
    return (await this.client.exists(aliveKey(node))) > 0;
  }

  private async beat(): Promise<void> {
    await this.client.set(aliveKey(this.nodeId), '1', 'PX', this.ttlMs).catch(() => undefined);
    for (const task of this.beats) await task().catch(() => undefined);
  }

  /**
   * Redis is back after an outage (its data may be gone): once the subscriber
   * has re-subscribed (a ping answered after it), be alive again. Rejects if
   * Redis fails again meanwhile.
   */
  async recover(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    await this.subscriber.ping();
    await this.client.set(aliveKey(this.nodeId), '1', 'PX', this.ttlMs);
    this.connectedSince = Date.now();
  }

  /** Stops the heartbeat and says this node is gone; the connections stay for what is still to be said. */
  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    await this.client.del(aliveKey(this.nodeId)).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.flushing) clearImmediate(this.flushing);
    this.flush();
    await this.stop();
    this.subscriber.disconnect();
    await this.client.quit().catch(() => undefined);
  }
}

/**
 * Matching and live chats across nodes (REDIS_URL). The search queue lives in
 * Redis and is changed only by atomic scripts (sharedQueueScripts.ts), so a
 * person is claimed by one node at most. When the partner found is on another
 * node, the finder offers the chat to that node, which accepts only if its
 * person is still searching; then each node holds its own person and a proxy
 * of the other, and chat frames cross over the nodes' Redis channels.
 *
 * A chat whose person on another node dropped out waits on the node of the
 * person who stayed (awayChats.ts); its membership, never its text, is in
 * Redis for the grace (`metsony:resume:<chatId>`) so that a `resume` on any
 * node finds it. A node that stops hands its chats over the same way.
 */
import type { Redis } from 'ioredis';
import type { ServerFrame } from '../../shared/protocol.js';
import type { Seeker } from '../domain/matching.js';
import { commonInterests } from '../domain/matching.js';
import type { Away } from '../domain/awayChats.js';
import type { Revocation } from '../domain/revocations.js';
import { newId } from '../domain/secrets.js';
import { type Chat, partnerIn, type Peer, Seat } from '../domain/chat.js';
import { Unavailable } from '../domain/unavailable.js';
import { DONE, type FrameOutcome, refuse } from '../errors.js';
import { FIND, PUT, REMOVE, WIDEN } from './sharedQueueScripts.js';

const PREFIX = 'metsony:mq:';
const nodeChannel = (node: string) => `metsony:node:${node}`;
/** Every node listens here: revoked sign-ins, whose sockets may be anywhere. */
const ALL_NODES = 'metsony:nodes';
/** Each node's count of people online (`count:expiresAt`), refreshed with its heartbeat: the sum is what searchers see. */
const ONLINE_COUNTS = 'metsony:online';
/** A node is alive while this key exists; it refreshes it every third of its lifetime. */
const aliveKey = (node: string) => `metsony:alive:${node}`;
/** How many candidates one search looks at, per interest and in the wait-ordered pools. */
const SCAN_LIMIT = 200;
/** A queue entry whose node never refreshes it disappears after this long (a crashed node's searchers). */
const ENTRY_TTL_MS = 10 * 60_000;
/** How long an offer to another node may go unanswered before it counts as refused. */
const OFFER_TIMEOUT_MS = 3000;
const MAX_ATTEMPTS = 5;
/** A chat waiting for someone who dropped out: who may resume it, and where it is held. */
const resumeKey = (chatId: string) => `metsony:resume:${chatId}`;
const claimKey = (chatId: string) => `metsony:resume-claim:${chatId}`;
/** How long a node that lost the claim to take over a handed-over chat waits for the winner to say where it is. */
const CLAIM_WAIT_MS = 1000;

type Member = { account: string; nickname: string };
/** A person's seat on a node, enough to make a proxy of it. */
type SeatRef = Member & { node: string; key: string };
/**
 * `holder`: the node and seat of the person who stayed; unset when a node that
 * stopped handed over a chat between two of its own people (the first to come
 * back, anywhere, becomes the holder). `away`: who may resume it.
 */
type Waiting = { holder?: SeatRef; away: Member[]; common: string[] };

type Entry = {
  key: string;
  node: string;
  account: string;
  nickname: string;
  interests: string[];
  country: string;
  near: boolean;
  blocked: string[];
  since: number;
  wide: boolean;
};

type NodeMessage =
  | { t: 'revoke'; from: string; revocation: Revocation }
  | { t: 'offer'; chatId: string; to: string; from: Entry; common: string[] }
  | { t: 'answer'; chatId: string; accepted: boolean }
  | { t: 'frame'; to: string; frame: ServerFrame }
  | { t: 'resume'; chatId: string; to: string; from: SeatRef }
  /** After an outage: is `to` still in that chat? If not, `back` (on `node`) is told it ended. */
  | { t: 'check'; chatId: string; to: string; node: string; back: string };

/** What cross-node matching needs of this node's lobby. */
export interface LocalLobby {
  /** A seat of this node, by id. */
  seat(id: string): Seat | undefined;
  pair(a: Seat, b: Seat, commonInterests: string[], chatId?: string): void;
  /** People with a socket open on this node. */
  readonly localOnlineCount: number;
  endedElsewhere(seat: Seat, chatId: string): void;
  partnerAway(seat: Seat, chatId: string): Away | undefined;
  resumeFor(seat: Seat, chatId: string, accountId: string, side: Seat): boolean;
  joinResumed(seat: Seat, side: Seat, commonInterests: string[], chatId: string): void;
  resumeAlone(seat: Seat, side: Seat, commonInterests: string[], chatId: string): Away | undefined;
}

/** The other person of a handed-over chat before they come back: nothing reaches them. */
const NOBODY: Peer = { kind: 'remote', send: () => {} };

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

function parseEntry(raw: string): Entry {
  const e = JSON.parse(raw) as Entry;
  return { ...e, interests: list(e.interests), blocked: list(e.blocked) };
}

/** The other person of a cross-node chat, as this node sees them: frames for them go to their node. */
class RemotePeer implements Peer {
  readonly kind = 'remote';

  constructor(
    private readonly link: SharedMatching,
    readonly node: string,
    readonly key: string,
  ) {}

  relay(frame: ServerFrame): Promise<void> {
    return this.link.deliver(this.node, { t: 'frame', to: this.key, frame });
  }

  send(frame: ServerFrame): void {
    // Each node tells its own person they were matched.
    if (frame.type === 'matched') return;
    // Our shutdown is not theirs: to them, we just went away.
    const out: ServerFrame = frame.type === 'ended' && frame.reason === 'shutdown' ? { ...frame, reason: 'partner_disconnected' } : frame;
    if (frame.type === 'ended' || frame.type === 'partner_away') this.link.forgetChat(frame.chatId);
    this.link.post(this.node, { t: 'frame', to: this.key, frame: out });
  }
}

export class SharedMatching {
  private readonly waiting = new Map<string, { seat: Seat; entry: Entry; timer: NodeJS.Timeout | undefined }>();
  private readonly offers = new Map<string, (accepted: boolean) => void>();
  private lobby!: LocalLobby;
  /** Chats with a person on another node: chatId → our person, and their node and seat there. */
  private readonly crossChats = new Map<string, { seat: Seat; node: string; key: string }>();
  /** Cross-node chats to re-check with the other node since an outage (their end may have been lost meanwhile). */
  private readonly unchecked = new Set<string>();
  /**
   * Since when both connections have been up without a break; undefined while
   * one is down. Another node is judged dead only after this node has been
   * connected for a whole NODE_TTL_MS: its own outage proves nothing.
   */
  private connectedSince: number | undefined = Date.now();
  private readonly heartbeat: NodeJS.Timeout;
  private onRevoked: (revocation: Revocation) => void = () => {};
  /** The other nodes' people online at the last heartbeat. */
  private othersOnline = 0;

  private constructor(
    private readonly client: Redis,
    private readonly subscriber: Redis,
    private readonly widenAfterMs: number,
    private readonly nodeTtlMs: number,
    /** The node's identity: its broker's (heartbeat key, node channel, queue entries). */
    readonly nodeId: string,
  ) {
    subscriber.on('message', (_channel: string, payload: string) => this.receive(payload));
    for (const c of [client, subscriber]) c.on('close', () => (this.connectedSince = undefined));
    // Stay known as alive, and end chats whose other node has died.
    this.heartbeat = setInterval(() => void this.beat(), Math.max(100, Math.floor(nodeTtlMs / 3)));
    this.heartbeat.unref();
  }

  static async start(client: Redis, options: { widenAfterMs: number; nodeTtlMs: number; nodeId: string }): Promise<SharedMatching> {
    const subscriber = client.duplicate();
    // A duplicate gets none of the original's listeners: without one, ioredis prints each failed reconnect.
    subscriber.on('error', () => {});
    const shared = new SharedMatching(client, subscriber, options.widenAfterMs, options.nodeTtlMs, options.nodeId);
    await client.set(aliveKey(shared.nodeId), '1', 'PX', options.nodeTtlMs);
    await subscriber.subscribe(nodeChannel(shared.nodeId), ALL_NODES);
    return shared;
  }

  /** People online on every node: this node's now, the others' as of the last heartbeat. */
  get onlineCount(): number {
    return this.lobby.localOnlineCount + this.othersOnline;
  }

  /** Publishes this node's count and sums the others' that have not expired (a dead node's drop out). */
  private async countOnline(): Promise<void> {
    const now = Date.now();
    const replies = await this.client
      .multi()
      .hset(ONLINE_COUNTS, this.nodeId, `${this.lobby.localOnlineCount}:${now + this.nodeTtlMs}`)
      .hgetall(ONLINE_COUNTS)
      .exec();
    const all = (replies?.[1]?.[1] ?? {}) as Record<string, string>;
    let others = 0;
    for (const [node, value] of Object.entries(all)) {
      if (node === this.nodeId) continue;
      const [count, expires] = value.split(':').map(Number);
      if (expires !== undefined && expires > now) others += count ?? 0;
      else void this.client.hdel(ONLINE_COUNTS, node).catch(() => undefined);
    }
    this.othersOnline = others;
  }

  private async beat(): Promise<void> {
    try {
      await this.client.set(aliveKey(this.nodeId), '1', 'PX', this.nodeTtlMs);
      await this.checkChats();
      if (this.connectedSince === undefined || Date.now() - this.connectedSince < this.nodeTtlMs) return;
      await this.countOnline();
      const nodes = [...new Set([...this.crossChats.values()].map((c) => c.node))];
      for (const node of nodes) {
        if (!(await this.client.exists(aliveKey(node)))) this.lostNode(node);
      }
    } catch {
      // Redis trouble: try again at the next beat.
    }
  }

  /** That node stopped its heartbeat (kill -9): its people's chats wait here for them, as for any drop. */
  private lostNode(node: string): void {
    for (const [chatId, chat] of this.crossChats) {
      if (chat.node !== node) continue;
      this.forgetChat(chatId);
      if (chat.seat.chat?.id !== chatId) continue;
      this.waitHere(this.lobby.partnerAway(chat.seat, chatId));
    }
  }


  /**
   * Redis is back after an outage (its data may be gone): be alive again,
   * put this node's searchers back in the queue, and re-check its cross-node
   * chats with the other nodes. Rejects if Redis fails again meanwhile.
   */
  async recover(): Promise<void> {
    // The subscriber re-subscribes on reconnect; a ping answered after that proves it is done.
    await new Promise((resolve) => setImmediate(resolve));
    await this.subscriber.ping();
    await this.client.set(aliveKey(this.nodeId), '1', 'PX', this.nodeTtlMs);
    this.connectedSince = Date.now();
    for (const chatId of this.crossChats.keys()) this.unchecked.add(chatId);
    for (const { seat, entry } of [...this.waiting.values()]) void this.attempt(seat, entry, FIND, 0);
    await this.checkChats();
  }

  /** Asks the other node of each unchecked chat whether its person is still in it; a node not listening yet is asked again at the next beat. */
  private async checkChats(): Promise<void> {
    for (const chatId of [...this.unchecked]) {
      const chat = this.crossChats.get(chatId);
      if (!chat) {
        this.unchecked.delete(chatId);
        continue;
      }
      const message: NodeMessage = { t: 'check', chatId, to: chat.key, node: this.nodeId, back: chat.seat.id };
      if ((await this.client.publish(nodeChannel(chat.node), JSON.stringify(message))) > 0) this.unchecked.delete(chatId);
    }
  }

  /** `onRevoked` closes this node's sockets for a sign-in revoked on another node. */
  attach(lobby: LocalLobby, onRevoked: (revocation: Revocation) => void): void {
    this.lobby = lobby;
    this.onRevoked = onRevoked;
  }

  /** Tells the other nodes that a sign-in ended (log out, new code, deletion, suspension). */
  broadcastRevocation(revocation: Revocation): void {
    void this.client.publish(ALL_NODES, JSON.stringify({ t: 'revoke', from: this.nodeId, revocation } satisfies NodeMessage)).catch(() => undefined);
  }

  get size(): number {
    return this.waiting.size;
  }

  search(seat: Seat, seeker: Seeker): void {
    const entry: Entry = {
      key: seat.id,
      node: this.nodeId,
      account: seeker.accountId,
      nickname: seat.account.nickname,
      interests: [...seeker.interests],
      country: seeker.country ?? '',
      near: seeker.near,
      blocked: [...(seat.blocked ?? [])],
      since: seeker.since,
      wide: seeker.interests.size === 0,
    };
    void this.attempt(seat, entry, FIND, 0);
  }

  /** The person cancelled, matched elsewhere on this node, or left. */
  leave(seat: Seat): void {
    const waiting = this.waiting.get(seat.id);
    if (!waiting) return;
    clearTimeout(waiting.timer);
    this.waiting.delete(seat.id);
    // If someone claimed them meanwhile, their offer will find them no longer searching and be refused.
    void this.client.eval(REMOVE, 0, PREFIX, seat.id).catch(() => undefined);
  }

  keepApart(a: string, b: string, ms: number): void {
    void this.client
      .multi()
      .set(`${PREFIX}recent:${a}`, b, 'PX', ms)
      .set(`${PREFIX}recent:${b}`, a, 'PX', ms)
      .exec()
      .catch(() => undefined);
  }

  /** The Redis connection this class opened itself (for health and outage logging). */
  get connections(): Redis[] {
    return [this.subscriber];
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    await this.client.del(aliveKey(this.nodeId)).catch(() => undefined);
    await this.client.hdel(ONLINE_COUNTS, this.nodeId).catch(() => undefined);
    for (const seat of [...this.waiting.values()].map((w) => w.seat)) this.leave(seat);
    this.subscriber.disconnect();
  }

  forgetChat(chatId: string): void {
    this.crossChats.delete(chatId);
    this.unchecked.delete(chatId);
  }

  /** Hands a message to another node: resolves once that node received it, else rejects with `Unavailable`. */
  async deliver(node: string, message: NodeMessage): Promise<void> {
    // While Redis is away, fail at once instead of queueing behind the reconnection.
    if (this.client.status !== 'ready') throw new Unavailable('the chat relay');
    let receivers: number;
    try {
      receivers = await this.client.publish(nodeChannel(node), JSON.stringify(message));
    } catch (err) {
      throw new Unavailable('the chat relay', undefined, { cause: err });
    }
    if (receivers === 0) throw new Unavailable('the chat relay');
  }

  post(node: string, message: NodeMessage): void {
    void this.client.publish(nodeChannel(node), JSON.stringify(message)).catch(() => undefined);
  }

  private async attempt(seat: Seat, entry: Entry, script: string, tries: number): Promise<void> {
    let found: string | null;
    try {
      found = (await this.client.eval(script, 0, PREFIX, JSON.stringify(entry), SCAN_LIMIT, ENTRY_TTL_MS)) as string | null;
    } catch {
      // Redis trouble: the person stays searching here; recovery (or a later widen) asks again.
      if (seat.searching && !seat.chat) this.wait(seat, entry);
      return;
    }
    if (!seat.searching || seat.chat) {
      // They left while we asked: give back whoever we claimed, and take them out of the queue.
      if (found && found !== 'gone') this.requeue(parseEntry(found));
      void this.client.eval(REMOVE, 0, PREFIX, entry.key).catch(() => undefined);
      return;
    }
    if (found === 'gone') return; // claimed by another node: its offer is on the way
    if (!found) {
      this.wait(seat, entry);
      return;
    }
    const partner = parseEntry(found);
    this.waiting.delete(seat.id);
    if (await this.startWith(seat, entry, partner)) return;
    if (tries + 1 < MAX_ATTEMPTS && seat.searching) await this.attempt(seat, entry, FIND, tries + 1);
  }

  /** Queued: widen after a while, like the in-process matchmaker. */
  private wait(seat: Seat, entry: Entry): void {
    const previous = this.waiting.get(seat.id);
    clearTimeout(previous?.timer);
    const timer = entry.wide
      ? undefined
      : setTimeout(() => {
          const waiting = this.waiting.get(seat.id);
          if (waiting?.seat !== seat) return;
          void this.attempt(seat, { ...entry, wide: true }, WIDEN, 0);
        }, this.widenAfterMs);
    timer?.unref();
    this.waiting.set(seat.id, { seat, entry, timer });
  }

  private async startWith(seat: Seat, me: Entry, partner: Entry): Promise<boolean> {
    const common = commonInterests(toSeeker(me), toSeeker(partner));
    if (partner.node === this.nodeId) {
      const local = this.lobby.seat(partner.key);
      if (!local || !local.searching || local.chat) return false;
      this.forget(local);
      this.lobby.pair(seat, local, common);
      return true;
    }
    const chatId = newId();
    const accepted = await this.ask(chatId, partner.node, { t: 'offer', chatId, to: partner.key, from: me, common });
    if (!accepted) return false;
    if (!seat.searching || seat.chat) {
      // We left while they said yes: end it for them at once.
      this.post(partner.node, { t: 'frame', to: partner.key, frame: { type: 'ended', chatId, reason: 'partner_disconnected' } });
      return true;
    }
    this.crossChats.set(chatId, { seat, node: partner.node, key: partner.key });
    this.lobby.pair(seat, this.proxy(partner), common, chatId);
    return true;
  }

  private proxy(entry: Entry): Seat {
    return new Seat(entry.key, { id: entry.account, nickname: entry.nickname, interests: entry.interests }, undefined, new RemotePeer(this, entry.node, entry.key));
  }

  private proxyOf(ref: SeatRef): Seat {
    return new Seat(ref.key, { id: ref.account, nickname: ref.nickname, interests: [] }, undefined, new RemotePeer(this, ref.node, ref.key));
  }

  /** A chat now waits here for a person of another node; whichever node they come back to finds it for their `resume`. */
  private waitHere(away: Away | undefined): void {
    if (!away) return;
    const stayed = partnerIn(away.chat, away.seat);
    const waiting: Waiting = {
      holder: { node: this.nodeId, key: stayed.id, account: stayed.account.id, nickname: stayed.account.nickname },
      away: [{ account: away.seat.account.id, nickname: away.seat.account.nickname }],
      common: [...away.chat.commonInterests],
    };
    this.remember(away.chat.id, waiting, away.until - Date.now());
  }

  /** Shutdown: a chat between two people of this node waits in Redis for the first of them to come back anywhere. */
  keep(chat: Chat, graceMs: number): void {
    const away = [chat.a, chat.b].map((s) => ({ account: s.account.id, nickname: s.account.nickname }));
    this.remember(chat.id, { away, common: [...chat.commonInterests] }, graceMs);
  }

  private remember(chatId: string, waiting: Waiting, ttlMs: number): void {
    if (ttlMs <= 0) return;
    void this.client.set(resumeKey(chatId), JSON.stringify(waiting), 'PX', ttlMs).catch(() => undefined);
  }

  /** `resume` of a chat that this node does not hold. */
  async resume(seat: Seat, chatId: string): Promise<FrameOutcome> {
    let waiting: Waiting | undefined;
    let ttlMs: number;
    try {
      const [raw, ttl] = await Promise.all([this.client.get(resumeKey(chatId)), this.client.pttl(resumeKey(chatId))]);
      waiting = raw ? (JSON.parse(raw) as Waiting) : undefined;
      ttlMs = ttl;
    } catch {
      return refuse('unavailable', undefined, { retryAfterMs: 1000 });
    }
    const me = waiting?.away.find((m) => m.account === seat.account.id);
    if (!waiting || !me || seat.chat) return refuse('not_in_chat');
    if (!waiting.holder) return this.takeOver(seat, chatId, waiting, ttlMs);
    const holder = waiting.holder;
    if (holder.node === this.nodeId) return refuse('not_in_chat');
    this.lobby.joinResumed(seat, this.proxyOf(holder), waiting.common, chatId);
    this.crossChats.set(chatId, { seat, node: holder.node, key: holder.key });
    const from: SeatRef = { node: this.nodeId, key: seat.id, account: seat.account.id, nickname: seat.account.nickname };
    if (await this.ask(chatId, holder.node, { t: 'resume', chatId, to: holder.key, from })) return DONE;
    this.crossChats.delete(chatId);
    this.lobby.endedElsewhere(seat, chatId);
    return refuse('not_in_chat');
  }

  /** The first of two people of a stopped node to come back holds their chat here, and waits for the other. */
  private async takeOver(seat: Seat, chatId: string, waiting: Waiting, ttlMs: number): Promise<FrameOutcome> {
    const other = waiting.away.find((m) => m.account !== seat.account.id);
    if (!other || ttlMs <= 0) return refuse('not_in_chat');
    const claimed = await this.client.set(claimKey(chatId), this.nodeId, 'PX', ttlMs, 'NX').catch(() => null);
    if (!claimed) {
      // Both came back at once on two nodes: the other one holds it; ask again once it says where.
      const deadline = Date.now() + CLAIM_WAIT_MS;
      while (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        const raw = await this.client.get(resumeKey(chatId)).catch(() => null);
        if (raw && (JSON.parse(raw) as Waiting).holder) return this.resume(seat, chatId);
      }
      return refuse('not_in_chat');
    }
    if (seat.chat) return refuse('not_in_chat');
    const gone = new Seat(newId(), { id: other.account, nickname: other.nickname, interests: [] }, undefined, NOBODY);
    this.waitHere(this.lobby.resumeAlone(seat, gone, waiting.common, chatId));
    return DONE;
  }

  /** Sends a request to another node and waits (bounded) for its yes or no. */
  private ask(chatId: string, node: string, message: NodeMessage): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.offers.delete(chatId);
        resolve(false);
      }, OFFER_TIMEOUT_MS);
      this.offers.set(chatId, (ok) => {
        clearTimeout(timer);
        this.offers.delete(chatId);
        resolve(ok);
      });
      this.post(node, message);
    });
  }

  private forget(seat: Seat): void {
    const waiting = this.waiting.get(seat.id);
    clearTimeout(waiting?.timer);
    this.waiting.delete(seat.id);
  }

  /** Put back someone we claimed but cannot use (our person left meanwhile). */
  private requeue(entry: Entry): void {
    if (entry.node !== this.nodeId) {
      void this.client.eval(PUT, 0, PREFIX, JSON.stringify(entry), 0, ENTRY_TTL_MS).catch(() => undefined);
      return;
    }
    const local = this.lobby.seat(entry.key);
    if (local?.searching && !local.chat) void this.attempt(local, entry, FIND, 0);
  }

  private receive(payload: string): void {
    let message: NodeMessage;
    try {
      message = JSON.parse(payload) as NodeMessage;
    } catch {
      return;
    }
    if (message.t === 'revoke') {
      if (message.from !== this.nodeId) this.onRevoked(message.revocation);
    } else if (message.t === 'answer') {
      this.offers.get(message.chatId)?.(message.accepted);
    } else if (message.t === 'offer') {
      const seat = this.lobby.seat(message.to);
      const accepted = !!seat && seat.searching && !seat.chat;
      this.post(message.from.node, { t: 'answer', chatId: message.chatId, accepted });
      if (seat && accepted) {
        this.forget(seat);
        this.crossChats.set(message.chatId, { seat, node: message.from.node, key: message.from.key });
        this.lobby.pair(seat, this.proxy(parseEntry(JSON.stringify(message.from))), message.common, message.chatId);
      }
    } else if (message.t === 'resume') {
      const seat = this.lobby.seat(message.to);
      const accepted = !!seat && this.lobby.resumeFor(seat, message.chatId, message.from.account, this.proxyOf(message.from));
      if (seat && accepted) this.crossChats.set(message.chatId, { seat, node: message.from.node, key: message.from.key });
      this.post(message.from.node, { t: 'answer', chatId: message.chatId, accepted });
    } else if (message.t === 'check') {
      if (this.lobby.seat(message.to)?.chat?.id === message.chatId) return;
      this.post(message.node, { t: 'frame', to: message.back, frame: { type: 'ended', chatId: message.chatId, reason: 'partner_disconnected' } });
    } else if (message.t === 'frame') {
      const seat = this.lobby.seat(message.to);
      const frame = message.frame;
      // A chat's frames reach only a person still in it (never a message after its end).
      if (!seat || ('chatId' in frame && seat.chat?.id !== frame.chatId)) return;
      if (frame.type === 'partner_away') {
        // Their person dropped out: the chat waits here, with ours.
        this.forgetChat(frame.chatId);
        this.waitHere(this.lobby.partnerAway(seat, frame.chatId));
        return;
      }
      if (frame.type === 'ended') {
        this.forgetChat(frame.chatId);
        this.lobby.endedElsewhere(seat, frame.chatId);
      }
      seat.send(frame);
    }
  }
}

function toSeeker(e: Entry): Seeker {
  return { key: e.key, accountId: e.account, interests: new Set(e.interests), near: e.near, country: e.country || undefined, since: e.since };
}

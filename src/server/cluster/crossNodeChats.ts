/**
 * Live chats across nodes (REDIS_URL). The search queue (redisSearchQueue.ts)
 * pairs two people; when they are on two nodes each node holds its own person
 * and a proxy of the other, and chat frames cross over the node bus.
 *
 * A chat whose person on another node dropped out waits on the node of the
 * person who stayed (awayChats.ts); its membership, never its text, is in
 * Redis for the grace (`metsony:resume:<chatId>`) so that a `resume` on any
 * node finds it. A node that stops hands its chats over the same way.
 */
import type { ServerFrame } from '../../shared/protocol.js';
import type { Away } from '../domain/awayChats.js';
import { type Chat, partnerIn, type Peer, Seat } from '../domain/chat.js';
import type { LocalLobby, OtherNodes } from '../domain/lobbyNodeSide.js';
import type { Seeker } from '../domain/searchQueue.js';
import { newId } from '../domain/secrets.js';
import { DONE, type FrameOutcome, refuse } from '../errors.js';
import type { NodeBus } from './nodeBus.js';
import type { NodeMessageOf, QueueEntry, SeatRef } from './nodeMessages.js';

/** Each node's count of people online (`count:expiresAt`), refreshed with its heartbeat: the sum is what searchers see. */
const ONLINE_COUNTS = 'metsony:online';
/** A chat waiting for someone who dropped out: who may resume it, and where it is held. */
const resumeKey = (chatId: string) => `metsony:resume:${chatId}`;
const claimKey = (chatId: string) => `metsony:resume-claim:${chatId}`;
/**
 * How long a resume waits for the other nodes to catch up with it: a node that lost the claim to
 * take over a handed-over chat, for the winner to say where it is; a resume that reached a node
 * before the stopping node's `partner_away` did, for that notice. Generous: on a busy machine a
 * node can take seconds to get to it, and meanwhile the person would lose the chat.
 */
const CLAIM_WAIT_MS = 3000;
/** Between two asks of a holding node that did not know yet that its chat waits. */
const ASK_AGAIN_MS = 50;

type Member = { account: string; nickname: string };
/**
 * `holder`: the node and seat of the person who stayed; unset when a node that
 * stopped handed over a chat between two of its own people (the first to come
 * back, anywhere, becomes the holder). `away`: who may resume it.
 */
type Waiting = { holder?: SeatRef; away: Member[]; common: string[] };

/** The other person of a handed-over chat before they come back: nothing reaches them. */
const NOBODY: Peer = { kind: 'remote', send: () => {} };

/** The other person of a cross-node chat, as this node sees them: frames for them go to their node. */
class RemotePeer implements Peer {
  readonly kind = 'remote';

  constructor(
    private readonly chats: CrossNodeChats,
    readonly node: string,
    readonly key: string,
  ) {}

  relay(frame: ServerFrame): Promise<void> {
    return this.chats.bus.deliver(this.node, { t: 'frame', to: this.key, frame });
  }

  send(frame: ServerFrame): void {
    // Each node tells its own person they were matched.
    if (frame.type === 'matched') return;
    // Our shutdown is not theirs: to them, we just went away.
    const out: ServerFrame = frame.type === 'ended' && frame.reason === 'shutdown' ? { ...frame, reason: 'partner_disconnected' } : frame;
    if (frame.type === 'ended' || frame.type === 'partner_away') this.chats.forgetChat(frame.chatId);
    this.chats.bus.post(this.node, { t: 'frame', to: this.key, frame: out });
  }
}

export class CrossNodeChats implements OtherNodes {
  /** Chats with a person on another node: chatId → our person, and their node and seat there. */
  private readonly crossChats = new Map<string, { seat: Seat; node: string; key: string }>();
  /** Cross-node chats to re-check with the other node since an outage (their end may have been lost meanwhile). */
  private readonly unchecked = new Set<string>();
  /** The other nodes' people online at the last heartbeat. */
  private othersOnline = 0;

  constructor(
    readonly bus: NodeBus,
    private readonly lobby: LocalLobby,
  ) {
    bus.handle('frame', (m) => this.frame(m));
    bus.handle('resume', (m) => this.resumeHere(m));
    bus.handle('check', (m) => {
      if (this.lobby.seat(m.to)?.chat?.id === m.chatId) return;
      this.bus.post(m.node, { t: 'frame', to: m.back, frame: { type: 'ended', chatId: m.chatId, reason: 'partner_disconnected' } });
    });
    // Stay counted, re-check chats after an outage, and end chats whose other node has died.
    bus.onBeat(() => this.beat());
  }

  /** People online on every node: this node's now, the others' as of the last heartbeat. */
  get onlineCount(): number {
    return this.lobby.localOnlineCount + this.othersOnline;
  }

  /** The search queue paired our seeker with a person of another node, in chat `chatId`. */
  startAcross(seeker: Seeker, chatId: string, partner: QueueEntry, common: string[]): void {
    const seat = this.lobby.seat(seeker.key);
    if (!seat) {
      this.bus.post(partner.node, { t: 'frame', to: partner.key, frame: { type: 'ended', chatId, reason: 'partner_disconnected' } });
      return;
    }
    this.crossChats.set(chatId, { seat, node: partner.node, key: partner.key });
    this.lobby.pair(seat, this.proxyOf({ node: partner.node, key: partner.key, account: partner.account, nickname: partner.nickname }), common, chatId);
  }

  /** Publishes this node's count and sums the others' that have not expired (a dead node's drop out). */
  private async countOnline(): Promise<void> {
    const now = Date.now();
    const client = this.bus.client;
    const replies = await client
      .multi()
      .hset(ONLINE_COUNTS, this.bus.nodeId, `${this.lobby.localOnlineCount}:${now + this.bus.ttlMs}`)
      .hgetall(ONLINE_COUNTS)
      .exec();
    const all = (replies?.[1]?.[1] ?? {}) as Record<string, string>;
    let others = 0;
    for (const [node, value] of Object.entries(all)) {
      if (node === this.bus.nodeId) continue;
      const [count, expires] = value.split(':').map(Number);
      if (expires !== undefined && expires > now) others += count ?? 0;
      else void client.hdel(ONLINE_COUNTS, node).catch(() => undefined);
    }
    this.othersOnline = others;
  }

  private async beat(): Promise<void> {
    await this.checkChats();
    if (!this.bus.mayJudge) return;
    await this.countOnline();
    const nodes = [...new Set([...this.crossChats.values()].map((c) => c.node))];
    for (const node of nodes) {
      if (!(await this.bus.alive(node))) this.lostNode(node);
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

  /** Redis is back after an outage (its data may be gone): re-check this node's cross-node chats with the other nodes. */
  async recover(): Promise<void> {
    for (const chatId of this.crossChats.keys()) this.unchecked.add(chatId);
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
      const check = { t: 'check' as const, chatId, to: chat.key, node: this.bus.nodeId, back: chat.seat.id };
      const told = await this.bus.deliver(chat.node, check).then(
        () => true,
        () => false,
      );
      if (told) this.unchecked.delete(chatId);
    }
  }

  async close(): Promise<void> {
    await this.bus.client.hdel(ONLINE_COUNTS, this.bus.nodeId).catch(() => undefined);
  }

  forgetChat(chatId: string): void {
    this.crossChats.delete(chatId);
    this.unchecked.delete(chatId);
  }

  private proxyOf(ref: SeatRef): Seat {
    return new Seat(ref.key, { id: ref.account, nickname: ref.nickname, interests: [] }, undefined, new RemotePeer(this, ref.node, ref.key));
  }

  /** A chat now waits here for a person of another node; whichever node they come back to finds it for their `resume`. */
  private waitHere(away: Away | undefined): void {
    if (!away) return;
    const stayed = partnerIn(away.chat, away.seat);
    const waiting: Waiting = {
      holder: { node: this.bus.nodeId, key: stayed.id, account: stayed.account.id, nickname: stayed.account.nickname },
      away: [{ account: away.seat.account.id, nickname: away.seat.account.nickname }],
      common: [...away.chat.commonInterests],
    };
    this.remember(away.chat.id, waiting, away.until - Date.now());
  }

  /** Shutdown: a chat between two people of this node waits in Redis for the first of them to come back anywhere. */
  keep(chat: Chat, graceMs: number): void {
    const away = [chat.a, chat.b].map((s) => ({ account: s.account.id, nickname: s.account.nickname }));
    // A chat this node took over from another that stopped may still carry that
    // take-over's claim (it lives as long as the grace): this hand-over starts afresh,
    // or the first to come back would wait for a holder that never answers.
    void this.bus.client.del(claimKey(chat.id)).catch(() => undefined);
    this.remember(chat.id, { away, common: [...chat.commonInterests] }, graceMs);
  }

  keepThere(chat: Chat, ours: Seat, graceMs: number): void {
    const there = this.crossChats.get(chat.id);
    if (!there) return;
    const theirs = partnerIn(chat, ours);
    // The node there writes the same when our partner_away reaches it; a resume may come first.
    const waiting: Waiting = {
      holder: { node: there.node, key: there.key, account: theirs.account.id, nickname: theirs.account.nickname },
      away: [{ account: ours.account.id, nickname: ours.account.nickname }],
      common: [...chat.commonInterests],
    };
    this.remember(chat.id, waiting, graceMs);
  }

  private remember(chatId: string, waiting: Waiting, ttlMs: number): void {
    if (ttlMs <= 0) return;
    void this.bus.client.set(resumeKey(chatId), JSON.stringify(waiting), 'PX', ttlMs).catch(() => undefined);
  }

  /** `resume` of a chat that this node does not hold. */
  async resume(seat: Seat, chatId: string): Promise<FrameOutcome> {
    let waiting: Waiting | undefined;
    let ttlMs: number;
    try {
      const client = this.bus.client;
      const [raw, ttl] = await Promise.all([client.get(resumeKey(chatId)), client.pttl(resumeKey(chatId))]);
      waiting = raw ? (JSON.parse(raw) as Waiting) : undefined;
      ttlMs = ttl;
    } catch {
      return refuse('unavailable', undefined, { retryAfterMs: 1000 });
    }
    const me = waiting?.away.find((m) => m.account === seat.account.id);
    if (!waiting || !me || seat.chat) return refuse('not_in_chat');
    if (!waiting.holder) return this.takeOver(seat, chatId, waiting, ttlMs);
    const holder = waiting.holder;
    if (holder.node === this.bus.nodeId) return this.resumeOwnSoon(seat, chatId);
    this.lobby.joinResumed(seat, this.proxyOf(holder), waiting.common, chatId);
    this.crossChats.set(chatId, { seat, node: holder.node, key: holder.key });
    const from: SeatRef = { node: this.bus.nodeId, key: seat.id, account: seat.account.id, nickname: seat.account.nickname };
    // The holder says no while it has not yet heard (from a stopping node) that this person went
    // away: ask again, bounded, while this seat still waits for the answer.
    const deadline = Date.now() + CLAIM_WAIT_MS;
    const stillJoined = () => seat.chat?.id === chatId;
    for (;;) {
      if (await this.bus.ask(holder.node, { t: 'resume', chatId, to: holder.key, from })) return DONE;
      if (!stillJoined() || Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, ASK_AGAIN_MS));
    }
    this.crossChats.delete(chatId);
    this.lobby.endedElsewhere(seat, chatId);
    return refuse('not_in_chat');
  }

  /**
   * The chat waits here for this person, but this node may not have heard it yet: a stopping
   * node writes where its chats wait before it tells its people to reconnect, and their
   * `resume` can come before its `partner_away` does. Bounded, like a claim's wait.
   */
  private async resumeOwnSoon(seat: Seat, chatId: string): Promise<FrameOutcome> {
    const deadline = Date.now() + CLAIM_WAIT_MS;
    for (;;) {
      if (this.lobby.resumeOwn(seat, chatId)) return DONE;
      if (seat.chat || Date.now() >= deadline) return refuse('not_in_chat');
      await new Promise((r) => setTimeout(r, ASK_AGAIN_MS));
    }
  }

  /** The first of two people of a stopped node to come back holds their chat here, and waits for the other. */
  private async takeOver(seat: Seat, chatId: string, waiting: Waiting, ttlMs: number): Promise<FrameOutcome> {
    const other = waiting.away.find((m) => m.account !== seat.account.id);
    if (!other || ttlMs <= 0) return refuse('not_in_chat');
    const claimed = await this.bus.client.set(claimKey(chatId), this.bus.nodeId, 'PX', ttlMs, 'NX').catch(() => null);
    if (!claimed) {
      // Both came back at once on two nodes: the other one holds it; ask again once it says where.
      const deadline = Date.now() + CLAIM_WAIT_MS;
      while (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        const raw = await this.bus.client.get(resumeKey(chatId)).catch(() => null);
        if (raw && (JSON.parse(raw) as Waiting).holder) return this.resume(seat, chatId);
      }
      return refuse('not_in_chat');
    }
    if (seat.chat) return refuse('not_in_chat');
    const gone = new Seat(newId(), { id: other.account, nickname: other.nickname, interests: [] }, undefined, NOBODY);
    this.waitHere(this.lobby.resumeAlone(seat, gone, waiting.common, chatId));
    return DONE;
  }

  /** The person of another node came back to a chat that our seat holds for them: yes when it still waits for them. */
  private resumeHere(message: NodeMessageOf<'resume'>): boolean {
    const seat = this.lobby.seat(message.to);
    const accepted = !!seat && this.lobby.resumeFor(seat, message.chatId, message.from.account, this.proxyOf(message.from));
    if (seat && accepted) this.crossChats.set(message.chatId, { seat, node: message.from.node, key: message.from.key });
    return accepted;
  }

  private frame({ to, frame }: NodeMessageOf<'frame'>): void {
    const seat = this.lobby.seat(to);
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

/**
 * Stranger chat: the search queue and the live chats. Everything here is
 * memory; message text passes through and is never kept, logged or stored.
 */
import { normalizeInterests } from '../../shared/interests.js';
import type { ClientFrameOf, EndReason, MessageFrame, Partner, ServerFrame } from '../../shared/protocol.js';
import { normaliseProfile } from '../../shared/revealProfile.js';
import { type Away, AwayChats, type AwayLimits } from './awayChats.js';
import { type Chat, partnerIn, type Seat } from './chat.js';
import { type LobbyCore, LobbyNodeSide, type Matching, type OtherNodes } from './lobbyNodeSide.js';
import { InProcessSearchQueue } from './matching.js';
import type { Pairing, SearchEvents, SearchQueue, Seeker } from './searchQueue.js';
import { DONE, errorFrame, type FrameOutcome, refuse } from '../errors.js';
import { WaitTimes } from './waitTimes.js';
import { newId } from './secrets.js';

export type LobbyOptions = {
  widenAfterMs: number;
  rematchCooldownMs: number;
  /** When set, a search that finds no human within `afterMs` gets an AI partner made by `create`. */
  aiPartner?: { afterMs: number; create: (lobby: Lobby, interests: readonly string[]) => Seat };
  /** The search queue, and with several nodes (REDIS_URL) the link to the others; unset: one node, the in-process queue. */
  matching?: Matching;
  /** How long a chat waits for a side whose connection dropped, and what it holds meanwhile; unset: it ends at once. */
  away?: AwayLimits;
  /** Told when chats start, carry a message and end (botSignals.ts); never given the text. */
  observer?: ChatObserver;
};

/** What an observer of chats is told: the chat and who wrote, never what. */
export interface ChatObserver {
  started(chat: Chat): void;
  message(chat: Chat, from: Seat): void;
  ended(chat: Chat): void;
}

/** One of the two people of a chat; `ai` for an AI partner. */
export type ChatMember = { id: string; nickname: string; ai: boolean };

/** How long after a chat ends its two people may still agree to connect. */
const ENDED_CHAT_MEMORY_MS = 10 * 60_000;
const ENDED_CHAT_MEMORY_MAX = 100_000;
const EMPTY: ReadonlySet<Seat> = new Set();
const NO_ONE: ReadonlySet<string> = new Set();
const NO_GRACE: AwayLimits = { graceMs: 0, heldMessages: 0, heldBytes: 0 };

export class Lobby {
  private readonly seats = new Map<string, Seat>();
  private readonly byAccount = new Map<string, Set<Seat>>();
  private readonly chats = new Map<string, Chat>();
  private readonly queue: SearchQueue;
  private readonly nodes: OtherNodes | undefined;
  /** Chats that ended recently: only the two members, kept so they can still connect. */
  private readonly endedChats = new Map<string, { members: [ChatMember, ChatMember]; endedAt: number }>();
  /** Sides of live chats whose connection dropped, within their grace. */
  private readonly away: AwayChats;
  /** Chat messages relayed since start (a number, not a metric object: this is the hot path). */
  relayed = 0;
  /** How long this node's people searched before a person (not an AI) was found for them. */
  readonly matchWaits = new WaitTimes();

  constructor(private readonly options: LobbyOptions) {
    this.away = new AwayChats(options.away ?? NO_GRACE, (away) => this.expire(away));
    const events: SearchEvents = { matched: (pairing) => this.startChat(pairing) };
    const made = options.matching?.(new LobbyNodeSide(this.core()), events) ?? {
      queue: new InProcessSearchQueue({ widenAfterMs: options.widenAfterMs }, events),
    };
    this.queue = made.queue;
    this.nodes = made.nodes;
  }

  /** What the lobby lends its node side (cluster mode): its state and the steps shared with chats on one node. */
  private core(): LobbyCore {
    return {
      chats: this.chats,
      away: this.away,
      onlineHere: () => this.localOnlineCount,
      seat: (id) => this.seat(id),
      pair: (a, b, common, chatId) => this.pair(a, b, common, chatId),
      chatOf: (seat, chatId) => this.chatOf(seat, chatId),
      rejoin: (away, seat) => this.rejoin(away, seat),
      dropOut: (chat, seat, keepChat) => this.dropOut(chat, seat, keepChat),
      partnerInfo: (chat, seat) => this.partnerInfo(chat, seat),
      stopSearching: (seat) => this.stopSearching(seat),
      close: (chat) => void this.close(chat),
    };
  }

  /** People (accounts) with a socket open on this node. */
  get localOnlineCount(): number {
    return this.byAccount.size;
  }

  /** What a searcher sees, an aggregate that says nothing about anyone: every node's people when several share Redis. */
  get onlineCount(): number {
    return this.nodes?.onlineCount ?? this.byAccount.size;
  }

  get searchingCount(): number {
    return this.queue.size;
  }

  /** A seat of this node, by id. */
  seat(id: string): Seat | undefined {
    return this.seats.get(id);
  }

  get chatCount(): number {
    return this.chats.size;
  }

  /** Sides of live chats waiting for their person to come back. */
  get awayCount(): number {
    return this.away.size;
  }

  /** A socket signed in. */
  attach(seat: Seat): void {
    this.seats.set(seat.id, seat);
    let set = this.byAccount.get(seat.account.id);
    if (!set) this.byAccount.set(seat.account.id, (set = new Set()));
    set.add(seat);
  }

  /** The open seats (sockets) of an account on this node. */
  seatsOf(accountId: string): ReadonlySet<Seat> {
    return this.byAccount.get(accountId) ?? EMPTY;
  }

  /** The person edited their nickname or interests: later searches use the new ones. */
  updateAccount(account: { id: string; nickname: string; interests: string[] }): void {
    for (const s of this.seatsOf(account.id)) {
      s.account.nickname = account.nickname;
      s.account.interests = account.interests;
    }
  }

  /** After a block: never pair the two again, and end their chat if it is still going. */
  keepBlockedApart(blocker: string, blocked: string, chatId: string): void {
    for (const s of this.seatsOf(blocker)) (s.blocked ??= new Set()).add(blocked);
    for (const s of this.seatsOf(blocked)) (s.blocked ??= new Set()).add(blocker);
    const chat = this.chats.get(chatId);
    if (chat) {
      const by = chat.a.account.id === blocker ? chat.a : chat.b;
      this.endChat(chat, by, 'blocked', 'blocked');
    }
  }

  find(seat: Seat, frame: ClientFrameOf<'find'>): FrameOutcome {
    if (seat.searching) return refuse('bad_request', 'Already searching.');
    if (seat.chat) return refuse('bad_request', 'Leave the current chat before finding a new one.');
    const pending = this.away.ofAccount(seat.account.id)[0];
    if (pending) return refuse('resume_pending', undefined, { chatId: pending.chat.id });
    let interests = seat.account.interests;
    if (frame.interests) {
      const result = normalizeInterests(frame.interests);
      if (!result.ok) return refuse('bad_request', result.message);
      interests = result.interests;
    }
    seat.searching = true;
    seat.searchingSince = Date.now();
    const ai = this.options.aiPartner;
    const aiAfterMs = ai && ai.afterMs > 0 && frame.aiPartner !== false ? ai.afterMs : undefined;
    const searching = (widened: boolean) =>
      seat.send({ type: 'searching', online: this.onlineCount, widened, ...(aiAfterMs !== undefined ? { aiAfterMs } : {}) });
    // No interests: open to anyone from the start. Otherwise the matchmaker widens after widenAfterMs; say so then.
    searching(interests.length === 0);
    if (interests.length > 0) {
      seat.widenTimer = setTimeout(() => {
        seat.widenTimer = undefined;
        if (seat.searching && !seat.chat) searching(true);
      }, this.options.widenAfterMs);
      seat.widenTimer.unref();
    }
    if (aiAfterMs !== undefined) {
      seat.aiTimer = setTimeout(() => this.offerAi(seat, interests), aiAfterMs);
      seat.aiTimer.unref();
    }
    const seeker: Seeker = {
      key: seat.id,
      accountId: seat.account.id,
      nickname: seat.account.nickname,
      interests: new Set(interests),
      near: frame.region === 'near',
      country: seat.country,
      since: Date.now(),
      blocked: seat.blocked ?? NO_ONE,
    };
    this.queue.add(seeker);
    return DONE;
  }

  cancel(seat: Seat): void {
    this.stopSearching(seat);
    seat.send({ type: 'idle' });
  }

  private stopSearching(seat: Seat): void {
    clearSearchTimers(seat);
    if (seat.searching) {
      this.queue.remove(seat.id);
      seat.searching = false;
    }
  }

  /** No human found in time: an AI partner, labelled as such, who "shares" the search's interests. */
  private offerAi(seat: Seat, interests: readonly string[]): void {
    seat.aiTimer = undefined;
    const ai = this.options.aiPartner;
    if (!ai || !seat.searching || seat.chat) return;
    this.stopSearching(seat);
    const common = [...interests].sort().slice(0, 5);
    this.pair(seat, ai.create(this, common), common);
  }

  /** Sends a frame to the other side of the chat (used by an AI partner to report trouble). */
  tellPartner(seat: Seat, chatId: string, frame: ServerFrame): void {
    const chat = this.chatOf(seat, chatId);
    if (chat) partnerIn(chat, seat).send(frame);
  }

  /** The other person of a live or recently ended chat, if `accountId` is one of its two. */
  partnerOf(chatId: string, accountId: string): ChatMember | undefined {
    const live = this.chats.get(chatId);
    const [a, b] = live ? [memberOf(live.a), memberOf(live.b)] : (this.endedChats.get(chatId)?.members ?? []);
    if (!a || !b) return undefined;
    if (a.id === accountId) return b;
    return b.id === accountId ? a : undefined;
  }

  /** The chat named by the frame, if this seat is in it. */
  chatOf(seat: Seat, chatId: string): Chat | undefined {
    const chat = seat.chat;
    return chat && chat.id === chatId ? chat : undefined;
  }

  /** `sent` only once the message reached the partner, or the link to their node took it. */
  send(seat: Seat, frame: ClientFrameOf<'send'>): FrameOutcome | Promise<FrameOutcome> {
    const chat = this.chatOf(seat, frame.chatId);
    if (!chat) return notInChat();
    const partner = partnerIn(chat, seat);
    if (frame.e2e && partner.ai) return refuse('bad_request', 'Your partner is an AI: it cannot read an end-to-end encrypted message.');
    const message: MessageFrame = { type: 'message', chatId: chat.id, id: frame.id, text: frame.text, at: new Date().toISOString() };
    // Relayed untouched: the server cannot read an encrypted text and does not try. (No spread: this is the hot path.)
    if (frame.e2e) message.e2e = true;
    const away = this.away.of(partner);
    if (away) {
      if (!this.away.hold(away, message)) return refuse('partner_away');
      seat.send({ type: 'sent', chatId: chat.id, id: frame.id, queued: true });
      return DONE;
    }
    const sent: ServerFrame = { type: 'sent', chatId: chat.id, id: frame.id };
    if (partner.peer.relay) {
      return partner.peer.relay(message).then(() => {
        this.relayed++;
        return { ok: true, reply: sent };
      });
    }
    partner.send(message);
    seat.send(sent);
    this.relayed++;
    this.options.observer?.message(chat, seat);
    return DONE;
  }

  typing(seat: Seat, frame: ClientFrameOf<'typing'>): FrameOutcome {
    const chat = this.chatOf(seat, frame.chatId);
    if (!chat) return notInChat();
    const partner = partnerIn(chat, seat);
    // Nobody to show it to while the partner is away.
    if (!this.away.of(partner)) partner.send({ type: 'typing', chatId: chat.id, typing: frame.typing });
    return DONE;
  }

  /**
   * Passes the private profile to the partner, once per chat and side; it is never kept or logged.
   * An encrypted one (`e2e: true`, docs/encryption.md) goes on exactly as it came: the server cannot read it.
   */
  reveal(seat: Seat, frame: ClientFrameOf<'reveal'>): FrameOutcome {
    const chat = this.chatOf(seat, frame.chatId);
    if (!chat) return notInChat();
    if (partnerIn(chat, seat).ai) return refuse('bad_request', 'Your partner is an AI: there is no one to reveal your profile to.');
    // Revealed once per chat: not into the void while the partner's connection is down.
    if (this.away.of(partnerIn(chat, seat))) return refuse('partner_away', 'They are away just now: reveal your profile once they are back.');
    let revealed: ServerFrame;
    if (frame.e2e && frame.text !== undefined) {
      revealed = { type: 'revealed', chatId: chat.id, e2e: true, text: frame.text };
    } else {
      const profile = frame.profile && normaliseProfile(frame.profile);
      if (!profile) return refuse('bad_request', 'The profile to reveal is empty.');
      revealed = { type: 'revealed', chatId: chat.id, profile };
    }
    if (chat.a === seat ? chat.revealedA : chat.revealedB) return refuse('bad_request', 'You already revealed your profile in this chat.');
    if (chat.a === seat) chat.revealedA = true;
    else chat.revealedB = true;
    partnerIn(chat, seat).send(revealed);
    return DONE;
  }

  /**
   * Relays this side's ephemeral public key to the partner, once per chat and side
   * (the same key again is relayed again: a reconnect may not know it arrived).
   * Never kept beyond the chat, never logged.
   */
  key(seat: Seat, frame: ClientFrameOf<'key'>): FrameOutcome {
    const chat = this.chatOf(seat, frame.chatId);
    if (!chat) return notInChat();
    const partner = partnerIn(chat, seat);
    if (partner.ai) return refuse('bad_request', 'Your partner is an AI: this chat cannot be end-to-end encrypted.');
    const own = chat.a === seat ? chat.keyA : chat.keyB;
    if (own !== undefined && own !== frame.publicKey) return refuse('bad_request', 'You already sent another key in this chat.');
    if (this.away.of(partner)) return refuse('partner_away', 'They are away just now: send your key once they are back.');
    if (chat.a === seat) chat.keyA = frame.publicKey;
    else chat.keyB = frame.publicKey;
    partner.send({ type: 'key', chatId: chat.id, publicKey: frame.publicKey });
    return DONE;
  }

  leave(seat: Seat, frame: ClientFrameOf<'leave'>): FrameOutcome {
    const chat = this.chatOf(seat, frame.chatId);
    const away = chat ? undefined : this.awayFrom(seat.account.id, frame.chatId);
    if (away) {
      // Another tab gives up the chat this account dropped out of (`resume_pending`).
      this.endChat(away.chat, away.seat, 'you_left', 'partner_left', seat);
      return DONE;
    }
    if (!chat) {
      // Both pressed Next at the same instant: the chat already ended; nothing to do.
      if (seat.lastChatId === frame.chatId) return DONE;
      return notInChat();
    }
    this.endChat(chat, seat, 'you_left', 'partner_left');
    return DONE;
  }

  /** Ends the chat for both; `by` (or, for a side that is away, another socket of it: `tell`) gets `own`, the partner gets `other`. */
  endChat(chat: Chat, by: Seat, own: EndReason, other: EndReason, tell: Seat = by): void {
    const undelivered = this.close(chat);
    if (!undelivered) return;
    const partner = partnerIn(chat, by);
    this.keepApart(by, partner);
    tell.send(ended(chat.id, own, undelivered.get(by)));
    partner.send(ended(chat.id, other, undelivered.get(partner)));
  }

  /**
   * The socket is gone: leave the queue; a live chat waits for the person
   * through the grace period (the partner is told), or ends at once without
   * one (`keepChat` false: the sign-in ended, or CHAT_GRACE_MS=0).
   */
  disconnect(seat: Seat, keepChat = true): void {
    this.stopSearching(seat);
    if (seat.chat) this.dropOut(seat.chat, seat, keepChat);
    this.seats.delete(seat.id);
    const set = this.byAccount.get(seat.account.id);
    if (set) {
      set.delete(seat);
      if (set.size === 0) this.byAccount.delete(seat.account.id);
    }
  }

  /** The server cuts this socket off for cause: its chat ends now, without the grace of a dropped connection. */
  endChatOf(seat: Seat): void {
    if (seat.chat) this.dropOut(seat.chat, seat, false);
  }

  /** Sign-ins ended (log out, new code, deletion, suspension): their chats end now, also those they are away from. */
  endSignIns(accountId: string, tokenHashes: readonly string[] | 'all'): void {
    const ended = (seat: Seat) => tokenHashes === 'all' || (seat.tokenHash !== undefined && tokenHashes.includes(seat.tokenHash));
    for (const seat of this.seatsOf(accountId)) if (ended(seat)) this.endChatOf(seat);
    for (const away of this.away.ofAccount(accountId)) if (ended(away.seat)) this.dropOut(away.chat, away.seat, false);
  }

  /**
   * `resume`: a socket of the account takes back the chat it dropped out of.
   * It gets the chat and the messages held for it; the partner learns it is
   * back and which of its messages were delivered. A searching socket leaves
   * its search; one in another chat must leave that first.
   */
  resume(seat: Seat, frame: ClientFrameOf<'resume'>): FrameOutcome | Promise<FrameOutcome> {
    const current = this.chatOf(seat, frame.chatId);
    if (current) return { ok: true, reply: { type: 'resumed', chat: { id: current.id, partner: this.partnerInfo(current, seat) }, missed: [] } };
    if (seat.chat) return refuse('bad_request', 'Leave the current chat before resuming another.');
    const away = this.awayFrom(seat.account.id, frame.chatId);
    if (!away) return this.nodes ? this.nodes.resume(seat, frame.chatId) : notInChat();
    this.stopSearching(seat);
    this.rejoin(away, seat);
    return DONE;
  }

  /** `seat` takes the place of the side that was away: it gets the chat and what was held; the partner hears it is back. */
  private rejoin(away: Away, seat: Seat): void {
    this.away.take(away.seat);
    const { chat } = away;
    if (chat.a === away.seat) chat.a = seat;
    else chat.b = seat;
    away.seat.chat = undefined;
    seat.chat = chat;
    const partner = partnerIn(chat, seat);
    seat.send({ type: 'resumed', chat: { id: chat.id, partner: this.partnerInfo(chat, seat) }, missed: away.held });
    if (away.delivered.length > 0) seat.send({ type: 'delivered', chatId: chat.id, ids: away.delivered });
    const ids = away.held.map((m) => m.id);
    const partnerAway = this.away.of(partner);
    if (partnerAway) {
      // Both were away: the partner hears of it when it comes back.
      partnerAway.delivered.push(...ids);
      seat.send({ type: 'partner_away', chatId: chat.id, graceMs: Math.max(0, partnerAway.until - Date.now()) });
    } else {
      partner.send({ type: 'partner_back', chatId: chat.id });
      if (ids.length > 0) partner.send({ type: 'delivered', chatId: chat.id, ids });
    }
  }

  /** A side left its chat without `leave`: the grace starts, or the chat ends for the partner. */
  private dropOut(chat: Chat, seat: Seat, keepChat: boolean): void {
    const partner = partnerIn(chat, seat);
    if (keepChat && partner.peer.kind === 'remote' && this.away.graceMs > 0) {
      // The chat waits on the partner's node, with the person who stayed; this node lets it go.
      partner.send({ type: 'partner_away', chatId: chat.id, graceMs: this.away.graceMs });
      this.close(chat);
      return;
    }
    if (keepChat && this.away.start(chat, seat)) {
      partner.send({ type: 'partner_away', chatId: chat.id, graceMs: this.away.graceMs });
      this.holdOtherSearches(seat, chat.id);
      return;
    }
    const undelivered = this.close(chat);
    if (!undelivered) return;
    this.keepApart(seat, partner);
    partner.send(ended(chat.id, 'partner_disconnected', undelivered.get(partner)));
  }

  /** The grace of a side ended: the chat ends; the partner learns which of its messages never arrived. */
  private expire(away: Away): void {
    this.dropOut(away.chat, away.seat, false);
  }

  /** While a chat waits for this account, its other sockets are not matched: their searches stop (`resume_pending`). */
  private holdOtherSearches(seat: Seat, chatId: string): void {
    for (const other of this.seatsOf(seat.account.id)) {
      if (other === seat || !other.searching) continue;
      this.stopSearching(other);
      other.send(errorFrame('resume_pending', undefined, { chatId }));
      other.send({ type: 'idle' });
    }
  }

  /** The side of chat `chatId` that account `accountId` dropped out of, within its grace. */
  private awayFrom(accountId: string, chatId: string): Away | undefined {
    return this.away.ofAccount(accountId).find((a) => a.chat.id === chatId);
  }

  private partnerInfo(chat: Chat, seat: Seat): Partner {
    const partner = partnerIn(chat, seat);
    return { nickname: partner.account.nickname, commonInterests: [...chat.commonInterests], ai: partner.ai };
  }

  /**
   * Server shutdown: every chat ends with reason `shutdown`; the queue empties.
   * Several nodes: a chat with a person on another node waits there instead,
   * as if this node's person had dropped, and a chat between two people of
   * this node is handed over (`OtherNodes.keep`) before it is let go here.
   */
  shutdown(): void {
    const handOver = this.nodes;
    for (const chat of [...this.chats.values()]) {
      const remote = [chat.a, chat.b].find((s) => s.peer.kind === 'remote');
      if (handOver && this.away.graceMs > 0 && !chat.a.ai && !chat.b.ai) {
        if (remote) {
          const ours = partnerIn(chat, remote);
          handOver.keepThere(chat, ours, this.away.graceMs);
          this.dropOut(chat, ours, true);
        }
        else {
          handOver.keep(chat, this.away.graceMs);
          this.close(chat);
        }
        continue;
      }
      const undelivered = this.close(chat);
      for (const seat of [chat.a, chat.b]) seat.send(ended(chat.id, 'shutdown', undelivered?.get(seat)));
    }
    this.away.clear();
    this.queue.clear();
  }

  private startChat({ a, b, commonInterests }: Pairing): void {
    const sa = this.seats.get(a.key);
    const sb = this.seats.get(b.key);
    if (!sa || !sb) return;
    this.pair(sa, sb, commonInterests);
  }

  /**
   * Takes a chat off the books for both (once), with the grace of a side
   * that was away: undefined if it had already ended, else, per side, the ids
   * of its messages that were held for an away partner and are now dropped.
   */
  private close(chat: Chat): Map<Seat, string[]> | undefined {
    if (!this.chats.delete(chat.id)) return undefined;
    const undelivered = new Map<Seat, string[]>();
    for (const s of [chat.a, chat.b]) {
      s.chat = undefined;
      s.lastChatId = chat.id;
      const held = this.away.take(s)?.held;
      if (held?.length) undelivered.set(partnerIn(chat, s), held.map((m) => m.id));
    }
    this.remember(chat);
    this.options.observer?.ended(chat);
    return undelivered;
  }

  /** Starts a chat between two seats (one may be an AI, or a proxy of a person on another node). */
  pair(sa: Seat, sb: Seat, commonInterests: string[], chatId = newId()): void {
    const chat: Chat = { id: chatId, a: sa, b: sb, commonInterests, revealedA: false, revealedB: false };
    this.chats.set(chat.id, chat);
    this.options.observer?.started(chat);
    for (const [self, other] of [
      [sa, sb],
      [sb, sa],
    ] as const) {
      clearSearchTimers(self);
      if (self.searching && !other.ai) this.matchWaits.observe(Date.now() - self.searchingSince);
      self.searching = false;
      self.chat = chat;
      self.send({
        type: 'matched',
        chat: { id: chat.id, partner: { nickname: other.account.nickname, commonInterests, ai: other.ai } },
      });
    }
  }

  private remember(chat: Chat): void {
    const now = Date.now();
    for (const [id, entry] of this.endedChats) {
      if (entry.endedAt > now - ENDED_CHAT_MEMORY_MS && this.endedChats.size < ENDED_CHAT_MEMORY_MAX) break;
      this.endedChats.delete(id);
    }
    this.endedChats.set(chat.id, { members: [memberOf(chat.a), memberOf(chat.b)], endedAt: now });
  }

  private keepApart(a: Seat, b: Seat): void {
    const cooldown = this.options.rematchCooldownMs;
    if (cooldown <= 0 || a.ai || b.ai) return;
    // The queue pairs them again once the cooldown ends, if both still search.
    this.queue.keepApart(a.account.id, b.account.id, cooldown);
  }
}

function clearSearchTimers(seat: Seat): void {
  clearTimeout(seat.aiTimer);
  seat.aiTimer = undefined;
  clearTimeout(seat.widenTimer);
  seat.widenTimer = undefined;
}

function memberOf(seat: Seat): ChatMember {
  return { id: seat.account.id, nickname: seat.account.nickname, ai: seat.ai };
}

function ended(chatId: string, reason: EndReason, undelivered: string[] | undefined): ServerFrame {
  return { type: 'ended', chatId, reason, ...(undelivered ? { undelivered } : {}) };
}

function notInChat(): FrameOutcome {
  return refuse('not_in_chat');
}

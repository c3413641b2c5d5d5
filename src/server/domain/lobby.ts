/**
 * Stranger chat: the search queue and the live chats. Everything here is
 * memory; message text passes through and is never kept, logged or stored.
 */
import { normalizeInterests } from '../../shared/interests.js';
import type { ClientFrameOf, EndReason, ServerFrame } from '../../shared/protocol.js';
import { type Chat, partnerIn, type Seat } from './chat.js';
import { Matchmaker, type Pairing, type Seeker } from './matching.js';
import { DONE, type FrameOutcome, refuse } from '../errors.js';
import { newId } from './secrets.js';

export type LobbyOptions = {
  widenAfterMs: number;
  rematchCooldownMs: number;
  /** When set, a search that finds no human within `afterMs` gets an AI partner made by `create`. */
  aiPartner?: { afterMs: number; create: (lobby: Lobby, interests: readonly string[]) => Seat };
  /** Several nodes (REDIS_URL): the search queue is shared in Redis instead of this node's Matchmaker. */
  cluster?: ClusterMatching;
  /** Told when chats start, carry a message and end (botSignals.ts); never given the text. */
  observer?: ChatObserver;
};

/** What an observer of chats is told: the chat and who wrote, never what. */
export interface ChatObserver {
  started(chat: Chat): void;
  message(chat: Chat, from: Seat): void;
  ended(chat: Chat): void;
}

/** What the lobby needs of a search queue shared by several nodes (cluster/sharedMatching.ts provides it). */
export interface ClusterMatching {
  readonly size: number;
  search(seat: Seat, seeker: Seeker): void;
  /** The person cancelled, matched elsewhere on this node, or left. */
  leave(seat: Seat): void;
  keepApart(a: string, b: string, ms: number): void;
}

/** One of the two people of a chat; `ai` for an AI partner. */
export type ChatMember = { id: string; nickname: string; ai: boolean };

/** How long after a chat ends its two people may still agree to connect. */
const ENDED_CHAT_MEMORY_MS = 10 * 60_000;
const ENDED_CHAT_MEMORY_MAX = 100_000;
const EMPTY: ReadonlySet<Seat> = new Set();

export class Lobby {
  private readonly seats = new Map<string, Seat>();
  private readonly byAccount = new Map<string, Set<Seat>>();
  private readonly chats = new Map<string, Chat>();
  /** accountId → the partner it last chatted with, and until when they are kept apart. */
  private readonly recentPartner = new Map<string, { accountId: string; until: number }>();
  private readonly matchmaker: Matchmaker;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Chats that ended recently: only the two members, kept so they can still connect. */
  private readonly endedChats = new Map<string, { members: [ChatMember, ChatMember]; endedAt: number }>();
  /** Chat messages relayed since start (a number, not a metric object: this is the hot path). */
  relayed = 0;

  constructor(private readonly options: LobbyOptions) {
    this.matchmaker = new Matchmaker(
      { widenAfterMs: options.widenAfterMs, excluded: (a, b) => this.excluded(a, b) },
      (pairing) => this.startChat(pairing),
    );
  }

  get searchingCount(): number {
    return this.options.cluster?.size ?? this.matchmaker.size;
  }

  /** A seat of this node, by id. */
  seat(id: string): Seat | undefined {
    return this.seats.get(id);
  }

  get chatCount(): number {
    return this.chats.size;
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
    let interests = seat.account.interests;
    if (frame.interests) {
      const result = normalizeInterests(frame.interests);
      if (!result.ok) return refuse('bad_request', result.message);
      interests = result.interests;
    }
    seat.searching = true;
    seat.send({ type: 'searching' });
    const ai = this.options.aiPartner;
    if (ai && ai.afterMs > 0) {
      seat.aiTimer = setTimeout(() => this.offerAi(seat, interests), ai.afterMs);
      seat.aiTimer.unref();
    }
    const seeker = {
      key: seat.id,
      accountId: seat.account.id,
      interests: new Set(interests),
      near: frame.region === 'near',
      country: seat.country,
      since: Date.now(),
    };
    if (this.options.cluster) this.options.cluster.search(seat, seeker);
    else this.matchmaker.add(seeker);
    return DONE;
  }

  cancel(seat: Seat): void {
    this.stopSearching(seat);
    seat.send({ type: 'idle' });
  }

  private stopSearching(seat: Seat): void {
    clearTimeout(seat.aiTimer);
    seat.aiTimer = undefined;
    if (seat.searching) {
      if (this.options.cluster) this.options.cluster.leave(seat);
      else this.matchmaker.remove(seat.id);
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

  send(seat: Seat, frame: ClientFrameOf<'send'>): FrameOutcome {
    const chat = this.chatOf(seat, frame.chatId);
    if (!chat) return notInChat();
    partnerIn(chat, seat).send({
      type: 'message',
      chatId: chat.id,
      id: frame.id,
      text: frame.text,
      at: new Date().toISOString(),
    });
    seat.send({ type: 'sent', chatId: chat.id, id: frame.id });
    this.relayed++;
    this.options.observer?.message(chat, seat);
    return DONE;
  }

  typing(seat: Seat, frame: ClientFrameOf<'typing'>): FrameOutcome {
    const chat = this.chatOf(seat, frame.chatId);
    if (!chat) return notInChat();
    partnerIn(chat, seat).send({ type: 'typing', chatId: chat.id, typing: frame.typing });
    return DONE;
  }

  /** Passes the private profile to the partner, once per chat and side; it is never kept or logged. */
  reveal(seat: Seat, frame: ClientFrameOf<'reveal'>): FrameOutcome {
    const chat = this.chatOf(seat, frame.chatId);
    if (!chat) return notInChat();
    if (partnerIn(chat, seat).ai) return refuse('bad_request', 'Your partner is an AI: there is no one to reveal your profile to.');
    const { firstName, age, gender, location } = frame.profile;
    const profile = {
      ...(firstName?.trim() ? { firstName: firstName.trim() } : {}),
      ...(age !== undefined ? { age } : {}),
      ...(gender?.trim() ? { gender: gender.trim() } : {}),
      ...(location?.trim() ? { location: location.trim() } : {}),
    };
    if (Object.keys(profile).length === 0) return refuse('bad_request', 'The profile to reveal is empty.');
    if (chat.a === seat ? chat.revealedA : chat.revealedB) return refuse('bad_request', 'You already revealed your profile in this chat.');
    if (chat.a === seat) chat.revealedA = true;
    else chat.revealedB = true;
    partnerIn(chat, seat).send({ type: 'revealed', chatId: chat.id, profile });
    return DONE;
  }

  leave(seat: Seat, frame: ClientFrameOf<'leave'>): FrameOutcome {
    const chat = this.chatOf(seat, frame.chatId);
    if (!chat) {
      // Both pressed Next at the same instant: the chat already ended; nothing to do.
      if (seat.lastChatId === frame.chatId) return DONE;
      return notInChat();
    }
    this.endChat(chat, seat, 'you_left', 'partner_left');
    return DONE;
  }

  /** Ends the chat for both; `by` gets `own`, the partner gets `other`. */
  endChat(chat: Chat, by: Seat, own: EndReason, other: EndReason): void {
    if (!this.close(chat)) return;
    const partner = partnerIn(chat, by);
    this.keepApart(by, partner);
    by.send({ type: 'ended', chatId: chat.id, reason: own });
    partner.send({ type: 'ended', chatId: chat.id, reason: other });
  }

  /** The socket is gone: leave the queue, end the chat for the partner. */
  disconnect(seat: Seat): void {
    this.stopSearching(seat);
    const chat = seat.chat;
    if (chat && this.close(chat)) {
      const partner = partnerIn(chat, seat);
      this.keepApart(seat, partner);
      partner.send({ type: 'ended', chatId: chat.id, reason: 'partner_disconnected' });
    }
    this.seats.delete(seat.id);
    const set = this.byAccount.get(seat.account.id);
    if (set) {
      set.delete(seat);
      if (set.size === 0) this.byAccount.delete(seat.account.id);
    }
  }

  /** Server shutdown: every chat ends with reason `shutdown`; the queue empties. */
  shutdown(): void {
    for (const chat of this.chats.values()) {
      chat.a.send({ type: 'ended', chatId: chat.id, reason: 'shutdown' });
      chat.b.send({ type: 'ended', chatId: chat.id, reason: 'shutdown' });
      chat.a.chat = undefined;
      chat.b.chat = undefined;
    }
    this.chats.clear();
    this.matchmaker.clear();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private startChat({ a, b, commonInterests }: Pairing): void {
    const sa = this.seats.get(a.key);
    const sb = this.seats.get(b.key);
    if (!sa || !sb) return;
    this.pair(sa, sb, commonInterests);
  }

  /** The partner of a chat that spans two nodes ended it over there: forget the chat here too. */
  endedElsewhere(seat: Seat, chatId: string): void {
    const chat = this.chatOf(seat, chatId);
    if (chat) this.close(chat);
  }

  /** Takes a chat off the books for both (once): false if it had already ended. */
  private close(chat: Chat): boolean {
    if (!this.chats.delete(chat.id)) return false;
    for (const s of [chat.a, chat.b]) {
      s.chat = undefined;
      s.lastChatId = chat.id;
    }
    this.remember(chat);
    this.options.observer?.ended(chat);
    return true;
  }

  /** Starts a chat between two seats (one may be an AI, or a proxy of a person on another node). */
  pair(sa: Seat, sb: Seat, commonInterests: string[], chatId = newId()): void {
    const chat: Chat = { id: chatId, a: sa, b: sb, revealedA: false, revealedB: false };
    this.chats.set(chat.id, chat);
    this.options.observer?.started(chat);
    for (const [self, other] of [
      [sa, sb],
      [sb, sa],
    ] as const) {
      clearTimeout(self.aiTimer);
      self.aiTimer = undefined;
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

  private excluded(a: Seeker, b: Seeker): boolean {
    const now = Date.now();
    const ra = this.recentPartner.get(a.accountId);
    if (ra && ra.accountId === b.accountId && ra.until > now) return true;
    const rb = this.recentPartner.get(b.accountId);
    if (rb && rb.accountId === a.accountId && rb.until > now) return true;
    const sa = this.seats.get(a.key);
    const sb = this.seats.get(b.key);
    return (sa?.blocked?.has(b.accountId) ?? false) || (sb?.blocked?.has(a.accountId) ?? false);
  }

  private keepApart(a: Seat, b: Seat): void {
    const cooldown = this.options.rematchCooldownMs;
    if (cooldown <= 0 || a.ai || b.ai) return;
    const [x, y] = [a.account.id, b.account.id];
    const until = Date.now() + cooldown;
    this.options.cluster?.keepApart(x, y, cooldown);
    this.recentPartner.set(x, { accountId: y, until });
    this.recentPartner.set(y, { accountId: x, until });
    // When the cooldown ends, the two may be the only ones waiting: look again.
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      for (const id of [x, y]) {
        const entry = this.recentPartner.get(id);
        if (entry && entry.until <= Date.now()) this.recentPartner.delete(id);
      }
      if (this.matchmaker.size >= 2) this.matchmaker.recheck();
    }, cooldown + 10);
    timer.unref();
    this.timers.add(timer);
  }
}

function memberOf(seat: Seat): ChatMember {
  return { id: seat.account.id, nickname: seat.account.nickname, ai: seat.ai };
}

function notInChat(): FrameOutcome {
  return refuse('not_in_chat');
}

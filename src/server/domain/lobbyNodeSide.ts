/**
 * The lobby as the other nodes see it (cluster mode): what cross-node chats
 * (cluster/crossNodeChats.ts) may ask of this node's lobby, what the lobby
 * needs of the other nodes, and the steps of a chat that spans two nodes
 * (a partner who dropped out over there, a `resume` that came back here).
 * The lobby makes one, lending it the part of its state those steps share.
 */
import type { Partner } from '../../shared/protocol.js';
import type { FrameOutcome } from '../errors.js';
import type { Away, AwayChats } from './awayChats.js';
import { type Chat, partnerIn, type Seat } from './chat.js';
import type { SearchEvents, SearchQueue } from './searchQueue.js';

/** What the lobby needs of the other nodes (cluster/crossNodeChats.ts provides it). */
export interface OtherNodes {
  /** People online on every node. */
  readonly onlineCount: number;
  /** `resume` of a chat this node does not hold: the node that holds it, if any, gives it back here. */
  resume(seat: Seat, chatId: string): Promise<FrameOutcome>;
  /** Shutdown: a chat between two people of this node waits for the first of them to come back on any node. */
  keep(chat: Chat, graceMs: number): void;
  /**
   * Shutdown: a chat with a person of another node (`theirs`) will wait there for `ours`; said
   * before `ours` is told to reconnect, so their `resume` finds it on any node at once.
   */
  keepThere(chat: Chat, ours: Seat, graceMs: number): void;
}

/** What the other nodes' chats need of this node's lobby. */
export interface LocalLobby {
  /** A seat of this node, by id. */
  seat(id: string): Seat | undefined;
  pair(a: Seat, b: Seat, commonInterests: string[], chatId?: string): void;
  /** People with a socket open on this node. */
  readonly localOnlineCount: number;
  endedElsewhere(seat: Seat, chatId: string): void;
  partnerAway(seat: Seat, chatId: string): Away | undefined;
  resumeFor(seat: Seat, chatId: string, accountId: string, side: Seat): boolean;
  /** `resume` by `seat` of a chat that waits on this node for its account; false when none does (yet). */
  resumeOwn(seat: Seat, chatId: string): boolean;
  joinResumed(seat: Seat, side: Seat, commonInterests: string[], chatId: string): void;
  resumeAlone(seat: Seat, side: Seat, commonInterests: string[], chatId: string): Away | undefined;
}

/**
 * Builds the lobby's search queue (given the events it tells) and, with
 * several nodes, its link to the other nodes (given the lobby's node side):
 * called once, by the lobby's constructor. The config chooses it (context.ts).
 */
export type Matching = (lobby: LocalLobby, events: SearchEvents) => { queue: SearchQueue; nodes?: OtherNodes };

/** What the lobby lends its node side: its chats, the sides away, and the steps they share with one node. */
export interface LobbyCore {
  readonly chats: Map<string, Chat>;
  readonly away: AwayChats;
  onlineHere(): number;
  seat(id: string): Seat | undefined;
  pair(a: Seat, b: Seat, commonInterests: string[], chatId?: string): void;
  chatOf(seat: Seat, chatId: string): Chat | undefined;
  /** `seat` takes the place of the side that was away. */
  rejoin(away: Away, seat: Seat): void;
  /** A side left its chat without `leave`: the grace starts, or the chat ends for the partner. */
  dropOut(chat: Chat, seat: Seat, keepChat: boolean): void;
  partnerInfo(chat: Chat, seat: Seat): Partner;
  stopSearching(seat: Seat): void;
  /** Takes a chat off the books for both. */
  close(chat: Chat): void;
}

export class LobbyNodeSide implements LocalLobby {
  constructor(private readonly lobby: LobbyCore) {}

  seat(id: string): Seat | undefined {
    return this.lobby.seat(id);
  }

  pair(a: Seat, b: Seat, commonInterests: string[], chatId?: string): void {
    this.lobby.pair(a, b, commonInterests, chatId);
  }

  get localOnlineCount(): number {
    return this.lobby.onlineHere();
  }

  /** The partner of a chat that spans two nodes ended it over there: forget the chat here too. */
  endedElsewhere(seat: Seat, chatId: string): void {
    const chat = this.lobby.chatOf(seat, chatId);
    if (chat) this.lobby.close(chat);
  }

  /**
   * The person who dropped out of the chat `seat` is in came back on another
   * node (`side` is its proxy there). False when the chat no longer waits for
   * that account.
   */
  resumeOwn(seat: Seat, chatId: string): boolean {
    const away = this.lobby.away.ofAccount(seat.account.id).find((a) => a.chat.id === chatId);
    if (!away || seat.chat || this.lobby.seat(seat.id) !== seat) return false;
    this.lobby.stopSearching(seat);
    this.lobby.rejoin(away, seat);
    return true;
  }

  resumeFor(seat: Seat, chatId: string, accountId: string, side: Seat): boolean {
    const chat = this.lobby.chatOf(seat, chatId);
    const away = chat && this.lobby.away.of(partnerIn(chat, seat));
    if (!away || away.seat.account.id !== accountId) return false;
    this.lobby.rejoin(away, side);
    return true;
  }

  /**
   * The partner of `seat` (a person on another node) dropped out, or its node
   * died. The chat waits here, with the person who stayed: the entry, or
   * undefined when there is no grace (the chat ended).
   */
  partnerAway(seat: Seat, chatId: string): Away | undefined {
    const chat = this.lobby.chatOf(seat, chatId);
    if (!chat) return undefined;
    const awayChats = this.lobby.away;
    const waiting = awayChats.of(partnerIn(chat, seat));
    if (waiting) return waiting;
    const away = awayChats.start(chat, partnerIn(chat, seat));
    if (away) seat.send({ type: 'partner_away', chatId, graceMs: awayChats.graceMs });
    else this.lobby.dropOut(chat, partnerIn(chat, seat), false);
    return away;
  }

  /**
   * The first of two people whose node stopped comes back here; the chat
   * waits here for the other (`side`, nobody yet). Undefined without a grace.
   */
  resumeAlone(seat: Seat, side: Seat, commonInterests: string[], chatId: string): Away | undefined {
    this.joinResumed(seat, side, commonInterests, chatId);
    const chat = seat.chat!;
    const awayChats = this.lobby.away;
    const away = awayChats.start(chat, side);
    seat.send({ type: 'resumed', chat: { id: chatId, partner: this.lobby.partnerInfo(chat, seat) }, missed: [] });
    if (away) seat.send({ type: 'partner_away', chatId, graceMs: awayChats.graceMs });
    else this.lobby.dropOut(chat, side, false);
    return away;
  }

  /** A chat resumed here whose partner is on another node (`side`, its proxy); that node sends `resumed`. */
  joinResumed(seat: Seat, side: Seat, commonInterests: string[], chatId: string): void {
    this.lobby.stopSearching(seat);
    const chat: Chat = { id: chatId, a: seat, b: side, commonInterests, revealedA: false, revealedB: false };
    this.lobby.chats.set(chatId, chat);
    seat.chat = chat;
    side.chat = chat;
  }
}

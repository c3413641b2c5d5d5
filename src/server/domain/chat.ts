/**
 * The chat core's own types: a chat partner (`Peer`), a seat in the lobby
 * (`Seat`) and a live chat between two of them. The transport (a socket,
 * an AI, another node) stays outside, behind `Peer`.
 */
import type { ServerFrame } from '../../shared/protocol.js';

/** Who is behind a peer: a person on this node, an AI partner, or a person on another node. */
export type PeerKind = 'human' | 'ai' | 'remote';

/** What the chat core needs of a chat partner: the transport stays outside. */
export interface Peer {
  /** Fixed when the peer is made; an AI partner is never reported, blocked for good, connected with or kept apart. */
  readonly kind: PeerKind;
  send(frame: ServerFrame): void;
  /**
   * Only for a peer behind a link that can fail (another node): a chat
   * message, resolved once the link took it, rejected with `Unavailable` when
   * it cannot be handed on (so the sender is never told `sent` for nothing).
   */
  relay?(frame: ServerFrame): Promise<void>;
}

/** The account behind a seat, as the live core sees it (updated when the person edits it). */
export type SeatAccount = { readonly id: string; nickname: string; interests: string[] };

/**
 * A place in the lobby: one signed-in socket, an AI partner, or a person on
 * another node. (Not a sign-in: those are the store's sessions.) A person with
 * two tabs has two seats; each searches and chats on its own.
 */
export class Seat {
  /** The chat this seat is in, or undefined. */
  chat: Chat | undefined;
  searching = false;
  /** When the current search began (Date.now()), for the match-wait metric. */
  searchingSince = 0;
  /** The last chat that ended, so a late `leave` for it is not an error. */
  lastChatId: string | undefined;
  /** Accounts this one blocked or was blocked by: never paired. Unset when there are none (most people). */
  blocked: Set<string> | undefined;
  /** Pending offer of an AI partner while searching. */
  aiTimer: NodeJS.Timeout | undefined;
  /** Pending `searching {widened: true}` while a search is still narrow. */
  widenTimer: NodeJS.Timeout | undefined;

  readonly account: SeatAccount;

  constructor(
    readonly id: string,
    account: SeatAccount,
    readonly country: string | undefined,
    readonly peer: Peer,
    blocked?: ReadonlySet<string>,
    /** The hash of the token a socket signed in with (in memory): ending that sign-in ends its chats at once. */
    readonly tokenHash?: string,
  ) {
    this.account = { id: account.id, nickname: account.nickname, interests: account.interests };
    if (blocked && blocked.size > 0) this.blocked = new Set(blocked);
  }

  /** True for an AI partner's side of a chat (what the wire calls `partner.ai`). */
  get ai(): boolean {
    return this.peer.kind === 'ai';
  }

  send(frame: ServerFrame): void {
    this.peer.send(frame);
  }
}

export type Chat = {
  readonly id: string;
  /** The two sides; a side that comes back after a dropped connection takes the place of its old seat. */
  a: Seat;
  b: Seat;
  readonly commonInterests: readonly string[];
  /** Each side reveals its profile at most once per chat. */
  revealedA: boolean;
  revealedB: boolean;
  /** Each side's ephemeral public key for end-to-end encryption, relayed once (docs/encryption.md). */
  keyA?: string;
  keyB?: string;
};

export function partnerIn(chat: Chat, seat: Seat): Seat {
  return chat.a === seat ? chat.b : chat.a;
}

/**
 * Chats kept for a while after one side's connection dropped (CHAT_GRACE_MS):
 * which side is away, until when, and the partner's messages waiting for it.
 * Memory only: the held texts are never stored, logged or sent anywhere but
 * to the person they were written for, and are dropped when the grace ends.
 *
 * A side is a Seat of any kind (a socket of this node, or a proxy of a person
 * on another node); the lobby decides what an away side means for the chat.
 */
import type { MessageFrame } from '../../shared/protocol.js';
import type { Chat, Seat } from './chat.js';

export type AwayLimits = {
  /** How long a chat waits for a side that dropped; 0: it ends at once. */
  graceMs: number;
  /** Messages held for one away side... */
  heldMessages: number;
  /** ...and their text in UTF-8 bytes. */
  heldBytes: number;
};

/** One side of a chat that is away. */
export type Away = {
  readonly chat: Chat;
  readonly seat: Seat;
  /** When the grace ends (ms since the epoch). */
  readonly until: number;
  /** The partner's messages waiting for this side, oldest first. */
  readonly held: MessageFrame[];
  heldBytes: number;
  /** Ids of this side's messages that reached the partner meanwhile (both were away): said on return. */
  readonly delivered: string[];
  readonly timer: NodeJS.Timeout;
};

export class AwayChats {
  private readonly bySeat = new Map<Seat, Away>();
  private readonly byAccount = new Map<string, Set<Away>>();

  constructor(
    private readonly limits: AwayLimits,
    /** The grace of this side ended without a return; the entry is still here (take() it). */
    private readonly expired: (away: Away) => void,
  ) {}

  get graceMs(): number {
    return this.limits.graceMs;
  }

  get size(): number {
    return this.bySeat.size;
  }

  /** Starts the grace of a side that dropped out of its chat; undefined when the grace is off. */
  start(chat: Chat, seat: Seat): Away | undefined {
    const { graceMs } = this.limits;
    if (graceMs <= 0 || this.bySeat.has(seat)) return undefined;
    const timer = setTimeout(() => {
      if (this.bySeat.get(seat) === away) this.expired(away);
    }, graceMs);
    timer.unref();
    const away: Away = { chat, seat, until: Date.now() + graceMs, held: [], heldBytes: 0, delivered: [], timer };
    this.bySeat.set(seat, away);
    let set = this.byAccount.get(seat.account.id);
    if (!set) this.byAccount.set(seat.account.id, (set = new Set()));
    set.add(away);
    return away;
  }

  /** The entry of a side, while it is away. */
  of(seat: Seat): Away | undefined {
    return this.bySeat.get(seat);
  }

  /** The chats an account is away from, oldest first. */
  ofAccount(accountId: string): Away[] {
    return [...(this.byAccount.get(accountId) ?? [])];
  }

  /** Keeps a message for the away side; false when it would go over the bound (nothing is kept then). */
  hold(away: Away, message: MessageFrame): boolean {
    const bytes = Buffer.byteLength(message.text, 'utf8');
    if (away.held.length >= this.limits.heldMessages || away.heldBytes + bytes > this.limits.heldBytes) return false;
    away.held.push(message);
    away.heldBytes += bytes;
    return true;
  }

  /** Ends the grace of a side (it came back, or the chat ended): its entry, now forgotten here. */
  take(seat: Seat): Away | undefined {
    const away = this.bySeat.get(seat);
    if (!away) return undefined;
    clearTimeout(away.timer);
    this.bySeat.delete(seat);
    const set = this.byAccount.get(seat.account.id);
    set?.delete(away);
    if (set?.size === 0) this.byAccount.delete(seat.account.id);
    return away;
  }

  /** Forgets every entry (the node is stopping). */
  clear(): void {
    for (const seat of [...this.bySeat.keys()]) this.take(seat);
  }
}

/**
 * Behaviour signals, not content: per account, in this node's memory only, the
 * shape of its last BOT_WINDOW chats. A chat is "quick" for a side when that
 * side wrote within BOT_QUICK_MS of the match, the partner never wrote, and the
 * chat ended within BOT_QUICK_MS of that first message (match, one message,
 * gone, no answer: an advert). A report of such a chat counts once more. At BOT_THRESHOLD the account is slowed on `find` (doorkeeper.ts):
 * never banned by this alone. Nothing here is stored, logged or sent: only
 * timestamps and counts, forgotten after BOT_FORGET_MS without a chat.
 */
import type { BotConfig } from '../config.js';
import type { Chat, Seat } from './chat.js';
import type { ChatObserver } from './lobby.js';
import type { Clock } from './ipKeys.js';

type Side = { accountId: string; firstAt: number | undefined; wrote: boolean };
type Live = { startedAt: number; sides: Side[] };
/** `chats`: the window, by chat id: whether each was quick, and whether the partner reported it. */
type Account = { chats: Array<{ chatId: string; quick: boolean; reported: boolean }>; lastSeen: number; lastFind: number };

const SWEEP_EVERY_MS = 60_000;

export class BotSignals implements ChatObserver {
  private readonly live = new Map<string, Live>();
  private readonly accounts = new Map<string, Account>();
  private readonly sweep: NodeJS.Timeout;

  constructor(
    private readonly config: BotConfig,
    private readonly now: Clock = Date.now,
  ) {
    this.sweep = setInterval(() => this.forget(), SWEEP_EVERY_MS);
    this.sweep.unref();
  }

  /** Only chats between two people on this node are judged: an AI's or another node's messages are not seen here. */
  started(chat: Chat): void {
    if (!isPerson(chat.a) || !isPerson(chat.b)) return;
    const side = (s: Seat): Side => ({ accountId: s.account.id, firstAt: undefined, wrote: false });
    this.live.set(chat.id, { startedAt: this.now(), sides: [side(chat.a), side(chat.b)] });
  }

  message(chat: Chat, from: Seat): void {
    const side = this.live.get(chat.id)?.sides.find((s) => s.accountId === from.account.id);
    if (!side || side.wrote) return;
    side.wrote = true;
    side.firstAt = this.now();
  }

  /** Both sides are judged, whoever ended the chat. */
  ended(chat: Chat): void {
    const live = this.live.get(chat.id);
    if (!live) return;
    this.live.delete(chat.id);
    const t = this.now();
    for (const side of live.sides) {
      const partnerWrote = live.sides.some((s) => s !== side && s.wrote);
      const quick =
        side.firstAt !== undefined &&
        side.firstAt - live.startedAt <= this.config.quickMs &&
        t - side.firstAt <= this.config.quickMs &&
        !partnerWrote;
      const account = this.account(side.accountId);
      account.chats.push({ chatId: chat.id, quick, reported: false });
      if (account.chats.length > this.config.window) account.chats.shift();
    }
  }

  /**
   * A partner reported the account. It counts only when that chat was quick
   * for the account (the partner reported the advert at once): the weighted
   * reports of moderation.ts decide everything else, so a brigade of fresh
   * accounts cannot slow anyone down here.
   */
  reported(accountId: string, chatId: string): void {
    const entry = this.accounts.get(accountId)?.chats.find((c) => c.chatId === chatId && c.quick);
    if (entry) entry.reported = true;
  }

  /** How far past the threshold the account is: 0 when it is not slowed, else 1, 2, ... */
  excess(accountId: string): number {
    const account = this.accounts.get(accountId);
    if (!account) return 0;
    const score = account.chats.reduce((sum, c) => sum + (c.quick ? 1 : 0) + (c.reported ? 1 : 0), 0);
    return score >= this.config.threshold ? score - this.config.threshold + 1 : 0;
  }

  /** How long a slowed account must still wait before it may search again (0: now), from its last search or chat. */
  findWait(accountId: string): number {
    const account = this.accounts.get(accountId);
    const excess = this.excess(accountId);
    if (!account || excess === 0) return 0;
    const wait = this.config.findWaitMs * 2 ** Math.min(excess - 1, 3);
    return Math.max(0, wait - (this.now() - Math.max(account.lastFind, account.lastSeen)));
  }

  /** A search started. */
  searched(accountId: string): void {
    const account = this.accounts.get(accountId);
    if (account) account.lastFind = this.now();
  }

  close(): void {
    clearInterval(this.sweep);
  }

  private account(id: string): Account {
    let account = this.accounts.get(id);
    if (!account) this.accounts.set(id, (account = { chats: [], lastSeen: 0, lastFind: 0 }));
    account.lastSeen = this.now();
    return account;
  }

  private forget(): void {
    const before = this.now() - this.config.forgetMs;
    for (const [id, account] of this.accounts) if (account.lastSeen < before) this.accounts.delete(id);
  }
}

/** A person on this node. */
function isPerson(seat: Seat): boolean {
  return seat.peer.kind === 'human';
}

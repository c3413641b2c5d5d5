/**
 * The in-process search queue (one node): the policy of searchQueue.ts over an
 * inverted interest index in memory.
 *
 * Cost per `add`: proportional to the seekers sharing one of its interests,
 * never a scan of the whole queue unless the seeker is wide (and then it
 * stops at the first eligible one in wait order, which in a live queue is
 * nearly always the first).
 */
import { commonInterests, type QueueClock, type SearchEvents, type SearchQueue, type Seeker, systemClock } from './searchQueue.js';

type Waiting = { seeker: Seeker; wide: boolean; cancelWiden: (() => void) | undefined };

function sameCountry(a: Seeker, b: Seeker): boolean {
  return (a.near || b.near) && a.country !== undefined && a.country === b.country;
}

export type InProcessOptions = { widenAfterMs: number; clock?: QueueClock };

export class InProcessSearchQueue implements SearchQueue {
  /** Insertion order is wait order. */
  private readonly waiting = new Map<string, Waiting>();
  private readonly byInterest = new Map<string, Set<Waiting>>();
  private readonly wide = new Set<Waiting>();
  /** accountId → the partner it last chatted with, and until when they are kept apart. */
  private readonly recentPartner = new Map<string, { accountId: string; until: number }>();
  private readonly cooldowns = new Set<() => void>();
  private readonly clock: QueueClock;
  private readonly widenAfterMs: number;

  constructor(
    options: InProcessOptions,
    private readonly events: SearchEvents,
  ) {
    this.widenAfterMs = options.widenAfterMs;
    this.clock = options.clock ?? systemClock;
  }

  get size(): number {
    return this.waiting.size;
  }

  add(seeker: Seeker): void {
    if (this.waiting.has(seeker.key)) return;
    const entry: Waiting = { seeker, wide: seeker.interests.size === 0, cancelWiden: undefined };
    const partner = this.bestFor(entry);
    if (partner) {
      this.detach(partner);
      this.events.matched({ a: partner.seeker, b: seeker, commonInterests: commonInterests(partner.seeker, seeker) });
      return;
    }
    this.waiting.set(seeker.key, entry);
    for (const interest of seeker.interests) {
      let bucket = this.byInterest.get(interest);
      if (!bucket) this.byInterest.set(interest, (bucket = new Set()));
      bucket.add(entry);
    }
    if (entry.wide) this.wide.add(entry);
    else entry.cancelWiden = this.clock.after(this.widenAfterMs, () => this.widen(entry));
  }

  remove(key: string): void {
    const entry = this.waiting.get(key);
    if (entry) this.detach(entry);
  }

  keepApart(a: string, b: string, ms: number): void {
    const until = this.clock.now() + ms;
    this.recentPartner.set(a, { accountId: b, until });
    this.recentPartner.set(b, { accountId: a, until });
    // When the cooldown ends, the two may be the only ones waiting: look again.
    const cancel = this.clock.after(ms, () => {
      this.cooldowns.delete(cancel);
      for (const id of [a, b]) {
        const entry = this.recentPartner.get(id);
        if (entry && entry.until <= this.clock.now()) this.recentPartner.delete(id);
      }
      if (this.waiting.size >= 2) this.recheck();
    });
    this.cooldowns.add(cancel);
  }

  async settled(): Promise<void> {}

  clear(): void {
    for (const entry of this.waiting.values()) entry.cancelWiden?.();
    for (const cancel of this.cooldowns) cancel();
    this.cooldowns.clear();
    this.waiting.clear();
    this.byInterest.clear();
    this.wide.clear();
  }

  /** Re-examines everyone waiting, oldest first. */
  private recheck(): void {
    for (const entry of [...this.waiting.values()]) {
      if (this.waiting.get(entry.seeker.key) !== entry) continue;
      const partner = this.bestFor(entry);
      if (partner) this.pair(partner, entry);
    }
  }

  private widen(entry: Waiting): void {
    if (this.waiting.get(entry.seeker.key) !== entry) return;
    entry.cancelWiden = undefined;
    entry.wide = true;
    this.wide.add(entry);
    const partner = this.bestFor(entry);
    if (partner) this.pair(partner, entry);
  }

  private pair(first: Waiting, second: Waiting): void {
    this.detach(first);
    this.detach(second);
    this.events.matched({ a: first.seeker, b: second.seeker, commonInterests: commonInterests(first.seeker, second.seeker) });
  }

  private detach(entry: Waiting): void {
    entry.cancelWiden?.();
    this.waiting.delete(entry.seeker.key);
    this.wide.delete(entry);
    for (const interest of entry.seeker.interests) {
      const bucket = this.byInterest.get(interest);
      if (!bucket) continue;
      bucket.delete(entry);
      if (bucket.size === 0) this.byInterest.delete(interest);
    }
  }

  private keptApart(a: Seeker, b: Seeker): boolean {
    const now = this.clock.now();
    const ra = this.recentPartner.get(a.accountId);
    if (ra && ra.accountId === b.accountId && ra.until > now) return true;
    const rb = this.recentPartner.get(b.accountId);
    return rb !== undefined && rb.accountId === a.accountId && rb.until > now;
  }

  private eligible(a: Seeker, b: Seeker): boolean {
    if (a.key === b.key || a.accountId === b.accountId) return false;
    if (a.blocked.has(b.accountId) || b.blocked.has(a.accountId)) return false;
    return !this.keptApart(a, b);
  }

  private bestFor(entry: Waiting): Waiting | undefined {
    const seeker = entry.seeker;
    // 1. Shared interests: most overlap (a same-country partner first when asked), then longest wait.
    let best: Waiting | undefined;
    let bestNear = false;
    let bestOverlap = 0;
    if (seeker.interests.size > 0) {
      const overlap = new Map<Waiting, number>();
      for (const interest of seeker.interests) {
        const bucket = this.byInterest.get(interest);
        if (bucket) for (const other of bucket) overlap.set(other, (overlap.get(other) ?? 0) + 1);
      }
      for (const [other, count] of overlap) {
        if (!this.eligible(seeker, other.seeker)) continue;
        const near = sameCountry(seeker, other.seeker);
        const better =
          !best ||
          (near && !bestNear) ||
          (near === bestNear &&
            (count > bestOverlap || (count === bestOverlap && other.seeker.since < best.seeker.since)));
        if (better) {
          best = other;
          bestNear = near;
          bestOverlap = count;
        }
      }
      if (best && (bestNear || !(seeker.near && entry.wide))) return best;
    }
    // 2. Nobody shares an interest: a wide seeker takes anyone; a narrow one takes a wide one.
    const pool = entry.wide ? this.waiting.values() : this.wide.values();
    let fallback: Waiting | undefined = best;
    for (const other of pool) {
      if (other === entry || !this.eligible(seeker, other.seeker)) continue;
      if (sameCountry(seeker, other.seeker)) return other;
      fallback ??= other;
      if (!seeker.near && !other.seeker.near) break;
    }
    return fallback;
  }
}

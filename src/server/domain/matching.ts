/**
 * Matchmaking: who is paired with whom. In memory, per node.
 *
 * Policy (PROTOCOL §3): two seekers are paired when they share interests, the
 * most shared first; a seeker with no interests, or one who has waited
 * `widenAfterMs`, is "wide" and may be paired with anyone. Never with
 * itself (same account, e.g. two tabs), never with an excluded partner
 * (just left, or blocked). With `near`, a partner in the same country wins
 * over a bigger overlap.
 *
 * Cost per `add`: proportional to the seekers sharing one of its interests,
 * never a scan of the whole queue unless the seeker is wide (and then it
 * stops at the first eligible one in wait order, which in a live queue is
 * nearly always the first).
 */

export type Seeker = {
  readonly key: string;
  readonly accountId: string;
  readonly interests: ReadonlySet<string>;
  readonly near: boolean;
  readonly country: string | undefined;
  readonly since: number;
};

export type MatchPolicy = {
  widenAfterMs: number;
  /** True when a and b must not be paired now (recent partners, blocks). */
  excluded(a: Seeker, b: Seeker): boolean;
};

export type Pairing = { a: Seeker; b: Seeker; commonInterests: string[] };

type Waiting = { seeker: Seeker; wide: boolean; timer: NodeJS.Timeout | undefined };

export function commonInterests(a: Seeker, b: Seeker): string[] {
  const [small, large] = a.interests.size <= b.interests.size ? [a, b] : [b, a];
  const common: string[] = [];
  for (const interest of small.interests) if (large.interests.has(interest)) common.push(interest);
  return common.sort();
}

function sameCountry(a: Seeker, b: Seeker): boolean {
  return (a.near || b.near) && a.country !== undefined && a.country === b.country;
}

export class Matchmaker {
  /** Insertion order is wait order. */
  private readonly waiting = new Map<string, Waiting>();
  private readonly byInterest = new Map<string, Set<Waiting>>();
  private readonly wide = new Set<Waiting>();

  constructor(
    private readonly policy: MatchPolicy,
    private readonly onMatch: (pairing: Pairing) => void,
  ) {}

  get size(): number {
    return this.waiting.size;
  }

  /** Pairs the seeker at once if possible, else queues it until someone fits. */
  add(seeker: Seeker): void {
    if (this.waiting.has(seeker.key)) return;
    const entry: Waiting = { seeker, wide: seeker.interests.size === 0, timer: undefined };
    const partner = this.bestFor(entry);
    if (partner) {
      this.detach(partner);
      this.onMatch({ a: partner.seeker, b: seeker, commonInterests: commonInterests(partner.seeker, seeker) });
      return;
    }
    this.waiting.set(seeker.key, entry);
    for (const interest of seeker.interests) {
      let bucket = this.byInterest.get(interest);
      if (!bucket) this.byInterest.set(interest, (bucket = new Set()));
      bucket.add(entry);
    }
    if (entry.wide) this.wide.add(entry);
    else entry.timer = setTimeout(() => this.widen(entry), this.policy.widenAfterMs);
  }

  remove(key: string): boolean {
    const entry = this.waiting.get(key);
    if (!entry) return false;
    this.detach(entry);
    return true;
  }

  /** Re-examines everyone waiting, oldest first (after an exclusion has expired). */
  recheck(): void {
    for (const entry of [...this.waiting.values()]) {
      if (this.waiting.get(entry.seeker.key) !== entry) continue;
      const partner = this.bestFor(entry);
      if (partner) this.pair(partner, entry);
    }
  }

  clear(): void {
    for (const entry of this.waiting.values()) clearTimeout(entry.timer);
    this.waiting.clear();
    this.byInterest.clear();
    this.wide.clear();
  }

  private widen(entry: Waiting): void {
    if (this.waiting.get(entry.seeker.key) !== entry) return;
    this.markWide(entry);
    const partner = this.bestFor(entry);
    if (partner) this.pair(partner, entry);
  }

  private pair(first: Waiting, second: Waiting): void {
    this.detach(first);
    this.detach(second);
    this.onMatch({ a: first.seeker, b: second.seeker, commonInterests: commonInterests(first.seeker, second.seeker) });
  }

  private markWide(entry: Waiting): void {
    clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.wide = true;
    this.wide.add(entry);
  }

  private detach(entry: Waiting): void {
    clearTimeout(entry.timer);
    this.waiting.delete(entry.seeker.key);
    this.wide.delete(entry);
    for (const interest of entry.seeker.interests) {
      const bucket = this.byInterest.get(interest);
      if (!bucket) continue;
      bucket.delete(entry);
      if (bucket.size === 0) this.byInterest.delete(interest);
    }
  }

  private eligible(a: Seeker, b: Seeker): boolean {
    return a.key !== b.key && a.accountId !== b.accountId && !this.policy.excluded(a, b);
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

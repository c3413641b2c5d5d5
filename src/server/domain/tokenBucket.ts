/**
 * A synchronous token bucket per key: `capacity` tokens, refilled at `perSecond`.
 * Used for the per-message limit, which is checked on the relay's hot path,
 * where an awaited limiter costs a promise chain per message (bench/README.md).
 */
type Bucket = { tokens: number; at: number };

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
  ) {
    // A full bucket is the same as none: forget those now and then, so memory follows activity.
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  /**
   * Takes one token: 0 when allowed, else the milliseconds until one is
   * available. `share` (0 < share ≤ 1) scales the bucket: this node's part of
   * a rate that several nodes grant together.
   */
  take(key: string, share = 1, now = Date.now()): number {
    const capacity = this.capacity * share;
    const perSecond = this.perSecond * share;
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = { tokens: capacity, at: now }));
    else {
      bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / perSecond) * 1000);
  }

  get size(): number {
    return this.buckets.size;
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private sweep(now = Date.now()): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond >= this.capacity) this.buckets.delete(key);
    }
  }
}

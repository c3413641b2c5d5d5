/**
 * One socket's frame budget (docs/protocol.md, "frame budget"): token buckets
 * refilled lazily from a timestamp, so no timers, O(1) and no allocation per
 * frame (this runs on the relay's hot path).
 *
 * Over budget, the first frame is refused (the gateway answers `rate_limited`
 * once) and later ones are dropped without a reply until the bucket has room
 * again, so a flood cannot make the server write a flood of errors. Dropped
 * frames still cost: a client that keeps flooding sinks deeper, and past
 * `floodFactor` bursts of debt it is closed.
 */
import { FRAME_BUDGET } from '../../shared/limits.js';
import type { ClientFrame } from '../../shared/protocol.js';

export const ALLOW = 0;
export const REFUSE = 1;
export const DROP = 2;
export const CLOSE = 3;
export type Verdict = typeof ALLOW | typeof REFUSE | typeof DROP | typeof CLOSE;

export type FrameBudgetLimits = {
  burst: number;
  perSecond: number;
  floodFactor: number;
  readIdsPerFrame: number;
  typing: { burst: number; perSecond: number };
  ping: { burst: number; perSecond: number };
  beforeReady: number;
};

class Bucket {
  private tokens: number;
  private at: number;
  private readonly perMs: number;
  private readonly floor: number;
  private refused = false;
  /** After REFUSE: how long until a frame of cost 1 would pass, if the client sends nothing meanwhile. */
  retryAfterMs = 0;

  constructor(
    private readonly burst: number,
    perSecond: number,
    floodFactor: number,
    now: number,
  ) {
    this.tokens = burst;
    this.at = now;
    this.perMs = perSecond / 1000;
    this.floor = -burst * floodFactor;
  }

  take(cost: number, now: number): Verdict {
    let tokens = this.tokens;
    // A clock that steps back refills nothing (and takes nothing).
    if (now > this.at) {
      tokens += (now - this.at) * this.perMs;
      if (tokens > this.burst) tokens = this.burst;
      this.at = now;
    }
    if (tokens >= cost) {
      this.tokens = tokens - cost;
      this.refused = false;
      return ALLOW;
    }
    this.tokens = tokens - cost;
    if (this.tokens < this.floor) return CLOSE;
    if (this.refused) return DROP;
    this.refused = true;
    this.retryAfterMs = Math.ceil((1 - this.tokens) / this.perMs);
    return REFUSE;
  }
}

/** Every frame of one socket, plus small caps of their own for `typing` and `ping`. */
export class FrameBudget {
  private readonly all: Bucket;
  private typingBucket: Bucket | undefined;
  private pingBucket: Bucket | undefined;
  private early = 0;
  /** Set with each REFUSE: what to tell the client in `retryAfterMs`. */
  retryAfterMs = 0;

  constructor(
    now: number,
    private readonly limits: FrameBudgetLimits = FRAME_BUDGET,
  ) {
    this.all = new Bucket(limits.burst, limits.perSecond, limits.floodFactor, now);
  }

  /** A frame before `ready` (hello included): false once the small allowance is spent. */
  beforeReady(): boolean {
    return ++this.early <= this.limits.beforeReady;
  }

  /** Any frame after `ready`, charged before it is even parsed. */
  frame(now: number): Verdict {
    return this.verdict(this.all, 1, now);
  }

  /** The extra charge of some frames once parsed: `typing` and `ping` have caps of their own, a `read` costs by its ids. */
  parsed(frame: ClientFrame, now: number): Verdict {
    switch (frame.type) {
      case 'typing': {
        const { burst, perSecond } = this.limits.typing;
        return this.verdict((this.typingBucket ??= new Bucket(burst, perSecond, this.limits.floodFactor, now)), 1, now);
      }
      case 'ping': {
        const { burst, perSecond } = this.limits.ping;
        return this.verdict((this.pingBucket ??= new Bucket(burst, perSecond, this.limits.floodFactor, now)), 1, now);
      }
      case 'read': {
        const cost = Math.floor(frame.ids.length / this.limits.readIdsPerFrame);
        return cost === 0 ? ALLOW : this.verdict(this.all, cost, now);
      }
      default:
        return ALLOW;
    }
  }

  private verdict(bucket: Bucket, cost: number, now: number): Verdict {
    const verdict = bucket.take(cost, now);
    if (verdict === REFUSE) this.retryAfterMs = bucket.retryAfterMs;
    return verdict;
  }
}

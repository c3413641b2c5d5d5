import { describe, expect, it } from 'vitest';
import { TokenBuckets } from '../../src/server/domain/tokenBucket.js';

describe('token bucket', () => {
  it('allows a burst of `capacity`, then the steady rate, and says how long to wait', () => {
    const buckets = new TokenBuckets(10, 5);
    const t0 = 1_000_000;
    for (let i = 0; i < 10; i++) expect(buckets.take('a', 1, t0)).toBe(0);
    expect(buckets.take('a', 1, t0)).toBe(200); // one token every 200 ms
    expect(buckets.take('a', 1, t0 + 100)).toBe(100);
    expect(buckets.take('a', 1, t0 + 200)).toBe(0);
    expect(buckets.take('a', 1, t0 + 200)).toBeGreaterThan(0);
    // keys are independent
    expect(buckets.take('b', 1, t0 + 200)).toBe(0);
    // a long pause refills, but never above the capacity
    for (let i = 0; i < 10; i++) expect(buckets.take('a', 1, t0 + 60_000)).toBe(0);
    expect(buckets.take('a', 1, t0 + 60_000)).toBeGreaterThan(0);
    buckets.close();
  });
});

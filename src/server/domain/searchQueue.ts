/**
 * The search queue port: who is paired with whom (PROTOCOL §3, docs/protocol.md "Matching").
 * Two implementations follow one policy: in process (matching.ts, one node) and
 * in Redis (cluster/redisSearchQueue.ts, several nodes); one test suite,
 * test/integration/matchingPolicy.contract.test.ts, runs over both.
 *
 * Policy: two seekers are paired when they share interests, the most shared
 * first, then the longest wait; a seeker with no interests, or one who has
 * waited `widenAfterMs`, is "wide" and may be paired with anyone. Never with
 * itself (same account, e.g. two tabs), never a blocked pair, never two
 * accounts kept apart after a chat (`keepApart`) until that ends; then the
 * waiting are looked at again. With `near`, a partner in the same country wins
 * over a bigger overlap.
 */

export type Seeker = {
  /** The seat's id: one search per seat. */
  readonly key: string;
  readonly accountId: string;
  readonly nickname: string;
  readonly interests: ReadonlySet<string>;
  readonly near: boolean;
  readonly country: string | undefined;
  readonly since: number;
  /** Accounts this one blocked or was blocked by, as of the search's start. */
  readonly blocked: ReadonlySet<string>;
};

/** `a` waited; `b` found them (or, both waiting, `a` is the one looked at first). */
export type Pairing = { a: Seeker; b: Seeker; commonInterests: string[] };

/** What a queue tells its owner (the lobby), given once, when the queue is made. */
export interface SearchEvents {
  /** Two seekers of this node were paired; the queue has let go of both. */
  matched(pairing: Pairing): void;
}

export interface SearchQueue {
  /** Seekers of this node searching now. */
  readonly size: number;
  /** Pairs the seeker as soon as someone fits (perhaps at once), else keeps it waiting. */
  add(seeker: Seeker): void;
  /** The search stopped (cancel, a match made elsewhere, the socket left). */
  remove(key: string): void;
  /** Two accounts that just chatted are not paired again for `ms`. */
  keepApart(a: string, b: string, ms: number): void;
  /** Resolves once the work started so far (claims, widening) is done; at once in process. */
  settled(): Promise<void>;
  /** Shutdown: every search of this node stops, its timers too. */
  clear(): void;
}

export type SearchQueueFactory = (events: SearchEvents) => SearchQueue;

/** The queue's time: widening and the end of a cooldown. Tests pass a fake one. */
export interface QueueClock {
  now(): number;
  /** Runs `task` after `ms`; the function returned cancels it. */
  after(ms: number, task: () => void): () => void;
}

export const systemClock: QueueClock = {
  now: () => Date.now(),
  after(ms, task) {
    const timer = setTimeout(task, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

export function commonInterests(a: Seeker, b: Seeker): string[] {
  const [small, large] = a.interests.size <= b.interests.size ? [a, b] : [b, a];
  const common: string[] = [];
  for (const interest of small.interests) if (large.interests.has(interest)) common.push(interest);
  return common.sort();
}

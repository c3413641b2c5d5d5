/**
 * The matching policy (PROTOCOL.md "Matching", docs/protocol.md "Matching"),
 * one suite over every SearchQueue: in process (one node) and Redis (several
 * nodes, its Lua scripts; runs when REDIS_URL is set). Time is a fake clock
 * given to the queue: widening and cooldowns happen when a test moves it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NodeBus } from '../../src/server/cluster/nodeBus.js';
import { RedisSearchQueue } from '../../src/server/cluster/redisSearchQueue.js';
import { InProcessSearchQueue } from '../../src/server/domain/matching.js';
import type { Pairing, SearchEvents, SearchQueue, Seeker } from '../../src/server/domain/searchQueue.js';
import { FakeClock } from '../helpers/fakeClock.js';

const WIDEN_MS = 5_000;
const COOLDOWN_MS = 30_000;
const redisUrl = process.env.REDIS_URL;

type Opened = { queue: SearchQueue; close(): Promise<void> };
type Implementation = { name: string; available: boolean; open(clock: FakeClock, events: SearchEvents): Promise<Opened> };

const implementations: Implementation[] = [
  {
    name: 'in-process',
    available: true,
    async open(clock, events) {
      const queue = new InProcessSearchQueue({ widenAfterMs: WIDEN_MS, clock }, events);
      return { queue, close: async () => queue.clear() };
    },
  },
  {
    name: 'redis',
    available: redisUrl !== undefined,
    async open(clock, events) {
      const bus = await NodeBus.open(redisUrl!, 60_000);
      // A queue of its own per test: suites running at the same time never see each other's searchers.
      const prefix = `metsony:test-policy-${Math.random().toString(36).slice(2, 10)}:`;
      const queue = new RedisSearchQueue(bus, { widenAfterMs: WIDEN_MS, clock, prefix }, events, () => {
        throw new Error('one node: no match may cross nodes');
      });
      return {
        queue,
        async close() {
          queue.clear();
          await queue.settled();
          const keys = await bus.client.keys(`${prefix}*`);
          if (keys.length > 0) await bus.client.del(...keys);
          await bus.close();
        },
      };
    },
  },
];

describe.each(implementations)('matching policy: $name queue', (implementation) => {
  let clock: FakeClock;
  let queue: SearchQueue;
  let pairs: Pairing[];
  let opened: Opened | undefined;
  let n = 0;

  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });

  async function open(): Promise<void> {
    clock = new FakeClock();
    pairs = [];
    opened = await implementation.open(clock, { matched: (pairing) => void pairs.push(pairing) });
    queue = opened.queue;
  }

  function seeker(accountId: string, interests: string[], extra: Partial<Seeker> = {}): Seeker {
    return {
      key: `seat-${++n}`,
      accountId,
      nickname: accountId,
      interests: new Set(interests),
      near: false,
      country: undefined,
      since: clock.now() + n,
      blocked: new Set(),
      ...extra,
    };
  }

  /** Adds a seeker and waits until the queue has dealt with it (paired or waiting). */
  async function add(s: Seeker): Promise<Seeker> {
    queue.add(s);
    await queue.settled();
    return s;
  }

  async function advance(ms: number): Promise<void> {
    clock.advance(ms);
    await queue.settled();
  }

  const names = (p: Pairing | undefined) => (p ? [p.a.accountId, p.b.accountId].sort() : undefined);

  it.skipIf(!implementation.available)('pairs two who share an interest, naming what they share (sorted), and lets go of both', async () => {
    await open();
    await add(seeker('a', ['jazz', 'chess']));
    expect(pairs).toHaveLength(0);
    expect(queue.size).toBe(1);
    await add(seeker('b', ['go', 'jazz', 'chess']));
    expect(names(pairs[0])).toEqual(['a', 'b']);
    expect(pairs[0]!.commonInterests).toEqual(['chess', 'jazz']);
    expect(queue.size).toBe(0);
  });

  it.skipIf(!implementation.available)('the more interests shared, the sooner: the biggest overlap wins over a longer wait', async () => {
    await open();
    await add(seeker('one', ['chess', 'x1']));
    await add(seeker('three', ['go', 'film', 'art', 'x3']));
    await add(seeker('two', ['jazz', 'tea', 'x2']));
    expect(pairs).toHaveLength(0);
    await add(seeker('me', ['chess', 'jazz', 'tea', 'go', 'film', 'art']));
    expect(names(pairs[0])).toEqual(['me', 'three']);
    expect(pairs[0]!.commonInterests).toEqual(['art', 'film', 'go']);
  });

  it.skipIf(!implementation.available)('among equal overlap, first come, first served', async () => {
    await open();
    await add(seeker('first', ['tea']));
    await add(seeker('second', ['coffee']));
    await add(seeker('third', ['sugar']));
    await add(seeker('me', ['sugar', 'coffee', 'tea']));
    expect(names(pairs[0])).toEqual(['first', 'me']);
    await add(seeker('next', ['sugar', 'coffee']));
    expect(names(pairs[1])).toEqual(['next', 'second']);
  });

  it.skipIf(!implementation.available)('a seeker with no interests is paired at once with whoever waited longest', async () => {
    await open();
    await add(seeker('older', ['chess']));
    await add(seeker('newer', ['knitting']));
    await add(seeker('open', []));
    expect(names(pairs[0])).toEqual(['older', 'open']);
    expect(pairs[0]!.commonInterests).toEqual([]);
  });

  it.skipIf(!implementation.available)('a seeker with interests takes one with none who is waiting', async () => {
    await open();
    await add(seeker('open', []));
    await add(seeker('narrow', ['chess']));
    expect(names(pairs[0])).toEqual(['narrow', 'open']);
  });

  it.skipIf(!implementation.available)('two with nothing in common are paired only once MATCH_WIDEN_AFTER_MS has passed', async () => {
    await open();
    await add(seeker('a', ['chess']));
    await advance(1_000);
    await add(seeker('b', ['knitting']));
    await advance(WIDEN_MS - 1_001);
    expect(pairs).toHaveLength(0);
    await advance(1);
    expect(names(pairs[0])).toEqual(['a', 'b']);
    expect(pairs[0]!.commonInterests).toEqual([]);
    expect(queue.size).toBe(0);
  });

  it.skipIf(!implementation.available)('never the same account (two tabs), however long they wait; someone else is paired with it', async () => {
    await open();
    await add(seeker('same', ['chess']));
    await add(seeker('same', ['chess']));
    await add(seeker('same', []));
    await advance(WIDEN_MS * 3);
    expect(pairs).toHaveLength(0);
    expect(queue.size).toBe(3);
    await add(seeker('other', ['chess']));
    expect(names(pairs[0])).toEqual(['other', 'same']);
  });

  it.skipIf(!implementation.available)('one seat searching twice is one search: never paired with itself', async () => {
    await open();
    const once = seeker('solo', ['chess']);
    await add(once);
    await add(once);
    await advance(WIDEN_MS * 2);
    expect(pairs).toHaveLength(0);
    expect(queue.size).toBe(1);
    // Paired once, and then gone: a second newcomer finds nobody.
    await add(seeker('other', ['chess']));
    await add(seeker('third', ['chess']));
    expect(pairs.map(names)).toEqual([['other', 'solo']]);
    expect(queue.size).toBe(1);
  });

  it.skipIf(!implementation.available)('never a blocked pair, whichever side blocked, even once both are open to anyone', async () => {
    await open();
    await add(seeker('a', ['chess'], { blocked: new Set(['b']) }));
    await add(seeker('b', ['chess']));
    await add(seeker('c', ['go']));
    await add(seeker('d', ['go'], { blocked: new Set(['c']) }));
    await advance(WIDEN_MS * 2);
    // Wide, a may take c or d and b the other: never a with b, nor c with d.
    for (const p of pairs) expect([['a', 'b'], ['c', 'd']]).not.toContainEqual(names(p));
    expect(pairs).toHaveLength(2);
  });

  it.skipIf(!implementation.available)('a blocked pair stays apart when nobody else is there', async () => {
    await open();
    await add(seeker('a', [], { blocked: new Set(['b']) }));
    await add(seeker('b', []));
    await advance(WIDEN_MS * 2);
    expect(pairs).toHaveLength(0);
    await add(seeker('x', [], { blocked: new Set(['y']) }));
    await add(seeker('y', ['chess']));
    await advance(WIDEN_MS * 2);
    expect(pairs.map(names)).not.toContainEqual(['x', 'y']);
  });

  it.skipIf(!implementation.available)('rematch cooldown: two who just chatted are kept apart, a third is paired at once', async () => {
    await open();
    queue.keepApart('a', 'b', COOLDOWN_MS);
    await add(seeker('a', ['chess']));
    await add(seeker('b', ['chess']));
    await add(seeker('b', []));
    expect(pairs).toHaveLength(0);
    await add(seeker('c', ['chess']));
    expect(names(pairs[0])).toEqual(['a', 'c']);
  });

  it.skipIf(!implementation.available)('rematch cooldown: when it ends, the two are paired without a new search', async () => {
    await open();
    queue.keepApart('a', 'b', COOLDOWN_MS);
    await add(seeker('a', ['chess']));
    await add(seeker('b', ['chess']));
    await advance(WIDEN_MS);
    expect(pairs).toHaveLength(0);
    await advance(COOLDOWN_MS - WIDEN_MS - 1);
    expect(pairs).toHaveLength(0);
    await advance(1);
    expect(names(pairs[0])).toEqual(['a', 'b']);
    expect(queue.size).toBe(0);
  });

  it.skipIf(!implementation.available)('a cooldown keeps only its own two apart', async () => {
    await open();
    queue.keepApart('a', 'b', COOLDOWN_MS);
    await add(seeker('a', ['chess']));
    await add(seeker('c', ['chess']));
    expect(names(pairs[0])).toEqual(['a', 'c']);
  });

  it.skipIf(!implementation.available)('a cancelled search is out of the queue', async () => {
    await open();
    const a = await add(seeker('a', ['chess']));
    queue.remove(a.key);
    await queue.settled();
    expect(queue.size).toBe(0);
    await add(seeker('b', ['chess']));
    await add(seeker('c', []));
    expect(names(pairs[0])).toEqual(['b', 'c']);
    await advance(WIDEN_MS * 2);
    expect(pairs).toHaveLength(1);
  });

  it.skipIf(!implementation.available)('"near": a partner in the same country wins over a bigger overlap and a longer wait', async () => {
    await open();
    await add(seeker('far', ['jazz', 'go'], { country: 'US' }));
    await add(seeker('close', ['chess'], { country: 'DE' }));
    expect(pairs).toHaveLength(0);
    await add(seeker('me', ['chess', 'jazz', 'go'], { country: 'DE', near: true }));
    expect(names(pairs[0])).toEqual(['close', 'me']);
  });

  it.skipIf(!implementation.available)('without "near", the bigger overlap wins whatever the country', async () => {
    await open();
    await add(seeker('far', ['jazz', 'go'], { country: 'US' }));
    await add(seeker('close', ['chess'], { country: 'DE' }));
    await add(seeker('me', ['chess', 'jazz', 'go'], { country: 'DE' }));
    expect(names(pairs[0])).toEqual(['far', 'me']);
  });

  it.skipIf(!implementation.available)('"near", open to anyone: the same country first, even without a shared interest', async () => {
    await open();
    await add(seeker('shares', ['chess'], { country: 'US' }));
    await add(seeker('neighbour', ['knitting'], { country: 'DE' }));
    await add(seeker('me', [], { country: 'DE', near: true }));
    expect(names(pairs[0])).toEqual(['me', 'neighbour']);
  });
});

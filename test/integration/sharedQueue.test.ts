/**
 * The shared search queue's Lua scripts (several nodes) follow the same policy
 * as the in-process Matchmaker: most overlap first, never the same account, never
 * a blocked or just-left pair, "near" first, wide searchers take anyone, and
 * searchers on a dead node are skipped. Runs when REDIS_URL is set.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FIND, REMOVE, WIDEN } from '../../src/server/cluster/sharedQueueScripts.js';

const redisUrl = process.env.REDIS_URL;

describe.runIf(redisUrl)('shared search queue (Redis scripts)', () => {
  let redis: Redis;
  let prefix: string;
  const node = `node-${Math.random().toString(36).slice(2, 8)}`;
  beforeAll(async () => {
    redis = new Redis(redisUrl!);
    await redis.set(`metsony:alive:${node}`, '1', 'PX', 60_000);
  });
  afterAll(async () => {
    await redis.del(`metsony:alive:${node}`);
    const keys = await redis.keys('metsony:test-mq-*');
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });
  beforeEach(() => {
    prefix = `metsony:test-mq-${Math.random().toString(36).slice(2, 8)}:`;
  });

  let n = 0;
  const entry = (account: string, interests: string[], extra: Record<string, unknown> = {}) => ({
    key: `k${++n}`,
    node,
    account,
    nickname: account,
    interests,
    country: '',
    near: false,
    blocked: [] as string[],
    since: n,
    wide: interests.length === 0,
    ...extra,
  });
  const run = async (script: string, e: object) => {
    const out = (await redis.eval(script, 0, prefix, JSON.stringify(e), 200, 60_000)) as string | null;
    return out && out !== 'gone' ? (JSON.parse(out) as { account: string }).account : out;
  };

  it('queues the first, pairs on shared interest, most overlap first, then longest wait', async () => {
    expect(await run(FIND, entry('one', ['chess', 'x1']))).toBeNull();
    expect(await run(FIND, entry('three', ['go', 'film', 'art']))).toBeNull();
    expect(await run(FIND, entry('two', ['jazz', 'tea']))).toBeNull();
    expect(await run(FIND, entry('me', ['chess', 'jazz', 'tea', 'go', 'film', 'art']))).toBe('three');
    expect(await run(FIND, entry('tea-lover', ['tea', 'chess']))).toBe('one'); // equal overlap: waited longer
  });

  it('never the same account, a blocked pair, or a pair kept apart after a chat', async () => {
    expect(await run(FIND, entry('a', ['chess']))).toBeNull();
    expect(await run(FIND, entry('a', ['chess']))).toBeNull(); // second tab
    expect(await run(FIND, entry('b', ['chess'], { blocked: ['a'] }))).toBeNull();
    await redis.set(`${prefix}recent:c`, 'a', 'PX', 60_000);
    expect(await run(FIND, entry('c', ['chess']))).toBe('b'); // not a (just left); b is free
    expect(await run(FIND, entry('d', ['chess']))).toBe('a');
  });

  it('with "near", the same country wins over a bigger overlap', async () => {
    expect(await run(FIND, entry('far', ['jazz', 'go'], { country: 'US' }))).toBeNull();
    expect(await run(FIND, entry('close', ['chess'], { country: 'DE' }))).toBeNull();
    expect(await run(FIND, entry('me', ['chess', 'jazz', 'go'], { country: 'DE', near: true }))).toBe('close');
  });

  it('a wide searcher takes anyone; widening pairs the ones left waiting; removal is final', async () => {
    const a = entry('a', ['knitting']);
    const b = entry('b', ['rally']);
    expect(await run(FIND, a)).toBeNull();
    expect(await run(FIND, b)).toBeNull();
    expect(await run(WIDEN, { ...b, wide: true })).toBe('a');
    expect(await run(WIDEN, { ...a, wide: true })).toBe('gone'); // a was claimed
    const c = entry('c', ['solo']);
    expect(await run(FIND, c)).toBeNull();
    expect(Number(await redis.eval(REMOVE, 0, prefix, c.key))).toBe(1);
    expect(Number(await redis.eval(REMOVE, 0, prefix, c.key))).toBe(0);
    expect(await run(FIND, entry('open', []))).toBeNull(); // nobody left
  });

  it('skips searchers whose node stopped its heartbeat', async () => {
    expect(await run(FIND, entry('ghost', ['chess'], { node: 'dead-node' }))).toBeNull();
    expect(await run(FIND, entry('alive', ['chess']))).toBeNull();
  });
});

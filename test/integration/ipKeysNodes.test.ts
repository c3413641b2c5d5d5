/**
 * Issue 9, finding 13, with several nodes: per-address limits agree across
 * nodes sharing Redis, and Redis holds HMAC keys, never a plain hash of an
 * address. Runs when REDIS_URL is set.
 */
import { createHash, randomInt } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/http.js';
import { type Running, startService } from '../helpers/inProcess.js';

const redisUrl = process.env.REDIS_URL;

describe.runIf(redisUrl)('per-address keys on two nodes sharing Redis', () => {
  let node1: Running;
  let node2: Running;
  beforeAll(async () => {
    const env = { REDIS_URL: redisUrl!, RATE_SIGNUP: '2/60', TRUST_PROXY: '127.0.0.1', NODE_TTL_MS: '900' };
    node1 = await startService(env);
    node2 = await startService(env);
  });
  afterAll(async () => {
    await node1?.stop();
    await node2?.stop();
  });

  it('an address limited on one node is limited on the other; Redis keys are not the SHA-256 of the address', async () => {
    const ip = `198.18.${randomInt(256)}.${randomInt(256)}`; // fresh per run: counters outlive the test for a minute
    const signUp = (node: Running) =>
      api(node.url, 'POST', '/api/accounts', { body: { nickname: 'n', interests: [], adult: true }, headers: { 'x-forwarded-for': ip } });
    expect((await signUp(node1)).status).toBe(201);
    expect((await signUp(node2)).status).toBe(201);
    expect((await signUp(node1)).status).toBe(429);
    expect((await signUp(node2)).status).toBe(429);

    const client = new Redis(redisUrl!);
    try {
      const keys = await client.keys('metsony:rl:signup*');
      expect(keys.length).toBeGreaterThan(0);
      const plain = [ip, `ip:${ip}`].flatMap((t) => {
        const d = createHash('sha256').update(t).digest();
        return [d.toString('hex'), d.toString('base64url')];
      });
      for (const key of keys) for (const p of [...plain, ip]) expect(key).not.toContain(p);
    } finally {
      client.disconnect();
    }
  });
});

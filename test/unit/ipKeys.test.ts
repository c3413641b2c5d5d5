/** Issue 9, finding 13: per-address keys are an HMAC with a rotating in-memory secret; IPv6 by its /64. */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { redisSecrets } from '../../src/server/cluster/redisAdapters.js';
import { IP_KEY_ROTATION_MS, IpKeys, memorySecrets, networkPrefix, subscriberPrefix } from '../../src/server/domain/ipKeys.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest();

describe('prefixes', () => {
  it('an IPv4 address is itself; IPv6 is its /64; networks are /24 and /48', () => {
    expect(subscriberPrefix('198.51.100.7')).toBe('4:198.51.100.7/32');
    expect(subscriberPrefix('2001:db8:1:2:aaaa::1')).toBe(subscriberPrefix('2001:0db8:0001:0002:ffff:1:2:3'));
    expect(subscriberPrefix('2001:db8:1:2::1')).not.toBe(subscriberPrefix('2001:db8:1:3::1'));
    expect(subscriberPrefix('::ffff:198.51.100.7')).toBe(subscriberPrefix('198.51.100.7'));
    expect(subscriberPrefix('::1')).toBe('6:0:0:0:0/64');
    expect(networkPrefix('198.51.100.7')).toBe(networkPrefix('198.51.100.250'));
    expect(networkPrefix('198.51.100.7')).not.toBe(networkPrefix('198.51.101.7'));
    expect(networkPrefix('2001:db8:1:2::1')).toBe(networkPrefix('2001:db8:1:ffff::9'));
    expect(networkPrefix('2001:db8:1::1')).not.toBe(networkPrefix('2001:db8:2::1'));
  });
});

describe('IpKeys', () => {
  it('two IPv6 addresses in one /64 share a key; another /64 does not', async () => {
    const keys = new IpKeys();
    expect(await keys.key('2001:db8:5:6::1')).toBe(await keys.key('2001:db8:5:6:7:8:9:a'));
    expect(await keys.key('2001:db8:5:6::1')).not.toBe(await keys.key('2001:db8:5:7::1'));
  });

  it('is not a plain hash of the address, and differs between processes (random secret)', async () => {
    const ip = '198.51.100.7';
    const key = await new IpKeys().key(ip);
    const plain = [ip, `ip:${ip}`, subscriberPrefix(ip), `addr|${subscriberPrefix(ip)}`];
    for (const text of plain) {
      const digest = sha256(text);
      expect(key).not.toBe(digest.toString('hex'));
      expect(key).not.toBe(digest.toString('base64url'));
    }
    expect(key).not.toContain(ip);
    expect(await new IpKeys().key(ip)).not.toBe(key);
  });

  it('rotation changes every key; the previous period’s network key is still recognised for one period', async () => {
    let now = 10 * IP_KEY_ROTATION_MS + 1000;
    const keys = new IpKeys(memorySecrets(), () => now);
    const ip = '2001:db8:9::1';
    const first = await keys.key(ip);
    const firstNet = await keys.networkKeys(ip);
    now += IP_KEY_ROTATION_MS - 2000; // still the same period
    expect(await keys.key(ip)).toBe(first);
    now += 2000; // next period
    const second = await keys.key(ip);
    expect(second).not.toBe(first);
    const secondNet = await keys.networkKeys(ip);
    expect(secondNet[0]).not.toBe(firstNet[0]);
    expect(secondNet[1]).toBe(firstNet[0]); // a report from before the rotation still matches
    now += IP_KEY_ROTATION_MS;
    expect((await keys.networkKeys(ip)).some((k) => firstNet.includes(k))).toBe(false);
  });
});

describe.skipIf(!process.env.REDIS_URL)('IpKeys shared through Redis', () => {
  it('two nodes derive the same keys; the secret expires with the period after next', async () => {
    const client = new Redis(process.env.REDIS_URL!);
    try {
      const fixed = (1000 + Math.floor(Math.random() * 1e6)) * IP_KEY_ROTATION_MS; // a period no other test uses
      const now = () => fixed;
      const period = Math.floor(now() / IP_KEY_ROTATION_MS);
      await client.del(`metsony:ipkey:${period}`, `metsony:ipkey:${period - 1}`);
      const nodeA = new IpKeys(redisSecrets(client), now);
      const nodeB = new IpKeys(redisSecrets(client), now);
      expect(await nodeA.key('198.51.100.7')).toBe(await nodeB.key('198.51.100.7'));
      const ttl = await client.pttl(`metsony:ipkey:${period}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(2 * IP_KEY_ROTATION_MS);
      await client.del(`metsony:ipkey:${period}`, `metsony:ipkey:${period - 1}`);
    } finally {
      client.disconnect();
    }
  });
});

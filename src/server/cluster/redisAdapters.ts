/**
 * The Redis side of domain ports, for several nodes: Connect handshakes,
 * rate-limit counters and the per-address key secret, shared by every node.
 * The domain keeps only the ports and their in-process versions.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { HANDSHAKE_TTL_MS, type Handshakes } from '../domain/handshakes.js';
import { IP_KEY_ROTATION_MS, type SecretSource } from '../domain/ipKeys.js';
import type { LimiterFactory } from '../domain/rateLimits.js';
import type { SpentProofs } from '../domain/challenges.js';
import type { Clock } from '../domain/ipKeys.js';
import { Unavailable } from '../domain/unavailable.js';

const ASK = `
if redis.call('SISMEMBER', KEYS[1], ARGV[2]) == 1 then
  redis.call('DEL', KEYS[1])
  return 1
end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 0`;

export class RedisHandshakes implements Handshakes {
  constructor(private readonly client: Redis) {}

  async ask(chatId: string, accountId: string, partnerId: string): Promise<boolean> {
    return Number(await this.client.eval(ASK, 1, `metsony:hs:${chatId}`, accountId, partnerId, HANDSHAKE_TTL_MS)) === 1;
  }
}

/** Counters in Redis (keys expire with their window), shared by every node. */
export const redisLimiter =
  (client: Redis): LimiterFactory =>
  (name, rate) =>
    new RateLimiterRedis({
      storeClient: client,
      keyPrefix: `metsony:rl:${name}`,
      points: rate.points,
      duration: rate.seconds,
      // While Redis is away, fail at once (→ `unavailable`) instead of queueing the command.
      rejectIfRedisNotReady: true,
    });

/** The first node to ask creates the period's secret; the rest read it. It expires with the period after. */
export function redisSecrets(client: Redis, rotationMs = IP_KEY_ROTATION_MS): SecretSource {
  return {
    async secret(period) {
      const key = `metsony:ipkey:${period}`;
      await client.set(key, randomBytes(32).toString('base64'), 'PX', rotationMs * 2, 'NX');
      const stored = await client.get(key);
      if (!stored) throw new Error('the per-address key secret vanished from Redis');
      return Buffer.from(stored, 'base64');
    },
  };
}

/** Spent proof-of-work challenges, shared so that a proof spent on one node is refused on every other. */
export function redisSpent(client: Redis, now: Clock): SpentProofs {
  return {
    async spend(signature, expiresAtMs) {
      const ttl = Math.max(1000, expiresAtMs - now());
      const set = await client.set(`metsony:pow:${signature}`, '1', 'PX', ttl, 'NX').catch((err: unknown) => {
        throw new Unavailable('the spent-challenge store', undefined, { cause: err });
      });
      return set === 'OK';
    },
  };
}

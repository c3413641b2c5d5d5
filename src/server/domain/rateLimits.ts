/**
 * Rate limits (rate-limiter-flexible): per client IP for sign-up and sign-in
 * (the IP lives only in this process's memory, as a key that expires), per
 * account for everything sent over the socket. Memory by default; the same
 * limiters run on Redis when given a client.
 */
import type { Redis } from 'ioredis';
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config, Rate, RateName } from '../config.js';

export type LimitName = Exclude<RateName, 'messageBurst'>;
export type LimitResult = { ok: true } | { ok: false; retryAfterMs: number };

type Consumer = Pick<RateLimiterAbstract, 'consume'> | BurstyRateLimiter;

export type LimiterFactory = (name: string, rate: Rate) => RateLimiterAbstract;

export const memoryLimiter: LimiterFactory = (name, rate) =>
  new RateLimiterMemory({ keyPrefix: name, points: rate.points, duration: rate.seconds });

/** Counters in Redis (keys expire with their window), shared by every node. */
export const redisLimiter =
  (client: Redis): LimiterFactory =>
  (name, rate) =>
    new RateLimiterRedis({ storeClient: client, keyPrefix: `metsony:rl:${name}`, points: rate.points, duration: rate.seconds });

export class RateLimits {
  private readonly limiters: Record<LimitName, Consumer> | undefined;

  constructor(safety: Config['safety'], factory: LimiterFactory = memoryLimiter) {
    if (!safety.rateLimits) return;
    const r = safety.rates;
    this.limiters = {
      signup: factory('signup', r.signup),
      signin: factory('signin', r.signin),
      // A steady rate, with a short burst allowed on top (a person pasting a few lines).
      message: new BurstyRateLimiter(factory('message', r.message), factory('message-burst', r.messageBurst)),
      find: factory('find', r.find),
      dm: factory('dm', r.dm),
      connect: factory('connect', r.connect),
      report: factory('report', r.report),
    };
  }

  async consume(name: LimitName, key: string): Promise<LimitResult> {
    if (!this.limiters) return { ok: true };
    try {
      await this.limiters[name].consume(key);
      return { ok: true };
    } catch (err) {
      if (err instanceof RateLimiterRes) return { ok: false, retryAfterMs: Math.max(1, Math.ceil(err.msBeforeNext)) };
      throw err;
    }
  }
}

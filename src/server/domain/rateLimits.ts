/**
 * Rate limits: per client address for sign-up, sign-in and translation (an
 * HMAC of the address, see ipKeys.ts, as a key that expires), per account for what is sent over the socket. Memory by
 * default (rate-limiter-flexible); the same limiters run on Redis with several nodes
 * (cluster/redisAdapters.ts). Chat messages use a synchronous token bucket instead (see
 * tokenBucket.ts).
 */
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config, Rate, RateName } from '../config.js';
import { Tally } from '../tally.js';
import { IpKeys } from './ipKeys.js';
import { TokenBuckets } from './tokenBucket.js';
import { Unavailable } from './unavailable.js';

export type LimitName = Exclude<RateName, 'message'>;
export type LimitResult = { ok: true } | { ok: false; retryAfterMs: number };

const ALLOWED: LimitResult = { ok: true };

export type LimiterFactory = (name: string, rate: Rate) => RateLimiterAbstract;

export const memoryLimiter: LimiterFactory = (name, rate) =>
  new RateLimiterMemory({ keyPrefix: name, points: rate.points, duration: rate.seconds });

export class RateLimits {
  /** Refusals by limit name (`message` included), for /metrics. */
  readonly hits = new Tally();
  private readonly limiters: Record<LimitName, RateLimiterAbstract> | undefined;
  /** Chat messages: a burst, then a steady rate; with several nodes each grants its share (`share`) of the account's rate. */
  private readonly messages: TokenBuckets | undefined;

  constructor(
    safety: Config['safety'],
    factory: LimiterFactory = memoryLimiter,
    private readonly ipKeys: IpKeys = new IpKeys(),
    /** This node's share of an account's message rate: 1 divided by the nodes holding its sockets. */
    private readonly share: (accountId: string) => number = () => 1,
  ) {
    if (!safety.rateLimits) return;
    const r = safety.rates;
    this.limiters = {
      signup: factory('signup', r.signup),
      signin: factory('signin', r.signin),
      find: factory('find', r.find),
      dm: factory('dm', r.dm),
      connect: factory('connect', r.connect),
      report: factory('report', r.report),
      translate: factory('translate', r.translate),
      translateIp: factory('translateIp', r.translateIp),
      googleStart: factory('googleStart', r.googleStart),
    };
    this.messages = new TokenBuckets(safety.messageBurst, r.message.points / r.message.seconds);
  }

  /** Synchronous, for the relay's hot path. */
  message(accountId: string): LimitResult {
    if (!this.messages) return ALLOWED;
    const waitMs = this.messages.take(accountId, this.share(accountId));
    if (waitMs === 0) return ALLOWED;
    this.hits.add('message');
    return { ok: false, retryAfterMs: waitMs };
  }

  close(): void {
    this.messages?.close();
  }

  /** Per client address: keyed by ipKeys.ts (an HMAC with a rotating secret; IPv6 by its /64). */
  async consumeForAddress(name: LimitName, ip: string | undefined): Promise<LimitResult> {
    if (!this.limiters) return ALLOWED;
    const key = await this.ipKeys.key(ip ?? 'unknown').catch(storeFailed);
    return this.consume(name, key);
  }

  async consume(name: LimitName, key: string): Promise<LimitResult> {
    if (!this.limiters) return ALLOWED;
    try {
      await this.limiters[name].consume(key);
      return ALLOWED;
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        this.hits.add(name);
        return { ok: false, retryAfterMs: Math.max(1, Math.ceil(err.msBeforeNext)) };
      }
      return storeFailed(err);
    }
  }
}

/** Anything but a verdict means the limiter's store (Redis) did not answer: the request cannot be checked, so it waits. */
function storeFailed(err: unknown): never {
  throw new Unavailable('the rate limiter', undefined, { cause: err });
}

/**
 * A per-client-address limit for an HTTP route: keyed on an HMAC of the
 * address (ipKeys.ts), held in the limiter's memory (or Redis, with a TTL)
 * only; a 429 `rate_limited` with `retryAfterMs` (and so `Retry-After`) when over.
 */
import type { FastifyRequest } from 'fastify';
import type { LimitName, RateLimits } from '../domain/rateLimits.js';
import { AppError } from '../errors.js';
import type { ClientIpResolver } from './clientIp.js';

export async function limitPerIp(limits: RateLimits, clientIp: ClientIpResolver, name: LimitName, request: FastifyRequest): Promise<void> {
  const verdict = await limits.consumeForAddress(name, clientIp(request.raw.socket.remoteAddress, request.headers));
  if (!verdict.ok) {
    throw new AppError('rate_limited', 'Too many attempts from your network; try again later.', 429, { retryAfterMs: verdict.retryAfterMs });
  }
}

/**
 * A per-client-IP limit for an HTTP route, keyed like sign-up and sign-in (a
 * hash of the address, held only by the limiter): a 429 `rate_limited` with
 * `retryAfterMs` (and so a `Retry-After` header) when over.
 */
import type { FastifyRequest } from 'fastify';
import type { LimitName, RateLimits } from '../domain/rateLimits.js';
import { hashSecret } from '../domain/secrets.js';
import { AppError } from '../errors.js';
import type { ClientIpResolver } from './clientIp.js';

export async function limitPerIp(limits: RateLimits, clientIp: ClientIpResolver, name: LimitName, request: FastifyRequest): Promise<void> {
  const ip = clientIp(request.raw.socket.remoteAddress, request.headers) ?? 'unknown';
  const verdict = await limits.consume(name, hashSecret(`ip:${ip}`));
  if (!verdict.ok) {
    throw new AppError('rate_limited', 'Too many attempts from your network; try again later.', 429, { retryAfterMs: verdict.retryAfterMs });
  }
}

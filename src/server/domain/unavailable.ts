/**
 * A shared store the request needs (Redis) cannot answer just now. Thrown by
 * the adapter that hit the failure and mapped once at each edge: HTTP answers
 * `503 unavailable` with `Retry-After`, the socket `error {code:"unavailable"}`;
 * both carry `retryAfterMs`. Never `internal`: the outage is logged once
 * elsewhere, not per request.
 */
export const UNAVAILABLE_RETRY_MS = 1000;

export class Unavailable extends Error {
  constructor(
    readonly what: string,
    readonly retryAfterMs: number = UNAVAILABLE_RETRY_MS,
    options?: { cause?: unknown },
  ) {
    super(`${what} cannot be reached just now`, options);
    this.name = 'Unavailable';
  }
}

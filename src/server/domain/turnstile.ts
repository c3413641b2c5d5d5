/**
 * Cloudflare Turnstile (SIGNUP_CHALLENGE=turnstile): the token the widget
 * gave the browser is checked with the siteverify API. Only the secret and
 * the token are sent (not the client's address); Cloudflare refuses a token
 * used twice, so replay is refused there.
 */
import type { ProofVerdict } from './challenges.js';
import { Unavailable } from './unavailable.js';

const TIMEOUT_MS = 5000;

export class Turnstile {
  constructor(private readonly config: { secret: string; verifyUrl: string }) {}

  async verify(token: string): Promise<ProofVerdict> {
    let reply: Response;
    try {
      reply = await fetch(this.config.verifyUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ secret: this.config.secret, response: token }).toString(),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw new Unavailable('Turnstile', undefined, { cause: err });
    }
    if (!reply.ok) throw new Unavailable('Turnstile');
    const body = (await reply.json().catch(() => undefined)) as { success?: unknown } | undefined;
    return body?.success === true ? 'ok' : 'failed';
  }
}

/** Google sign-in and linking (P6); registered only when GOOGLE_CLIENT_ID is set. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { type GoogleSignIn, landingPath } from '../auth/google.js';
import { toMe, type Accounts } from '../domain/accounts.js';
import type { RateLimits } from '../domain/rateLimits.js';
import { notFound } from '../errors.js';
import { auth, authenticate, bearerToken, signedIn } from './authentication.js';
import type { Doorkeeper } from '../domain/doorkeeper.js';
import { proofField, requireProof } from './challengeRoutes.js';
import type { ClientIpResolver } from './clientIp.js';
import { limitPerIp } from './perIpLimit.js';
import { parseBody } from './validation.js';

const StartBody = z.strictObject({ intent: z.enum(['signin', 'link']), proof: proofField });
const CompleteBody = z.strictObject({ ticket: z.string().min(1).max(128), browserKey: z.string().min(1).max(128) });

type Deps = {
  google: GoogleSignIn | undefined;
  accounts: Accounts;
  redirectUri: string | undefined;
  limits: RateLimits;
  clientIp: ClientIpResolver;
  doorkeeper: Doorkeeper;
};

export function registerGoogleRoutes(app: FastifyInstance, deps: Deps): void {
  const { google, accounts, limits, clientIp, doorkeeper } = deps;

  // Unlinking works even if Google sign-in was switched off later.
  app.delete('/api/me/links/google', auth('active'), async (request, reply) => {
    const { account } = signedIn(request);
    if (!(await accounts.unlinkGoogle(account.id))) throw notFound('No Google account is linked.');
    return reply.code(204).send();
  });

  if (!google || !deps.redirectUri) return;
  const callbackBase = new URL(deps.redirectUri);

  /** `{intent:"signin"}` needs no token; `{intent:"link"}` links to the signed-in account. Limited per client IP. */
  app.post('/api/auth/google/start', async (request, reply) => {
    const { intent, proof } = parseBody(StartBody, request.body);
    await limitPerIp(limits, clientIp, 'googleStart', request);
    await requireProof(doorkeeper, clientIp, request, proof);
    // Authenticated here, not by auth(...): a sign-in needs no token, and the body and the limit come first.
    const accountId = intent === 'link' ? (await authenticate(accounts, request, 'active')).account.id : undefined;
    const { url, browserKey } = await google.start(intent, accountId);
    return reply.header('cache-control', 'no-store').send({ url, browserKey });
  });

  app.get('/api/auth/google/callback', async (request, reply) => {
    const current = new URL(request.url, callbackBase);
    const landing = await google.callback(current);
    return reply.header('cache-control', 'no-store').redirect(landingPath(landing), 303);
  });

  /** Redeems a ticket: with the starting browser's key; a link also with a token of the account that started it. */
  app.post('/api/auth/google/complete', async (request, reply) => {
    const { ticket, browserKey } = parseBody(CompleteBody, request.body);
    const done = await google.complete(ticket, browserKey, bearerToken(request));
    reply.header('cache-control', 'no-store');
    return done.intent === 'signin' ? { account: toMe(done.account), token: done.token } : { account: toMe(done.account) };
  });
}

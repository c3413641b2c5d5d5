/** Google sign-in and linking (P6); registered only when GOOGLE_CLIENT_ID is set. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { type GoogleSignIn, landingPath } from '../auth/google.js';
import { toMe, type Accounts } from '../domain/accounts.js';
import type { Store } from '../store/store.js';
import { notFound } from '../errors.js';
import { bearerToken } from './accountsRoutes.js';
import { parseBody } from './validation.js';

const StartBody = z.strictObject({ intent: z.enum(['signin', 'link']) });
const CompleteBody = z.strictObject({ ticket: z.string().min(1).max(128) });

export function registerGoogleRoutes(app: FastifyInstance, deps: { google: GoogleSignIn | undefined; accounts: Accounts; store: Store; redirectUri: string | undefined }): void {
  const { google, accounts, store } = deps;

  // Unlinking works even if Google sign-in was switched off later.
  app.delete('/api/me/links/google', async (request, reply) => {
    const account = await accounts.authenticateActive(bearerToken(request));
    if (!(await store.unlinkIdentity(account.id, 'google'))) throw notFound('No Google account is linked.');
    return reply.code(204).send();
  });

  if (!google || !deps.redirectUri) return;
  const callbackBase = new URL(deps.redirectUri);

  /** `{intent:"signin"}` needs no token; `{intent:"link"}` links to the signed-in account. */
  app.post('/api/auth/google/start', async (request) => {
    const { intent } = parseBody(StartBody, request.body);
    const accountId = intent === 'link' ? (await accounts.authenticateActive(bearerToken(request))).id : undefined;
    return { url: await google.start(intent, accountId) };
  });

  app.get('/api/auth/google/callback', async (request, reply) => {
    const current = new URL(request.url, callbackBase);
    const landing = await google.callback(current);
    return reply.header('cache-control', 'no-store').redirect(landingPath(landing), 303);
  });

  app.post('/api/auth/google/complete', async (request) => {
    const { ticket } = parseBody(CompleteBody, request.body);
    const { account, token } = await google.complete(ticket);
    return { account: toMe(account), token };
  });
}

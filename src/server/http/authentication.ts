/**
 * Bearer-token authentication for HTTP routes, done once: a route declares
 * `auth('active')` (a suspended account gets 403 suspended) or `auth('any')`
 * (a suspended account may still export, delete everything and sign out), and
 * a pre-handler puts the account and its session on the request before the
 * handler runs; the handler reads them with `signedIn(request)`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Accounts, assertNotSuspended } from '../domain/accounts.js';
import { unauthorized } from '../errors.js';
import type { AccountRecord, SessionRecord } from '../store/store.js';

/** Who a route lets in: `active`, only an account that is not suspended; `any`, every signed-in account. */
export type AuthLevel = 'active' | 'any';

export type SignedIn = { account: AccountRecord; session: SessionRecord; token: string };

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthLevel;
  }
  interface FastifyRequest {
    signedIn: SignedIn | null;
  }
}

/** The route option that makes a route need a bearer token of the given level. */
export function auth(level: AuthLevel): { config: { auth: AuthLevel } } {
  return { config: { auth: level } };
}

/** The token of an `Authorization: Bearer …` header, if there is one. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** The account and session of the request's bearer token, or 401 (and 403 suspended for `active`). */
export async function authenticate(accounts: Accounts, request: FastifyRequest, level: AuthLevel): Promise<SignedIn> {
  const token = bearerToken(request);
  if (!token) throw unauthorized();
  const { account, session } = await accounts.authenticateSession(token);
  if (level === 'active') assertNotSuspended(account);
  return { account, session, token };
}

/** Authenticates every route that declares `auth(...)`, before its handler. */
export function registerAuthentication(app: FastifyInstance, accounts: Accounts): void {
  app.decorateRequest('signedIn', null);
  app.addHook('preHandler', async (request) => {
    const level = request.routeOptions.config.auth;
    if (level) request.signedIn = await authenticate(accounts, request, level);
  });
}

/** Who made the request; only for routes declared with `auth(...)`. */
export function signedIn(request: FastifyRequest): SignedIn {
  if (!request.signedIn) throw new Error(`${request.routeOptions.url ?? 'this route'} reads the account but does not declare auth(...)`);
  return request.signedIn;
}

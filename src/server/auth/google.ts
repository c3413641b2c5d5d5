/**
 * Google sign-in and linking (P6), OpenID Connect with PKCE. We keep only the
 * provider's subject id and email, to link; they are erased with the account.
 *
 * No cookies: the browser asks us for the authorization URL (`start`), the
 * pending state waits in memory keyed by its random `state`, and a successful
 * sign-in hands the web app a one-time ticket in the URL fragment, which it
 * exchanges for a token (`complete`). Both expire within minutes.
 */
import * as oidc from 'openid-client';
import type { Config } from '../config.js';
import { assertNotSuspended, type Accounts } from '../domain/accounts.js';
import { newToken } from '../domain/secrets.js';
import { AppError } from '../errors.js';
import { type AccountRecord, IdentityTakenError, type Store } from '../store/store.js';

type GoogleConfig = Extract<Config['google'], { enabled: true }>;
export type Intent = 'signin' | 'link';
type Pending = { intent: Intent; accountId: string | undefined; verifier: string; nonce: string; expires: number };

const PENDING_TTL_MS = 10 * 60_000;
const TICKET_TTL_MS = 60_000;
const MAX_PENDING = 10_000;

/** Where the browser lands after Google: the web app's #/google route with the outcome. */
export type Landing = { ticket: string } | { linked: true } | { error: 'cancelled' | 'failed' | 'expired' | 'not_linked' | 'already_linked' | 'suspended' };

function isLocal(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'http:' && (hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]');
}

export class GoogleSignIn {
  private configuration: Promise<oidc.Configuration> | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly tickets = new Map<string, { accountId: string; expires: number }>();

  constructor(
    private readonly google: GoogleConfig,
    private readonly store: Store,
    private readonly accounts: Accounts,
  ) {}

  /** Discovery happens on first use, so start-up never waits on Google. */
  private config(): Promise<oidc.Configuration> {
    this.configuration ??= oidc
      .discovery(new URL(this.google.issuer), this.google.clientId, undefined, oidc.ClientSecretPost(this.google.clientSecret), {
        // Plain HTTP only for a provider on this machine (tests, development).
        execute: isLocal(this.google.issuer) ? [oidc.allowInsecureRequests] : [],
      })
      .catch((err: unknown) => {
        this.configuration = undefined;
        throw err;
      });
    return this.configuration;
  }

  async start(intent: Intent, accountId: string | undefined): Promise<string> {
    let config: oidc.Configuration;
    try {
      config = await this.config();
    } catch {
      throw new AppError('provider_unavailable', 'Google sign-in is unavailable just now; try again later.', 503);
    }
    this.sweep();
    if (this.pending.size >= MAX_PENDING) throw new AppError('rate_limited', 'Too many sign-ins in progress; try again shortly.', 429, { retryAfterMs: 60_000 });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    this.pending.set(state, { intent, accountId, verifier, nonce, expires: Date.now() + PENDING_TTL_MS });
    return oidc
      .buildAuthorizationUrl(config, {
        redirect_uri: this.google.redirectUri,
        scope: 'openid email',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      })
      .toString();
  }

  /** Google sent the browser back: finish the exchange and say where the web app should land. */
  async callback(currentUrl: URL): Promise<Landing> {
    const state = currentUrl.searchParams.get('state') ?? '';
    const pending = this.pending.get(state);
    this.pending.delete(state);
    if (currentUrl.searchParams.has('error')) return { error: 'cancelled' };
    if (!pending || pending.expires < Date.now()) return { error: 'expired' };
    let subject: string;
    let email: string | null;
    try {
      const config = await this.config();
      const tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: pending.verifier,
        expectedState: state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims?.sub) return { error: 'failed' };
      subject = claims.sub;
      email = typeof claims.email === 'string' ? claims.email : null;
      // Google puts the email in the ID token; other providers only answer it at userinfo.
      if (email === null && tokens.access_token) {
        const info = await oidc.fetchUserInfo(config, tokens.access_token, subject).catch(() => undefined);
        email = typeof info?.email === 'string' ? info.email : null;
      }
    } catch {
      return { error: 'failed' };
    }
    if (pending.intent === 'link') {
      if (!pending.accountId || !(await this.store.account(pending.accountId))) return { error: 'expired' };
      try {
        await this.store.linkIdentity(pending.accountId, { provider: 'google', subject, email, createdAt: new Date().toISOString() });
      } catch (err) {
        if (err instanceof IdentityTakenError) return { error: 'already_linked' };
        throw err;
      }
      return { linked: true };
    }
    const account = await this.store.accountByIdentity('google', subject);
    if (!account) return { error: 'not_linked' };
    try {
      assertNotSuspended(account);
    } catch {
      return { error: 'suspended' };
    }
    const ticket = newToken();
    this.tickets.set(ticket, { accountId: account.id, expires: Date.now() + TICKET_TTL_MS });
    return { ticket };
  }

  /** The web app trades the one-time ticket for a session token. */
  async complete(ticket: string): Promise<{ account: AccountRecord; token: string }> {
    const entry = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    if (!entry || entry.expires < Date.now()) throw new AppError('unauthorized', 'That sign-in has expired; try again.', 401);
    const account = await this.store.account(entry.accountId);
    if (!account) throw new AppError('unauthorized', 'That account no longer exists.', 401);
    return { account, token: await this.accounts.startSession(account) };
  }

  private sweep(now = Date.now()): void {
    for (const [key, p] of this.pending) if (p.expires < now) this.pending.delete(key);
    for (const [key, t] of this.tickets) if (t.expires < now) this.tickets.delete(key);
  }
}

/** The web app's route for the outcome, in the fragment so it never reaches a server log. */
export function landingPath(landing: Landing): string {
  const params = new URLSearchParams();
  if ('ticket' in landing) params.set('ticket', landing.ticket);
  else if ('linked' in landing) params.set('linked', 'google');
  else params.set('error', landing.error);
  return `/#/google?${params.toString()}`;
}

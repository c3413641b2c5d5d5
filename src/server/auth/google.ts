/**
 * Google sign-in and linking (P6), OpenID Connect with PKCE. We keep only the
 * provider's subject id and email, to link; they are erased with the account.
 *
 * No cookies: the browser asks us for the authorization URL (`start`) and gets
 * with it a random `browserKey`, which the web app keeps in sessionStorage;
 * we keep only its hash, in the pending state (memory, keyed by `state`).
 * Google sends the browser back to the callback, which links nothing: it
 * hands the web app a one-time ticket in the URL fragment. The ticket is
 * redeemed (`complete`) only with the browserKey of the browser that started
 * the flow, and a link only with a token of the account that started it, so a
 * Google URL sent to somebody else is worthless to the sender and to them.
 */
import { timingSafeEqual } from 'node:crypto';
import * as oidc from 'openid-client';
import type { Config } from '../config.js';
import { assertNotSuspended, type Accounts } from '../domain/accounts.js';
import { hashSecret, newToken } from '../domain/secrets.js';
import { httpError, unauthorized } from '../errors.js';
import { type AccountRecord, IdentityTakenError, type Store } from '../store/store.js';

type GoogleConfig = Extract<Config['google'], { enabled: true }>;
export type Intent = 'signin' | 'link';
type Pending = { intent: Intent; accountId: string | undefined; verifier: string; nonce: string; browserKeyHash: string; expires: number };
type Ticket = { intent: Intent; subject: string; email: string | null; accountId: string | undefined; browserKeyHash: string; expires: number };

const PENDING_TTL_MS = 10 * 60_000;
const TICKET_TTL_MS = 60_000;
/** Default bound on flows in progress (and on tickets); the oldest is dropped beyond it. */
export const MAX_PENDING = 10_000;

export type GoogleOptions = { maxPending?: number };

/** Where the browser lands after Google: the web app's #/google route with the outcome. */
export type Landing = { ticket: string } | { error: 'cancelled' | 'failed' | 'expired' | 'not_linked' | 'suspended' };

/** What a redeemed ticket gave: a new session (sign-in) or the account, now linked (link). */
export type Completion = { intent: 'signin'; account: AccountRecord; token: string } | { intent: 'link'; account: AccountRecord };

function isLocal(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'http:' && (hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]');
}

/** Both are base64url SHA-256 digests of the same length; compared without a timing leak. */
function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Adds an entry, first dropping the oldest ones (a Map keeps insertion order)
 * while the map is full: a flood of starts pushes out old flows instead of
 * refusing everybody's new ones.
 */
function putBounded<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  for (const oldest of map.keys()) {
    if (map.size < max) break;
    map.delete(oldest);
  }
  map.set(key, value);
}

/** Drops expired entries; all share one lifetime, so the expired ones are the first in the map. */
function sweep(map: Map<string, { expires: number }>, now: number): void {
  for (const [key, entry] of map) {
    if (entry.expires >= now) break;
    map.delete(key);
  }
}

export class GoogleSignIn {
  private configuration: Promise<oidc.Configuration> | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly tickets = new Map<string, Ticket>();
  private readonly maxPending: number;

  constructor(
    private readonly google: GoogleConfig,
    private readonly store: Store,
    private readonly accounts: Accounts,
    options: GoogleOptions = {},
  ) {
    this.maxPending = Math.max(1, options.maxPending ?? MAX_PENDING);
  }

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

  /** The URL to send the browser to, and the secret that browser must show to redeem the outcome. */
  async start(intent: Intent, accountId: string | undefined): Promise<{ url: string; browserKey: string }> {
    let config: oidc.Configuration;
    try {
      config = await this.config();
    } catch {
      throw httpError('provider_unavailable', 'Google sign-in is unavailable just now; try again later.');
    }
    sweep(this.pending, Date.now());
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const browserKey = newToken();
    const entry: Pending = { intent, accountId, verifier, nonce, browserKeyHash: hashSecret(browserKey), expires: Date.now() + PENDING_TTL_MS };
    putBounded(this.pending, state, entry, this.maxPending);
    const url = oidc
      .buildAuthorizationUrl(config, {
        redirect_uri: this.google.redirectUri,
        scope: 'openid email',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      })
      .toString();
    return { url, browserKey };
  }

  /** Google sent the browser back: finish the exchange and say where the web app should land. Nothing is linked here. */
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
    if (pending.intent === 'signin') {
      const account = await this.store.accountByIdentity('google', subject);
      if (!account) return { error: 'not_linked' };
      try {
        assertNotSuspended(account);
      } catch {
        return { error: 'suspended' };
      }
    }
    const now = Date.now();
    sweep(this.tickets, now);
    const ticket = newToken();
    const entry: Ticket = { intent: pending.intent, subject, email, accountId: pending.accountId, browserKeyHash: pending.browserKeyHash, expires: now + TICKET_TTL_MS };
    putBounded(this.tickets, ticket, entry, this.maxPending);
    return { ticket };
  }

  /**
   * The web app redeems the one-time ticket with the browserKey it was given
   * at start (and, for a link, a token of the account that started it). Any
   * failure burns the ticket.
   */
  async complete(ticket: string, browserKey: string, bearer: string | undefined): Promise<Completion> {
    const entry = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    if (!entry || entry.expires < Date.now()) throw unauthorized('That sign-in has expired; try again.');
    if (!sameHash(hashSecret(browserKey), entry.browserKeyHash)) {
      throw unauthorized('That Google sign-in was started in another browser, so it cannot finish here.');
    }
    if (entry.intent === 'signin') {
      const account = await this.store.accountByIdentity('google', entry.subject);
      if (!account) throw unauthorized('That Google account is not linked to any account any more.');
      return { intent: 'signin', account, token: await this.accounts.startSession(account) };
    }
    const account = await this.accounts.authenticate(bearer);
    assertNotSuspended(account); // suspended between start and finish: no link either
    if (account.id !== entry.accountId) throw httpError('forbidden', 'This Google link was started by another account.');
    try {
      await this.store.linkIdentity(account.id, { provider: 'google', subject: entry.subject, email: entry.email, createdAt: new Date().toISOString() });
    } catch (err) {
      if (err instanceof IdentityTakenError) throw httpError('already_linked', 'That Google account is already linked to another account.');
      throw err;
    }
    const linked = await this.store.account(account.id);
    if (!linked) throw unauthorized();
    return { intent: 'link', account: linked };
  }
}

/** The web app's route for the outcome, in the fragment so it never reaches a server log. */
export function landingPath(landing: Landing): string {
  const params = new URLSearchParams();
  if ('ticket' in landing) params.set('ticket', landing.ticket);
  else params.set('error', landing.error);
  return `/#/google?${params.toString()}`;
}

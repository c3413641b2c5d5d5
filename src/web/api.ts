/**
 * The HTTP API (PROTOCOL.md §2). Every failure becomes an `ApiError` carrying
 * the server's `{"error":{code,message}}`, so screens can show the message.
 */
import type { Challenge } from 'altcha-lib';
import type { WrappedIdentity } from './crypto/identity.js';
import type { Connection, Me, OfflineMessage } from '../shared/protocol.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Status 0: the request never got an answer. */
export const NETWORK_ERROR = 'network_error';

type Options = { token?: string | null; body?: unknown };

async function send(method: string, path: string, options: Options = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  // No Content-Type without a body: the server rejects an empty JSON body.
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, NETWORK_ERROR, 'Could not reach METSONY. Check your connection and try again.');
  }
  if (!response.ok) throw await toApiError(response);
  return response;
}

async function toApiError(response: Response): Promise<ApiError> {
  let code = `http_${response.status}`;
  let message = `The server answered ${response.status}. Please try again.`;
  let extra: Record<string, unknown> = {};
  try {
    const body: unknown = await response.json();
    const error = (body as { error?: unknown } | null)?.error;
    if (error && typeof error === 'object') {
      const { code: c, message: m, ...rest } = error as Record<string, unknown>;
      if (typeof c === 'string') code = c;
      if (typeof m === 'string' && m) message = m;
      extra = rest;
    }
  } catch {
    // Not JSON (a proxy's error page, say): keep the generic message.
  }
  if (response.status === 429) {
    const retry = Number(response.headers.get('Retry-After'));
    if (Number.isFinite(retry) && retry > 0) extra = { retryAfterMs: retry * 1000, ...extra };
  }
  return new ApiError(response.status, code, message, extra);
}

async function json<T>(method: string, path: string, options?: Options): Promise<T> {
  const response = await send(method, path, options);
  return (await response.json()) as T;
}

async function empty(method: string, path: string, options?: Options): Promise<void> {
  await send(method, path, options);
}

/** For the moderator console's own module (moderatorApi.ts), which only its lazy chunk loads. */
export { empty as requestEmpty, json as requestJson };

// Accounts and sessions

export type SignUpResult = { account: Me; recoveryCode: string; token: string };
export type SignInResult = { account: Me; token: string };

/** `proof`: the solved challenge (store/proof.ts), when the server asks for one. */
export function createAccount(nickname: string, interests: string[], proof?: string): Promise<SignUpResult> {
  return json('POST', '/api/accounts', { body: { nickname, interests, adult: true, proof } });
}

export function signIn(recoveryCode: string, proof?: string): Promise<SignInResult> {
  return json('POST', '/api/sessions', { body: { recoveryCode, proof } });
}

/** A proof-of-work challenge (ALTCHA v2); `for: find` with the token when a search asks for one. */
export function getChallenge(token?: string): Promise<Challenge> {
  return json('GET', token ? '/api/challenge?for=find' : '/api/challenge', { token });
}

export function logOut(token: string): Promise<void> {
  return empty('DELETE', '/api/sessions/current', { token });
}

export function getMe(token: string): Promise<Me> {
  return json('GET', '/api/me', { token });
}

export function updateMe(token: string, changes: { nickname?: string; interests?: string[] }): Promise<Me> {
  return json('PATCH', '/api/me', { token, body: changes });
}

export function newRecoveryCode(token: string, options: { unlinkGoogle?: boolean } = {}): Promise<{ recoveryCode: string; token: string }> {
  return json('POST', '/api/me/recovery-code', { token, body: options.unlinkGoogle ? { unlinkGoogle: true } : undefined });
}

/** One signed-in device (a session); `id` is opaque, `current` is this device. */
export type SignedInDevice = { id: string; createdAt: string; lastUsedAt: string; current: boolean };

export async function listSessions(token: string): Promise<SignedInDevice[]> {
  const body = await json<{ sessions: SignedInDevice[] }>('GET', '/api/sessions', { token });
  return body.sessions;
}

export function deleteSession(token: string, id: string): Promise<void> {
  return empty('DELETE', `/api/sessions/${encodeURIComponent(id)}`, { token });
}

export async function exportData(token: string): Promise<{ blob: Blob; filename: string }> {
  const response = await send('GET', '/api/me/export', { token });
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const match = /filename="?([^";]+)"?/i.exec(disposition);
  const filename = match?.[1] ?? 'metsony-export.json';
  return { blob: await response.blob(), filename };
}

/** The account's identity key as the server keeps it (docs/encryption.md): `wrapped` is null after a code rotation until re-wrapped. */
export type StoredKeys = { publicKey: string; wrapped: WrappedIdentity['wrapped'] | null };

/** null when the account has no keys yet. */
export async function getKeys(token: string): Promise<StoredKeys | null> {
  try {
    return await json<StoredKeys>('GET', '/api/me/keys', { token });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

export function putKeys(token: string, keys: WrappedIdentity): Promise<StoredKeys> {
  return json('PUT', '/api/me/keys', { token, body: keys });
}

export function deleteAccount(token: string): Promise<void> {
  return empty('DELETE', '/api/me', { token });
}

// Google sign-in and linking (only when `GET /api/config` says `google: true`)

export type GoogleIntent = 'signin' | 'link';

/**
 * Where to send the browser next (Google's sign-in page), and the secret this
 * tab must keep to finish. `link` needs the token, `signin` none.
 */
export async function startGoogle(intent: GoogleIntent, token?: string, proof?: string): Promise<{ url: string; browserKey: string }> {
  const body = await json<{ url?: unknown; browserKey?: unknown }>('POST', '/api/auth/google/start', { token, body: { intent, proof } });
  if (typeof body.url !== 'string' || !/^https?:\/\//i.test(body.url) || typeof body.browserKey !== 'string' || !body.browserKey) {
    throw new ApiError(500, 'bad_response', 'Google sign-in could not be started. Please try again.');
  }
  return { url: body.url, browserKey: body.browserKey };
}

/** Trades the one-time ticket from a `#/google?ticket=…` sign-in landing, with this tab's browserKey, for a sign-in. */
export function completeGoogle(ticket: string, browserKey: string): Promise<SignInResult> {
  return json('POST', '/api/auth/google/complete', { body: { ticket, browserKey } });
}

/** Finishes a link this tab started, as the account that started it; answers the account, now linked. */
export async function completeGoogleLink(ticket: string, browserKey: string, token: string): Promise<Me> {
  const body = await json<{ account: Me }>('POST', '/api/auth/google/complete', { token, body: { ticket, browserKey } });
  return body.account;
}

export function unlinkGoogle(token: string): Promise<void> {
  return empty('DELETE', '/api/me/links/google', { token });
}

// Connections and offline messages

export async function getConnections(token: string): Promise<Connection[]> {
  const body = await json<{ connections: Connection[] }>('GET', '/api/connections', { token });
  return body.connections;
}

export function deleteConnection(token: string, id: string): Promise<void> {
  return empty('DELETE', `/api/connections/${encodeURIComponent(id)}`, { token });
}

export async function getInbox(token: string): Promise<OfflineMessage[]> {
  const body = await json<{ messages: OfflineMessage[] }>('GET', '/api/inbox', { token });
  return body.messages;
}

export function markInboxRead(token: string, ids: string[]): Promise<void> {
  return empty('POST', '/api/inbox/read', { token, body: { ids } });
}

// Features and translation

/** What this server has switched on (`GET /api/config`, public). */
export type Features = { ai: boolean; translation: boolean; google: boolean; challenge: 'pow' | 'turnstile' | 'off'; turnstileSiteKey?: string };

export async function getConfig(): Promise<Features> {
  const body = await json<Partial<Record<keyof Features, unknown>>>('GET', '/api/config');
  const challenge = body.challenge === 'turnstile' || body.challenge === 'off' ? body.challenge : 'pow';
  const siteKey = typeof body.turnstileSiteKey === 'string' ? body.turnstileSiteKey : undefined;
  return { ai: body.ai === true, translation: body.translation === true, google: body.google === true, challenge, ...(siteKey ? { turnstileSiteKey: siteKey } : {}) };
}

export type Translation = { text: string; from: string | null; to: string };

export async function translate(token: string, text: string, to: string): Promise<Translation> {
  const body = await json<Partial<Translation>>('POST', '/api/translate', { token, body: { text, to } });
  if (typeof body.text !== 'string') throw new ApiError(500, 'bad_response', 'The translation could not be read. Please try again.');
  return {
    text: body.text,
    from: typeof body.from === 'string' && body.from ? body.from : null,
    to: typeof body.to === 'string' ? body.to : to,
  };
}

export function suspendedText(until: string): string {
  const when = new Date(until);
  const readable = Number.isNaN(when.getTime()) ? until : when.toLocaleString();
  return `This account is suspended until ${readable}.`;
}

/** A readable sentence for any failure, for notices and form errors. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const retry = error.extra.retryAfterMs;
    if (error.status === 429 && typeof retry === 'number') {
      return `${error.message} Try again in ${Math.ceil(retry / 1000)} s.`;
    }
    if (error.code === 'suspended' && typeof error.extra.until === 'string') return suspendedText(error.extra.until);
    return error.message;
  }
  return 'Something went wrong. Please try again.';
}

/**
 * Who is signed in on this device: the token (kept in localStorage), the
 * account (`Me`), and the recovery code right after sign-up. Sign-up, sign-in,
 * log out, delete and the other account actions live here, and so does the
 * rule that a refused token clears the device and shows the first visit.
 */
import { signal } from '@preact/signals';
import type { Me, ServerFrame } from '../../shared/protocol.js';
import * as api from '../api.js';
import { rememberGoogleFlow } from '../googleFlow.js';
import { href, navigate } from '../router.js';
import { clearAll, loadToken, saveToken } from '../storage.js';
import { handleChatError, resetChat, setChatTokenSource } from './chat.js';
import { handleConnectionsError, resetConnections, setTokenSource } from './connections.js';
import { wipeThreadHistory } from './threadHistory.js';
import { loadFeatures } from './features.js';
import { clearNotices, showNotice } from './notices.js';
import { forgetIdentity, rewrapIdentity, setUpIdentity, unlockIdentity } from './identityKeys.js';
import { forgetPrivateProfile } from './profile.js';
import { withProof } from './proof.js';
import { onFrame, restartRealtime, startRealtime, stopRealtime } from './realtime.js';

export type Session = { token: string; me: Me | null };

export const session = signal<Session | null>(null);
/** Shown once, right after sign-up or after asking for a new one; never stored. */
export const freshRecoveryCode = signal<string | null>(null);
/** Which form the first visit shows: sign-up, or the recovery code (and Continue with Google). */
export const welcomeMode = signal<'sign-up' | 'recover'>('sign-up');

const RETRY_AFTER_REFUSAL_MS = 3000;

const currentToken = (): string | null => session.value?.token ?? null;
setTokenSource(currentToken);
setChatTokenSource(currentToken);

function begin(token: string, me: Me | null): void {
  saveToken(token);
  session.value = { token, me };
  startRealtime(currentToken, onSocketRefused);
}

/** On page load: a stored token means we are signed in (until the server says otherwise). */
export function restoreSession(): void {
  const token = loadToken();
  if (!token) return;
  begin(token, null);
  void withToken((t) => api.getMe(t))
    // A sign-in that replaced this one meanwhile (Google) keeps its own account.
    .then((me) => currentToken() === token && setMe(me))
    .catch(() => undefined);
}

/** Asks the server for the account again (after linking or unlinking Google, say). */
export async function refreshMe(): Promise<void> {
  const token = currentToken();
  const me = await withToken((t) => api.getMe(t));
  if (currentToken() === token) setMe(me);
}

function setMe(me: Me): void {
  if (session.value) session.value = { ...session.value, me };
}

/**
 * Runs an authenticated call. A 401 means the token is dead (logged out
 * elsewhere, code rotated, account deleted): clear the device.
 */
export async function withToken<T>(call: (token: string) => Promise<T>): Promise<T> {
  const token = currentToken();
  if (!token) throw new api.ApiError(401, 'unauthorized', 'You are signed out.');
  try {
    return await call(token);
  } catch (error) {
    if (error instanceof api.ApiError && error.status === 401 && currentToken() === token) {
      signOutLocally('You have been signed out. Use your recovery code to sign in again.');
    }
    throw error;
  }
}

/** The socket refused our token. Ask HTTP to be sure before wiping anything. */
function onSocketRefused(): void {
  const token = currentToken();
  if (!token) return;
  api.getMe(token).then(
    (me) => {
      setMe(me);
      setTimeout(() => currentToken() === token && restartRealtime(), RETRY_AFTER_REFUSAL_MS);
    },
    (error: unknown) => {
      if (currentToken() !== token) return;
      if (error instanceof api.ApiError && error.status === 401) {
        signOutLocally('You have been signed out. Use your recovery code to sign in again.');
      } else {
        setTimeout(() => currentToken() === token && restartRealtime(), RETRY_AFTER_REFUSAL_MS);
      }
    },
  );
}

export async function signUp(nickname: string, interests: string[]): Promise<void> {
  const result = await withProof((proof) => api.createAccount(nickname, interests, proof));
  freshRecoveryCode.value = result.recoveryCode;
  forgetIdentity();
  setUpIdentity(result.token, result.recoveryCode);
  begin(result.token, result.account);
  void loadFeatures();
  navigate(href.chat);
}

export async function signInWithCode(recoveryCode: string): Promise<void> {
  const result = await withProof((proof) => api.signIn(recoveryCode.trim(), proof));
  unlockIdentity(result.token, recoveryCode);
  begin(result.token, result.account);
  void loadFeatures();
  navigate(href.chat);
}

/**
 * The landing after Google gave a one-time ticket for a sign-in this tab
 * started: trade it (with the tab's browserKey) for a sign-in, kept exactly
 * like a recovery-code sign-in. A sign-in already on this tab (another
 * account, say) is closed here first; its chat is forgotten.
 */
export async function signInWithGoogleTicket(ticket: string, browserKey: string): Promise<void> {
  const result = await api.completeGoogle(ticket, browserKey);
  if (session.value) {
    stopRealtime();
    resetChat();
    resetConnections();
    forgetIdentity();
    freshRecoveryCode.value = null;
  }
  begin(result.token, result.account);
  void loadFeatures();
}

/**
 * The landing after Google gave a one-time ticket for a link this tab started:
 * finish it as the signed-in account. A refusal here is about the ticket, not
 * the token, so it never signs this device out.
 */
export async function linkGoogleWithTicket(ticket: string, browserKey: string): Promise<void> {
  const token = currentToken();
  if (!token) throw new api.ApiError(401, 'unauthorized', 'You are signed out. Sign in, then link Google again in Settings.');
  const me = await api.completeGoogleLink(ticket, browserKey, token);
  if (currentToken() === token) setMe(me);
}

/** Sends the browser to Google to sign in (an account that linked Google before). */
export async function startGoogleSignIn(): Promise<void> {
  const { url, browserKey } = await withProof((proof) => api.startGoogle('signin', undefined, proof));
  rememberGoogleFlow({ browserKey, intent: 'signin', startedAt: Date.now() });
  location.href = url;
}

/** Sends the browser to Google to link it to the signed-in account. */
export async function startGoogleLink(): Promise<void> {
  const { url, browserKey } = await withToken((t) => withProof((proof) => api.startGoogle('link', t, proof)));
  rememberGoogleFlow({ browserKey, intent: 'link', startedAt: Date.now() });
  location.href = url;
}

/** Forgets the linked Google account on the server (already gone counts as done), then refreshes the account. */
export async function unlinkGoogle(): Promise<void> {
  try {
    await withToken((t) => api.unlinkGoogle(t));
  } catch (error) {
    if (!(error instanceof api.ApiError && error.status === 404)) throw error;
  }
  await refreshMe();
}

export async function saveAccount(changes: { nickname?: string; interests?: string[] }): Promise<void> {
  const me = await withToken((t) => api.updateMe(t, changes));
  setMe(me);
}

/** A new code; the old one and every other sign-in stop working, this device gets a fresh token; optionally Google is unlinked. */
export async function rotateRecoveryCode(options: { unlinkGoogle?: boolean } = {}): Promise<string> {
  const result = await withToken((t) => api.newRecoveryCode(t, options));
  saveToken(result.token);
  rewrapIdentity(result.token, result.recoveryCode);
  if (session.value) session.value = { ...session.value, token: result.token };
  restartRealtime();
  if (options.unlinkGoogle) await refreshMe().catch(() => undefined);
  return result.recoveryCode;
}

/** The devices signed in to this account (sessions), this one included. */
export function signedInDevices(): Promise<api.SignedInDevice[]> {
  return withToken((t) => api.listSessions(t));
}

/** Signs another device out: its token stops working at once (already gone counts as done). */
export async function signOutDevice(id: string): Promise<void> {
  try {
    await withToken((t) => api.deleteSession(t, id));
  } catch (error) {
    if (!(error instanceof api.ApiError && error.status === 404)) throw error;
  }
}

export async function downloadExport(): Promise<void> {
  const { blob, filename } = await withToken((t) => api.exportData(t));
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Log out: revoke the token on the server, then clear this device whatever the answer. */
export async function logOut(): Promise<void> {
  const token = currentToken();
  let reached = true;
  if (token) {
    try {
      await api.logOut(token);
    } catch (error) {
      // 401: the token was already dead, which is what we wanted.
      reached = error instanceof api.ApiError && error.status === 401;
    }
  }
  signOutLocally(
    reached
      ? 'You are logged out. Nothing of your account is left in this browser.'
      : 'You are logged out on this device, but the server could not be reached to end the session.',
  );
}

/** Delete everything: only clears the device once the server confirms the account is gone. */
export async function deleteEverything(): Promise<void> {
  await withToken((t) => api.deleteAccount(t));
  signOutLocally('Your account and everything in it have been deleted.');
}

/** Forget everything on this device and show the first visit. */
export function signOutLocally(message?: string): void {
  stopRealtime();
  clearAll();
  forgetIdentity();
  session.value = null;
  freshRecoveryCode.value = null;
  welcomeMode.value = 'sign-up';
  resetChat();
  resetConnections();
  void wipeThreadHistory();
  forgetPrivateProfile();
  clearNotices();
  if (message) showNotice(message, 'info');
  navigate(href.chat);
}

function onSessionFrame(frame: ServerFrame): void {
  if (frame.type === 'ready') {
    setMe(frame.account);
    // `ready` carries the account as it was when the hello was checked: a change made over HTTP meanwhile (a Google
    // link landing while the socket connects) would be undone by it, so read it once more, after.
    refreshMe().catch(() => undefined);
    return;
  }
  if (frame.type !== 'error') return;
  if (frame.code === 'unauthorized') return; // the socket and onSocketRefused deal with it
  if (handleChatError(frame) || handleConnectionsError(frame)) return;
  let text = frame.message || 'Something went wrong.';
  if (frame.code === 'rate_limited' && typeof frame.retryAfterMs === 'number') {
    text = `${text} Try again in ${Math.ceil(frame.retryAfterMs / 1000)} s.`;
  }
  if (frame.code === 'suspended' && frame.until) text = api.suspendedText(frame.until);
  showNotice(text);
}

onFrame(onSessionFrame);

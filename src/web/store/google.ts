/**
 * The landing after Google (P6). The server sends the browser to
 * `/#/google?ticket=…` (sign-in), `?linked=google` (link) or `?error=…`.
 * The query is read and removed from the address at once (`takeGoogleLanding`,
 * before anything renders), so the one-time ticket never stays in history;
 * then `handleGoogleLanding` finishes and puts the right screen in the
 * `#/google` entry's place (Back does not come back to it).
 */
import { signal } from '@preact/signals';
import { describeError } from '../api.js';
import { href, replaceRoute, route } from '../router.js';
import { showNotice } from './notices.js';
import { refreshMe, restoreSession, session, signInWithGoogleTicket, welcomeMode } from './session.js';

export type GoogleError = 'cancelled' | 'expired' | 'failed' | 'not_linked' | 'already_linked' | 'suspended';

export type GoogleLanding =
  | { kind: 'ticket'; ticket: string }
  | { kind: 'linked' }
  | { kind: 'error'; error: GoogleError | 'unknown' };

/** True while the landing is being finished (the ticket traded for a sign-in). */
export const googleBusy = signal(false);

const ERRORS: readonly string[] = ['cancelled', 'expired', 'failed', 'not_linked', 'already_linked', 'suspended'];
const LANDING = /^#\/google\/?(?:\?(.*))?$/;

/**
 * Reads the outcome from the address and removes it from there (and from
 * history) straight away. Null when the address is not a Google landing.
 */
export function takeGoogleLanding(): GoogleLanding | null {
  const match = LANDING.exec(location.hash);
  if (!match) return null;
  const query = match[1];
  if (query !== undefined) history.replaceState(history.state, '', href.google);
  const params = new URLSearchParams(query ?? '');
  const ticket = params.get('ticket');
  if (ticket) return { kind: 'ticket', ticket };
  if (params.get('linked') === 'google') return { kind: 'linked' };
  const error = params.get('error');
  if (error !== null) return { kind: 'error', error: ERRORS.includes(error) ? (error as GoogleError) : 'unknown' };
  return null;
}

/** What went wrong, in words; `linking` when a signed-in person was linking Google. */
export function googleErrorText(error: GoogleError | 'unknown', linking: boolean): string {
  const what = linking ? 'Linking Google' : 'Signing in with Google';
  switch (error) {
    case 'not_linked':
      return 'No METSONY account is linked to that Google account. Sign in with your recovery code, then link Google in Settings.';
    case 'already_linked':
      return 'That Google account is already linked to another METSONY account.';
    case 'cancelled':
      return `${what} was cancelled. Nothing was changed.`;
    case 'expired':
      return `${what} took too long and expired. Please try again.`;
    case 'suspended':
      return 'This METSONY account is suspended, so it cannot sign in with Google for now.';
    case 'failed':
    case 'unknown':
      return `${what} did not work. Please try again.`;
  }
}

/** Finishes a landing (or, with nothing to finish, leaves `#/google` for the chat). */
export async function handleGoogleLanding(landing: GoogleLanding | null): Promise<void> {
  if (!landing) {
    if (route.value.name === 'google' && !googleBusy.value) replaceRoute(href.chat);
    return;
  }
  if (landing.kind === 'ticket') {
    googleBusy.value = true;
    try {
      await signInWithGoogleTicket(landing.ticket);
      replaceRoute(href.chat);
    } catch (error) {
      // The sign-in this device had before (if any) is still good.
      if (!session.value) restoreSession();
      showNotice(describeError(error));
      welcomeMode.value = 'recover';
      replaceRoute(href.chat);
    } finally {
      googleBusy.value = false;
    }
    return;
  }
  const signedIn = session.value !== null;
  if (landing.kind === 'linked') {
    replaceRoute(signedIn ? href.settings : href.chat);
    showNotice('Google is now linked.', 'info');
    if (signedIn) await refreshMe().catch(() => undefined);
    return;
  }
  showNotice(googleErrorText(landing.error, signedIn));
  if (signedIn) {
    replaceRoute(href.settings);
  } else {
    // Signing in was what failed: show the recovery-code form, where Continue with Google is.
    welcomeMode.value = 'recover';
    replaceRoute(href.chat);
  }
}

// A landing without a page load (the address typed or pasted in this tab).
window.addEventListener('hashchange', () => {
  if (route.value.name === 'google') void handleGoogleLanding(takeGoogleLanding());
});

/**
 * The landing after Google (P6). The server sends the browser to
 * `/#/google?ticket=…` (a sign-in or a link to finish) or `?error=…`.
 * The query is read and removed from the address at once (`takeGoogleLanding`,
 * before anything renders), so the one-time ticket never stays in history,
 * and the flow this tab started (googleFlow.ts) is taken with it. A ticket is
 * redeemed only for a flow this tab started; any other is refused and the
 * sign-in already in the tab stays as it was. Then `handleGoogleLanding`
 * finishes and puts the right screen in the `#/google` entry's place (Back
 * does not come back to it).
 */
import { signal } from '@preact/signals';
import { ApiError, describeError } from '../api.js';
import { type GoogleFlow, takeGoogleFlow } from '../googleFlow.js';
import { href, replaceRoute, route } from '../router.js';
import { showNotice } from './notices.js';
import { linkGoogleWithTicket, restoreSession, session, signInWithGoogleTicket, welcomeMode } from './session.js';

export type GoogleError = 'cancelled' | 'expired' | 'failed' | 'not_linked' | 'already_linked' | 'suspended';

/** `flow`: what this tab started before going to Google, or null when it started nothing (or too long ago). */
export type GoogleLanding =
  | { kind: 'ticket'; ticket: string; flow: GoogleFlow | null }
  | { kind: 'error'; error: GoogleError | 'unknown'; flow: GoogleFlow | null };

/** What is being finished while the `#/google` screen shows (a sign-in or a link), or false. */
export const googleBusy = signal<false | 'signin' | 'link'>(false);

/** Shown for a ticket this tab did not ask for (someone else's link, say). */
export const FOREIGN_LANDING_TEXT =
  'This sign-in link was not started on this device, so it was not used. Nothing was changed here; to use Google, start from METSONY on this device.';

const ERRORS: readonly string[] = ['cancelled', 'expired', 'failed', 'not_linked', 'already_linked', 'suspended'];
const LANDING = /^#\/google\/?(?:\?(.*))?$/;

/**
 * Reads the outcome from the address and removes it from there (and from
 * history) straight away, with the flow this tab started. Null when the
 * address is not a Google landing.
 */
export function takeGoogleLanding(): GoogleLanding | null {
  const match = LANDING.exec(location.hash);
  if (!match) return null;
  const query = match[1];
  if (query === undefined) return null;
  history.replaceState(history.state, '', href.google);
  const params = new URLSearchParams(query);
  const ticket = params.get('ticket');
  const error = params.get('error');
  if (!ticket && error === null) return null;
  const flow = takeGoogleFlow();
  if (ticket) return { kind: 'ticket', ticket, flow };
  return { kind: 'error', error: ERRORS.includes(error ?? '') ? (error as GoogleError) : 'unknown', flow };
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
    const { flow } = landing;
    if (!flow) {
      refuseForeignLanding();
      return;
    }
    if (flow.intent === 'link') await finishLink(landing.ticket, flow.browserKey);
    else await finishSignIn(landing.ticket, flow.browserKey);
    return;
  }
  const signedIn = session.value !== null;
  showNotice(googleErrorText(landing.error, landing.flow ? landing.flow.intent === 'link' : signedIn));
  if (signedIn) {
    replaceRoute(href.settings);
  } else {
    // Signing in was what failed: show the recovery-code form, where Continue with Google is.
    welcomeMode.value = 'recover';
    replaceRoute(href.chat);
  }
}

/** A ticket this tab never asked for: not redeemed; whoever is signed in here stays signed in. */
function refuseForeignLanding(): void {
  if (!session.value) restoreSession();
  showNotice(FOREIGN_LANDING_TEXT);
  replaceRoute(href.chat);
}

async function finishSignIn(ticket: string, browserKey: string): Promise<void> {
  googleBusy.value = 'signin';
  try {
    await signInWithGoogleTicket(ticket, browserKey);
    replaceRoute(href.chat);
  } catch (error) {
    // The sign-in this device had before (if any) is still good.
    if (!session.value) restoreSession();
    showNotice(describeError(error));
    if (!session.value) welcomeMode.value = 'recover';
    replaceRoute(href.chat);
  } finally {
    googleBusy.value = false;
  }
}

async function finishLink(ticket: string, browserKey: string): Promise<void> {
  googleBusy.value = 'link';
  try {
    await linkGoogleWithTicket(ticket, browserKey);
    replaceRoute(href.settings);
    showNotice('Google is now linked.', 'info');
  } catch (error) {
    const alreadyLinked = error instanceof ApiError && error.code === 'already_linked';
    showNotice(alreadyLinked ? googleErrorText('already_linked', true) : describeError(error));
    replaceRoute(session.value ? href.settings : href.chat);
  } finally {
    googleBusy.value = false;
  }
}

// A landing without a page load (the address typed or pasted in this tab).
window.addEventListener('hashchange', () => {
  if (route.value.name === 'google') void handleGoogleLanding(takeGoogleLanding());
});

/**
 * Hash routes, so the server only ever serves one index.html:
 *   #/                     the chat (first visit, home, searching or a chat)
 *   #/settings             account, private profile, data, log out, delete
 *   #/connections          people you connected with
 *   #/connections/<id>     one conversation with a connection
 *   #/privacy, #/terms     the policy pages, reachable signed out too
 *   #/google?…             the landing after Google (store/google.ts reads and
 *                          removes the query at once; the route never holds it)
 *   #/moderate             the moderator console (needs the moderator token, not an account)
 */
import { signal } from '@preact/signals';
import { parseRoute, type Route } from './parseRoute.js';

export type { Route };

export const href = {
  chat: '#/',
  settings: '#/settings',
  connections: '#/connections',
  thread: (connectionId: string) => `#/connections/${encodeURIComponent(connectionId)}`,
  privacy: '#/privacy',
  terms: '#/terms',
  google: '#/google',
  moderate: '#/moderate',
} as const;

export const route = signal<Route>(parseRoute(location.hash));

window.addEventListener('hashchange', () => {
  route.value = parseRoute(location.hash);
});

export function navigate(to: string): void {
  if (location.hash === to || (to === href.chat && (location.hash === '' || location.hash === '#'))) {
    route.value = parseRoute(to);
    return;
  }
  location.hash = to;
}

/** Goes to `to` in place of the current history entry (nothing to come back to with Back). */
export function replaceRoute(to: string): void {
  history.replaceState(history.state, '', to);
  route.value = parseRoute(to);
}

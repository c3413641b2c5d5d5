/** The route a location hash names; pure, so it runs (and is tested) outside a browser. */
export type Route =
  | { name: 'chat' }
  | { name: 'settings' }
  | { name: 'connections' }
  | { name: 'thread'; connectionId: string }
  | { name: 'privacy' }
  | { name: 'terms' }
  | { name: 'google' }
  | { name: 'moderate' };

/** Like decodeURIComponent, but undefined for a malformed escape such as a lone `%`. */
function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

/** Any hash parses; one that names nothing (or cannot be decoded) is the chat, as `#/` is. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '');
  const thread = /^\/connections\/([^/]+)$/.exec(path);
  const connectionId = thread?.[1] && decode(thread[1]);
  if (connectionId) return { name: 'thread', connectionId };
  if (/^\/google\/?(?:\?|$)/.test(path)) return { name: 'google' };
  switch (path) {
    case '/settings':
      return { name: 'settings' };
    case '/connections':
      return { name: 'connections' };
    case '/privacy':
      return { name: 'privacy' };
    case '/terms':
      return { name: 'terms' };
    case '/moderate':
      return { name: 'moderate' };
    default:
      return { name: 'chat' };
  }
}

import { href, route } from '../router.js';
import { badgeCount } from '../store/connections.js';
import { session } from '../store/session.js';

/** Brand, the signed-in nickname, and the way to Chat, Connections and Settings. */
export function Header() {
  const current = session.value;
  const name = route.value.name;
  const unread = badgeCount.value;
  return (
    <header class="site-header">
      <a class="brand" href={href.chat}>
        <img src="/favicon.svg" alt="" width={28} height={28} />
        <span>METSONY</span>
      </a>
      {current && (
        <>
          <p class="who">
            <span class="who-label">Signed in as </span>
            <strong class="who-name">{current.me?.nickname ?? '…'}</strong>
          </p>
          <nav class="main-nav" aria-label="Main">
            <a href={href.chat} aria-current={name === 'chat' ? 'page' : undefined}>
              Chat
            </a>
            <a
              href={href.connections}
              aria-current={name === 'connections' || name === 'thread' ? 'page' : undefined}
            >
              Connections
              {unread > 0 && (
                <span class="badge">
                  {unread}
                  <span class="visually-hidden"> unread</span>
                </span>
              )}
            </a>
            <a href={href.settings} aria-current={name === 'settings' ? 'page' : undefined}>
              Settings
            </a>
          </nav>
        </>
      )}
    </header>
  );
}

/** The people you connected with: who is online, and unread messages. */
import { useEffect } from 'preact/hooks';
import { href } from '../router.js';
import {
  connections,
  connectionsError,
  connectionsLoaded,
  loadConnections,
  loadInbox,
  unreadFor,
} from '../store/connections.js';

export function ConnectionsScreen() {
  useEffect(() => {
    void loadConnections();
    void loadInbox();
  }, []);

  const list = [...connections.value].sort((a, b) => Number(b.online) - Number(a.online) || a.nickname.localeCompare(b.nickname));

  return (
    <div class="page narrow">
      <h1 tabIndex={-1}>Connections</h1>
      <p class="hint">
        After a good chat you can both press Connect; then you can find each other here, see who is online, and leave
        messages for when they come back.
      </p>
      {connectionsError.value && (
        <p class="form-error" role="alert">
          {connectionsError.value}
        </p>
      )}
      {!connectionsLoaded.value ? (
        <p role="status">Loading…</p>
      ) : list.length === 0 ? (
        <p>No connections yet. In a chat, press Connect; if they press it too, they appear here.</p>
      ) : (
        <ul class="connection-list">
          {list.map((c) => {
            const unread = unreadFor(c);
            return (
              <li key={c.id}>
                <a href={href.thread(c.id)} class="connection">
                  <span class={`dot ${c.online ? 'online' : 'offline'}`} aria-hidden="true" />
                  <span class="connection-name">{c.nickname}</span>
                  <span class="connection-state">{c.online ? 'online' : 'offline'}</span>
                  {unread > 0 && <span class="badge">{unread} unread</span>}
                </a>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

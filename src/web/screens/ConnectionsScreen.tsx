/** The people you connected with, like a messenger's list: who is online, the last message and its time, unread counts. */
import { useEffect } from 'preact/hooks';
import { formatMessageTime } from '../components/MessageTime.js';
import { href } from '../router.js';
import {
  connections,
  threads,
  connectionsError,
  connectionsLoaded,
  loadConnections,
  loadInbox,
  unreadFor,
} from '../store/connections.js';
import { warmUpCrypto } from '../store/cryptoLoader.js';

export function ConnectionsScreen() {
  useEffect(() => {
    void loadConnections();
    void loadInbox();
    // Sealed messages are opened with the identity key: fetch its code before a thread is opened.
    warmUpCrypto();
  }, []);

  const last = (id: string) => threads.value[id]?.at(-1);
  // Latest conversation first, then who is online, then by name.
  const list = [...connections.value].sort(
    (a, b) =>
      (last(b.id)?.at ?? '').localeCompare(last(a.id)?.at ?? '') ||
      Number(b.online) - Number(a.online) ||
      a.nickname.localeCompare(b.nickname),
  );

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
            const line = last(c.id);
            return (
              <li key={c.id}>
                <a href={href.thread(c.id)} class="connection">
                  <span class={`dot ${c.online ? 'online' : 'offline'}`} aria-hidden="true" />
                  <span class="connection-main">
                    <span class="connection-top">
                      <span class="connection-name">{c.nickname}</span>
                      <span class="connection-state">{c.online ? 'online' : 'offline'}</span>
                      {line && (
                        <time class="connection-time" dateTime={line.at}>
                          {formatMessageTime(line.at)}
                        </time>
                      )}
                    </span>
                    {line && (
                      <span class="connection-preview">
                        {line.from === 'me' ? 'You: ' : ''}
                        {line.text}
                      </span>
                    )}
                  </span>
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

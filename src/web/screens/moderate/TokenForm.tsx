/** The console's door: the moderator token, checked by the server, kept in this tab only. */
import { useState } from 'preact/hooks';
import { StatusLine } from '../../components/StatusLine.js';
import { useAction } from '../../components/useAction.js';
import { consoleNotice, openConsole } from '../../store/moderation.js';

export function TokenForm() {
  const [token, setToken] = useState('');
  const { busy, status, run } = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    if (!token.trim()) return;
    void run(async () => openConsole(token.trim()));
  };
  return (
    <form class="card form" onSubmit={submit} aria-labelledby="moderator-sign-in">
      <h2 id="moderator-sign-in">Moderators only</h2>
      {consoleNotice.value && <p role="alert" class="form-error">{consoleNotice.value}</p>}
      <div class="field">
        <label for="moderator-token">Moderator token</label>
        <input
          id="moderator-token"
          type="password"
          autocomplete="off"
          spellcheck={false}
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          aria-describedby="moderator-token-hint"
        />
        <p id="moderator-token-hint" class="hint">
          The server's <code>ADMIN_TOKEN</code>. This tab keeps it (sessionStorage, never a cookie) until you leave the
          console or close the tab.
        </p>
      </div>
      <button type="submit" class="primary" disabled={busy || !token.trim()}>
        Open the console
      </button>
      <StatusLine status={status} />
    </form>
  );
}

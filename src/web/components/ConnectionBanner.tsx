import { phase } from '../store/chat.js';
import { serverRestarting, socketStatus } from '../store/realtime.js';

/** Says so when the live connection is down; the socket reconnects by itself. A chat going on says it in its own words. */
export function ConnectionBanner() {
  const status = socketStatus.value;
  const p = phase.value;
  if (p.kind === 'chat' && !p.chat.ended) return null;
  if (serverRestarting.value && status !== 'ready') {
    return (
      <p class="banner" role="status">
        METSONY is restarting. Reconnecting…
      </p>
    );
  }
  if (status !== 'offline') return null;
  return (
    <p class="banner" role="status">
      Connection lost. Reconnecting…
    </p>
  );
}

import { serverRestarting, socketStatus } from '../store/realtime.js';

/** Says so when the live connection is down; the socket reconnects by itself. */
export function ConnectionBanner() {
  const status = socketStatus.value;
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

/** A thread's "More" menu, away from Send: Remove connection, which asks to confirm. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ConfirmPanel } from '../components/ConfirmPanel.js';
import { href, navigate } from '../router.js';
import { removeConnection } from '../store/connections.js';

export function ConnectionMenu({ connectionId, nickname }: { connectionId: string; nickname: string }) {
  const [open, setOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const first = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (open) first.current?.focus();
  }, [open]);

  function close(): void {
    setOpen(false);
    setConfirming(false);
    toggle.current?.focus();
  }

  // The open menu closes on Escape; the confirmation panel handles its own (useDialog).
  function closeMenuOnEscape(event: KeyboardEvent): void {
    if (event.key !== 'Escape' || !open || confirming) return;
    event.preventDefault();
    close();
  }

  async function remove(): Promise<void> {
    setBusy(true);
    if (await removeConnection(connectionId)) navigate(href.connections);
    else setBusy(false);
  }

  return (
    <div class="thread-menu" onKeyDown={closeMenuOnEscape}>
      <button
        type="button"
        ref={toggle}
        aria-expanded={open}
        aria-controls="thread-menu-items"
        onClick={() => (open ? close() : setOpen(true))}
      >
        More
      </button>
      {open && !confirming && (
        <div id="thread-menu-items" class="menu-items" role="group" aria-label={`More for ${nickname}`}>
          <button type="button" class="danger" ref={first} onClick={() => setConfirming(true)}>
            Remove connection
          </button>
        </div>
      )}
      {confirming && (
        <ConfirmPanel id="remove" title={`Remove ${nickname} from your connections?`} onCancel={close}>
          <p>It is gone for both of you, with any messages still waiting between you, and this conversation is deleted from this device.</p>
          <div class="panel-actions">
            <button type="button" class="danger" disabled={busy} onClick={() => void remove()}>
              Remove connection
            </button>
            <button type="button" onClick={close}>
              Cancel
            </button>
          </div>
        </ConfirmPanel>
      )}
    </div>
  );
}

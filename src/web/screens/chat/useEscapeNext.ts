/**
 * Escape, Escape: Next from the keyboard, as on Omegle. The first Escape in
 * a chat that is going on arms it ("Really?"), the second leaves and searches
 * again; unconfirmed, it disarms after a few seconds. The Next button itself
 * leaves on one click (PROTOCOL.md §4); this is only the keyboard's way.
 */
import { useEffect, useState } from 'preact/hooks';
import { announce } from '../../store/announcer.js';
import { startSearch, type ChatSession } from '../../store/chat.js';

/** How long "Really?" waits for the second Escape. */
const ARMED_MS = 5000;

export function useEscapeNext(chat: ChatSession): boolean {
  const [armed, setArmed] = useState(false);
  const ended = chat.ended !== null;

  useEffect(() => {
    if (!armed) return;
    const timer = setTimeout(() => setArmed(false), ARMED_MS);
    return () => clearTimeout(timer);
  }, [armed]);

  useEffect(() => {
    if (ended) setArmed(false);
  }, [ended]);

  // Panels take their Escape first (and prevent it).
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent): void {
      if (event.key !== 'Escape' || event.defaultPrevented || event.isComposing || ended) return;
      event.preventDefault();
      if (armed) {
        setArmed(false);
        startSearch();
        return;
      }
      setArmed(true);
      announce('Really? Press Escape again to leave this chat.');
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [armed, ended]);

  return armed;
}

/**
 * Next in a chat that is going on asks first: the first press (or Escape)
 * turns the button into "Really?", the second leaves and searches again.
 * Unconfirmed, it goes back to Next after a few seconds. In an ended chat
 * Next searches at once: there is nothing left to lose.
 */
import { useEffect, useState } from 'preact/hooks';
import { announce } from '../../store/announcer.js';
import { startSearch, type ChatSession } from '../../store/chat.js';

/** How long "Really?" waits for the second press. */
const ARMED_MS = 5000;

export function useNextConfirm(chat: ChatSession) {
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

  function press(): void {
    if (ended || armed) {
      setArmed(false);
      startSearch();
      return;
    }
    setArmed(true);
    announce('Really? Press Next again to leave this chat.');
  }

  return { armed, press };
}

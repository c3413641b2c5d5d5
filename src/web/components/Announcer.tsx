/**
 * The app's one live region, present from the first render so screen readers
 * already listen to it when something is announced (store/announcer.ts).
 */
import { useEffect, useState } from 'preact/hooks';
import { announcement } from '../store/announcer.js';

/** Long enough for a screen reader to notice the region emptied before the new text arrives. */
const REFILL_MS = 100;

export function Announcer() {
  const { text, n } = announcement.value;
  const [shown, setShown] = useState('');

  useEffect(() => {
    setShown('');
    if (!text) return;
    const timer = setTimeout(() => setShown(text), REFILL_MS);
    return () => clearTimeout(timer);
  }, [n]);

  return (
    <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-announcer="">
      {shown}
    </div>
  );
}

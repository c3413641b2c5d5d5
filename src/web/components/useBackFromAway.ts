import { useEffect } from 'preact/hooks';

/**
 * Calls `onBack` when the browser shows this page again from its back/forward
 * cache (Back from Google, say), so a button left busy on leaving works again.
 */
export function useBackFromAway(onBack: () => void): void {
  useEffect(() => {
    const listener = (event: PageTransitionEvent) => {
      if (event.persisted) onBack();
    };
    window.addEventListener('pageshow', listener);
    return () => window.removeEventListener('pageshow', listener);
  }, []);
}

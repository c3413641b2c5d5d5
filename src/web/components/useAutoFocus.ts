import { useEffect, useRef } from 'preact/hooks';

/**
 * Focuses the element once it is on screen. Confirmation panels use it on
 * their heading, so keyboard and screen-reader users land in the panel.
 */
export function useAutoFocus<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return ref;
}

/** Escape closes a panel, like a dialog. */
export function closeOnEscape(close: () => void) {
  return (event: KeyboardEvent): void => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      close();
    }
  };
}

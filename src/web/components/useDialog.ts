/**
 * An in-page dialog (a confirmation panel): its heading takes the focus when
 * it opens, Tab and Shift+Tab stay inside it, Escape closes it wherever the
 * focus is, and on closing the focus goes back to the control that had it
 * before. A Settings card re-renders its opener when the panel closes: then
 * the button of the same name in that card takes it. Elsewhere the caller
 * places the focus.
 */
import { useEffect, useRef } from 'preact/hooks';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), textarea:not([disabled]), select:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function focusableIn(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.getClientRects().length > 0);
}

export function useDialog<C extends HTMLElement, H extends HTMLElement>(onClose: () => void) {
  const container = useRef<C>(null);
  const heading = useRef<H>(null);
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const card = opener?.closest<HTMLElement>('.card');
    const openerName = opener?.textContent;
    heading.current?.focus();

    function onKeyDown(event: KeyboardEvent): void {
      const root = container.current;
      if (!root) return;
      if (event.key === 'Escape' && !event.isComposing) {
        event.preventDefault();
        close.current();
        return;
      }
      if (event.key !== 'Tab') return;
      const items = focusableIn(root);
      if (items.length === 0) return;
      const first = items[0]!;
      const last = items[items.length - 1]!;
      const active = document.activeElement;
      const inside = active instanceof Node && root.contains(active);
      if (event.shiftKey && (!inside || active === first || active === heading.current)) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (!inside || active === last)) {
        event.preventDefault();
        first.focus();
      }
    }

    document.addEventListener('keydown', onKeyDown);
    return () => {
      document.removeEventListener('keydown', onKeyDown);
      if (opener?.isConnected) return opener.focus();
      // After the card's next render, once its opener is back.
      setTimeout(() => {
        const again = card && [...card.querySelectorAll('button')].find((b) => b.textContent === openerName);
        again?.focus();
      });
    };
  }, []);

  return { container, heading };
}

/**
 * An in-page dialog (a confirmation panel): its heading takes the focus when
 * it opens, Tab and Shift+Tab stay inside it, Escape closes it wherever the
 * focus is, and on closing the focus goes back to the control that had it
 * before, if that control is still on the page. With `backToHolder` (Settings
 * and the thread, where the panel stands in for the button that opened it),
 * it goes otherwise to the first control of the element that held the panel:
 * that button, drawn again (unless another panel took the focus meanwhile).
 * Elsewhere the caller places the focus.
 */
import { useEffect, useRef } from 'preact/hooks';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), textarea:not([disabled]), select:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function focusableIn(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.getClientRects().length > 0);
}

export function useDialog<C extends HTMLElement, H extends HTMLElement>(onClose: () => void, backToHolder = false) {
  const container = useRef<C>(null);
  const heading = useRef<H>(null);
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const holder = container.current?.parentElement;
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
      if (opener?.isConnected && opener !== document.body) return opener.focus();
      if (!backToHolder) return;
      // After the holder's next render, once the opening button is back; unless something took the focus meanwhile.
      setTimeout(() => {
        const lost = !document.activeElement || document.activeElement === document.body;
        if (lost && holder?.isConnected) focusableIn(holder)[0]?.focus();
      });
    };
  }, []);

  return { container, heading };
}

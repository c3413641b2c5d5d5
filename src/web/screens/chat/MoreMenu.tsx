/**
 * "More": the rarer chat actions (Reveal profile, Report, Block) behind one
 * disclosure button, away from Next and the message box. The buttons keep
 * their names once shown. Escape or a click elsewhere closes it; Escape puts
 * the focus back on More.
 */
import { useEffect, useRef } from 'preact/hooks';
import type { ComponentChildren, RefObject } from 'preact';

type Props = {
  open: boolean;
  onToggle(open: boolean): void;
  button: RefObject<HTMLButtonElement | null>;
  children: ComponentChildren;
};

export function MoreMenu({ open, onToggle, button, children }: Props) {
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    box.current?.querySelector<HTMLButtonElement>('button:not([disabled])')?.focus();
    function onKeyDown(event: KeyboardEvent): void {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      onToggle(false);
      button.current?.focus();
    }
    function onPointerDown(event: PointerEvent): void {
      const target = event.target as Node;
      if (!box.current?.contains(target) && !button.current?.contains(target)) onToggle(false);
    }
    document.addEventListener('keydown', onKeyDown);
    document.addEventListener('pointerdown', onPointerDown);
    return () => {
      document.removeEventListener('keydown', onKeyDown);
      document.removeEventListener('pointerdown', onPointerDown);
    };
  }, [open]);

  return (
    <div class="more">
      <button
        type="button"
        ref={button}
        aria-expanded={open ? 'true' : 'false'}
        aria-controls="more-actions"
        onClick={() => onToggle(!open)}
      >
        More
      </button>
      <div class="more-actions" id="more-actions" ref={box} hidden={!open}>
        {children}
      </div>
    </div>
  );
}

/**
 * An in-page confirmation: a labelled dialog region that takes focus when it
 * opens, keeps Tab inside and closes on Escape (useDialog). Its buttons come
 * from the caller.
 */
import type { ComponentChildren } from 'preact';
import { useDialog } from './useDialog.js';

type Props = {
  id: string;
  title: string;
  onCancel(): void;
  children: ComponentChildren;
};

export function ConfirmPanel({ id, title, onCancel, children }: Props) {
  const { container, heading } = useDialog<HTMLElement, HTMLHeadingElement>(onCancel, true);
  return (
    <section class="panel" role="dialog" aria-labelledby={`${id}-title`} ref={container}>
      <h3 id={`${id}-title`} ref={heading} tabIndex={-1}>
        {title}
      </h3>
      {children}
    </section>
  );
}

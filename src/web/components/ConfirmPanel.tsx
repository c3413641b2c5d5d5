/**
 * An in-page confirmation: a labelled dialog region that takes focus when it
 * opens and closes on Escape. Its buttons come from the caller.
 */
import type { ComponentChildren } from 'preact';
import { closeOnEscape, useAutoFocus } from './useAutoFocus.js';

type Props = {
  id: string;
  title: string;
  onCancel(): void;
  children: ComponentChildren;
};

export function ConfirmPanel({ id, title, onCancel, children }: Props) {
  const heading = useAutoFocus<HTMLHeadingElement>();
  return (
    <section class="panel" role="dialog" aria-labelledby={`${id}-title`} onKeyDown={closeOnEscape(onCancel)}>
      <h3 id={`${id}-title`} ref={heading} tabIndex={-1}>
        {title}
      </h3>
      {children}
    </section>
  );
}

import type { Status } from './useAction.js';

/** The outcome of a form or button: announced politely on success, at once on a problem. */
export function StatusLine({ status }: { status: Status }) {
  if (!status) return null;
  return (
    <p class={status.ok ? 'form-ok' : 'form-error'} role={status.ok ? 'status' : 'alert'}>
      {status.text}
    </p>
  );
}

import { useState } from 'preact/hooks';
import { describeError } from '../api.js';

/** What the last action said: a success (role "status") or a problem (role "alert"). */
export type Status = { ok: boolean; text: string } | null;

export type RunOptions = {
  /** Stay busy after success: the page is on its way elsewhere (Google, sign-in, deletion). */
  keepBusy?: boolean;
  /** Turns a failure into its sentence; `describeError` unless given. */
  describe?(error: unknown): string;
};

/**
 * A button's action with its busy state and its one-line outcome, shown by
 * `<StatusLine>`. `run` clears the last outcome and is busy while the action
 * runs; a string the action returns becomes the success text, a throw
 * becomes the error text.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<Status>(null);

  async function run(action: () => Promise<string | void>, opts: RunOptions = {}): Promise<void> {
    setBusy(true);
    setStatus(null);
    try {
      const text = await action();
      if (typeof text === 'string') setStatus({ ok: true, text });
      if (!opts.keepBusy) setBusy(false);
    } catch (e) {
      setStatus({ ok: false, text: (opts.describe ?? describeError)(e) });
      setBusy(false);
    }
  }

  return { busy, setBusy, status, setStatus, run };
}

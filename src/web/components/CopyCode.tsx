/**
 * A recovery code with a Copy button. The code sits alone in an <output>, so
 * its text is exactly the code. Copying falls back to selecting the text when
 * the clipboard API is missing (plain http) or refused.
 */
import { useRef, useState } from 'preact/hooks';

/** onCopied: the code reached the clipboard (not when it is only selected). */
type Props = { code: string; label: string; onCopied?: () => void };

export function CopyCode({ code, label, onCopied }: Props) {
  const output = useRef<HTMLOutputElement>(null);
  const [status, setStatus] = useState('');

  async function copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(code);
      setStatus('Copied.');
      onCopied?.();
      return;
    } catch {
      // Fall through to the selection fallback.
    }
    const node = output.current;
    const selection = window.getSelection();
    if (node && selection) {
      const range = document.createRange();
      range.selectNodeContents(node);
      selection.removeAllRanges();
      selection.addRange(range);
      let copied = false;
      try {
        copied = document.execCommand('copy');
      } catch {
        copied = false;
      }
      setStatus(copied ? 'Copied.' : 'The code is selected: copy it with your keyboard or long-press.');
      if (copied) onCopied?.();
      return;
    }
    setStatus('Copying did not work here: write the code down by hand.');
  }

  return (
    <div class="code-box">
      <output ref={output} class="recovery-code" aria-label={label}>{code}</output>
      <div class="code-actions">
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
        <span class="hint" role="status">
          {status}
        </span>
      </div>
    </div>
  );
}

/**
 * Right after sign-up: the recovery code, once. It is the account (P3): we
 * keep only its hash, so this is the only time anyone can see it. Continue
 * starts the first search at once (PROTOCOL.md §4); "I have saved it", Copy
 * and Download .txt are there to encourage saving it first. While the code is
 * shown, reloading or leaving the page asks first.
 */
import { useEffect, useState } from 'preact/hooks';
import { CopyCode } from '../components/CopyCode.js';
import { startSearch } from '../store/chat.js';
import { freshRecoveryCode } from '../store/session.js';

/** The code as a small text file, made on this device (nothing is fetched). */
function download(code: string): void {
  const text = `METSONY recovery code\n\n${code}\n\nThis code is the only way back into your account. Keep it private.\n`;
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = 'metsony-recovery-code.txt';
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function RecoveryCodeScreen({ code }: { code: string }) {
  const [saved, setSaved] = useState(false);

  // The code is lost for good if the page goes: the browser asks first.
  useEffect(() => {
    function warn(event: BeforeUnloadEvent): void {
      event.preventDefault();
      event.returnValue = '';
    }
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, []);

  function proceed(): void {
    freshRecoveryCode.value = null;
    startSearch();
  }

  return (
    <div class="page narrow">
      <h1 tabIndex={-1}>Save your recovery code</h1>
      <p>
        <strong>This code is the only way back into your account.</strong> There is no email and no password reset:
        if you log out, clear this browser or change devices, you need these words to sign in again.
      </p>
      <CopyCode code={code} label="Your recovery code" onCopied={() => setSaved(true)} />
      <div class="button-row">
        <button
          type="button"
          onClick={() => {
            download(code);
            setSaved(true);
          }}
        >
          Download .txt
        </button>
      </div>
      <p class="hint">
        Write it down or keep it in a password manager. We store only a hashed form of it, so nobody, not even
        METSONY, can show it to you again.
      </p>
      <div class="field check">
        <input id="code-saved" type="checkbox" checked={saved} onChange={(e) => setSaved(e.currentTarget.checked)} />
        <label for="code-saved">I have saved it</label>
      </div>
      <button type="button" class="primary" aria-describedby={saved ? undefined : 'code-saved-why'} onClick={proceed}>
        Continue
      </button>
      {!saved && (
        <p class="hint" id="code-saved-why">
          Not saved yet? Copy it or download it first: without it you cannot get back in.
        </p>
      )}
    </div>
  );
}

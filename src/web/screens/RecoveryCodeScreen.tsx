/**
 * Right after sign-up: the recovery code, once. It is the account (P3): we
 * keep only its hash, so this is the only time anyone can see it.
 */
import { CopyCode } from '../components/CopyCode.js';
import { startSearch } from '../store/chat.js';
import { freshRecoveryCode } from '../store/session.js';

export function RecoveryCodeScreen({ code }: { code: string }) {
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
      <CopyCode code={code} label="Your recovery code" />
      <p class="hint">
        Write it down or keep it in a password manager. We store only a hashed form of it, so nobody, not even
        METSONY, can show it to you again.
      </p>
      <button type="button" class="primary" onClick={proceed}>
        Continue
      </button>
    </div>
  );
}

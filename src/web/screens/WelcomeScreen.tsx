/**
 * First visit: pick a nickname and interests, confirm 18+, start chatting.
 * Or come back with a recovery code, or (when the server has it on) with a
 * Google account linked before. Nothing else is asked (P1, P13).
 */
import { useState } from 'preact/hooks';
import { normalizeNickname } from '../../shared/interests.js';
import { ApiError, describeError } from '../api.js';
import { AntiBotCheck } from '../components/AntiBotCheck.js';
import { InterestsInput, interestsWithDraft } from '../components/InterestsInput.js';
import { StatusLine } from '../components/StatusLine.js';
import { useAction } from '../components/useAction.js';
import { useBackFromAway } from '../components/useBackFromAway.js';
import { features } from '../store/features.js';
import { signInWithCode, signUp, startGoogleSignIn, welcomeMode } from '../store/session.js';

export function WelcomeScreen() {
  const mode = welcomeMode.value;
  const setMode = (next: 'sign-up' | 'recover') => (welcomeMode.value = next);
  return (
    <div class="page welcome">
      <section class="intro">
        <h1 tabIndex={-1}>Talk to a stranger who shares your interests</h1>
        <ul class="promises">
          <li>No email, no real name: a nickname is enough.</li>
          <li>Chats are relayed live and never stored.</li>
          <li>One button erases everything, any time.</li>
        </ul>
      </section>
      {mode === 'sign-up' ? (
        <SignUpForm onRecover={() => setMode('recover')} />
      ) : (
        <RecoverForm onBack={() => setMode('sign-up')} />
      )}
    </div>
  );
}

function SignUpForm({ onRecover }: { onRecover(): void }) {
  const [nickname, setNickname] = useState('');
  const [interests, setInterests] = useState<string[]>([]);
  const [draft, setDraft] = useState('');
  const [adult, setAdult] = useState(false);
  const { busy, status, setStatus, run } = useAction();

  const ready = nickname.trim().length > 0 && adult && !busy;

  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    if (!adult) return setStatus({ ok: false, text: 'Please confirm that you are 18 or older. METSONY is for adults only.' });
    const name = normalizeNickname(nickname);
    if (!name.ok) return setStatus({ ok: false, text: name.message });
    const chosen = interestsWithDraft(interests, draft);
    if (!chosen.ok) return setStatus({ ok: false, text: chosen.message });
    // Once signed up, this form makes way for the recovery code: stay busy until then.
    await run(() => signUp(name.nickname, chosen.interests), { keepBusy: true });
  }

  return (
    <form class="card form" onSubmit={(e) => void submit(e)} aria-busy={busy} noValidate>
      <h2>Join in a few seconds</h2>
      <div class="field">
        <label for="signup-nickname">Nickname</label>
        <input
          id="signup-nickname"
          type="text"
          value={nickname}
          autocomplete="off"
          autocapitalize="none"
          spellcheck={false}
          aria-describedby="signup-nickname-hint"
          onInput={(e) => setNickname(e.currentTarget.value)}
        />
        <p class="hint" id="signup-nickname-hint">
          Up to 32 characters. Others see it in chats; pick anything but your real name.
        </p>
      </div>
      <InterestsInput
        id="signup-interests"
        interests={interests}
        draft={draft}
        onChange={setInterests}
        onDraftChange={setDraft}
      />
      <div class="field check">
        <input id="signup-adult" type="checkbox" checked={adult} onChange={(e) => setAdult(e.currentTarget.checked)} />
        <label for="signup-adult">I am 18 or older</label>
      </div>
      <AntiBotCheck />
      <StatusLine status={status} />
      <button type="submit" class="primary" disabled={!ready} aria-describedby="signup-why">
        Start chatting
      </button>
      <p class="hint" id="signup-why">
        {ready || busy
          ? 'You will get a recovery code next: it is the only key to your account.'
          : 'Enter a nickname and confirm you are 18 or older to start.'}
      </p>
      <p class="switch">
        <button type="button" class="link" onClick={onRecover}>
          I have a recovery code
        </button>
      </p>
    </form>
  );
}

function RecoverForm({ onBack }: { onBack(): void }) {
  const [code, setCode] = useState('');
  const { busy, status, setStatus, run } = useAction();

  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    if (!code.trim()) return setStatus({ ok: false, text: 'Type or paste your recovery code first.' });
    // Once signed in, this form goes away: stay busy until then.
    await run(() => signInWithCode(code), { keepBusy: true, describe: describeSignInError });
  }

  return (
    <form class="card form" onSubmit={(e) => void submit(e)} aria-busy={busy} noValidate>
      <h2>Sign in with your recovery code</h2>
      <div class="field">
        <label for="recover-code">Recovery code</label>
        <input
          id="recover-code"
          type="text"
          value={code}
          autocomplete="off"
          autocapitalize="none"
          spellcheck={false}
          aria-describedby="recover-code-hint"
          onInput={(e) => setCode(e.currentTarget.value)}
        />
        <p class="hint" id="recover-code-hint">
          The words you saved when you signed up, e.g. maple-orbit-velvet-canyon-harbor-lime.
        </p>
      </div>
      <AntiBotCheck />
      <StatusLine status={status} />
      <button type="submit" class="primary" disabled={busy}>
        Sign in
      </button>
      {features.value.google && <GoogleSignIn />}
      <p class="switch">
        <button type="button" class="link" onClick={onBack}>
          New here? Create an account
        </button>
      </p>
    </form>
  );
}

function describeSignInError(e: unknown): string {
  return e instanceof ApiError && e.code === 'invalid_recovery_code'
    ? 'That recovery code does not match any account. Check each word and their order, then try again.'
    : describeError(e);
}

/**
 * "Continue with Google" (not "Sign in with Google": the recovery code's
 * button is named "Sign in", and names are matched as substrings).
 */
function GoogleSignIn() {
  const { busy, setBusy, status, run } = useAction();
  useBackFromAway(() => setBusy(false));

  // The browser is on its way to Google; stay busy until the page goes.
  const go = () => run(startGoogleSignIn, { keepBusy: true });

  return (
    <div class="alt-signin">
      <p class="alt-signin-or" aria-hidden="true">
        or
      </p>
      <button type="button" class="wide" disabled={busy} aria-describedby="google-signin-hint" onClick={() => void go()}>
        Continue with Google
      </button>
      <p class="hint" id="google-signin-hint">
        Works once you have linked Google to your account in Settings. METSONY never sees your Google password.
      </p>
      <StatusLine status={status} />
    </div>
  );
}

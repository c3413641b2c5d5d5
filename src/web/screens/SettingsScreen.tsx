/**
 * Settings: the account (nickname, interests), the private profile that never
 * leaves this device on its own, a new recovery code, Google (link or unlink,
 * when the server has it on), export, log out, and Delete everything
 * (P4, P6, P9, P10, P14).
 */
import { signal } from '@preact/signals';
import { useEffect, useState } from 'preact/hooks';
import { normalizeNickname } from '../../shared/interests.js';
import { ConfirmPanel } from '../components/ConfirmPanel.js';
import { DevicesSection } from './DevicesSection.js';
import { CopyCode } from '../components/CopyCode.js';
import { InterestsInput, interestsWithDraft } from '../components/InterestsInput.js';
import { StatusLine } from '../components/StatusLine.js';
import { useAction, type Status } from '../components/useAction.js';
import { useBackFromAway } from '../components/useBackFromAway.js';
import { askNotifications, notificationState, setSound, soundOn } from '../store/alerts.js';
import { features } from '../store/features.js';
import { privateProfile, savePrivateProfile } from '../store/profile.js';
import {
  deleteEverything,
  downloadExport,
  logOut,
  rotateRecoveryCode,
  saveAccount,
  session,
  startGoogleLink,
  unlinkGoogle,
} from '../store/session.js';
import type { PrivateProfile } from '../storage.js';

/** "Get a new code first", next to Log out, opens the recovery code's confirmation. */
const rotateAsked = signal(false);

export function SettingsScreen() {
  return (
    <div class="page settings">
      <h1 tabIndex={-1}>Settings</h1>
      <AccountSection />
      <ProfileSection />
      <RecoveryCodeSection />
      <AlertsSection />
      <DevicesSection />
      <GoogleSection />
      <DataSection />
      <LogOutSection />
      <DeleteSection />
    </div>
  );
}

function AccountSection() {
  const me = session.value?.me;
  const [nickname, setNickname] = useState(me?.nickname ?? '');
  const [interests, setInterests] = useState<string[]>(me?.interests ?? []);
  const [draft, setDraft] = useState('');
  const { busy, status, setStatus, run } = useAction();
  const meId = me?.id;

  // The account may arrive after the screen opened (page load): fill the form then.
  useEffect(() => {
    const current = session.value?.me;
    if (!current) return;
    setNickname(current.nickname);
    setInterests(current.interests);
  }, [meId]);

  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    const name = normalizeNickname(nickname);
    if (!name.ok) return setStatus({ ok: false, text: name.message });
    const chosen = interestsWithDraft(interests, draft);
    if (!chosen.ok) return setStatus({ ok: false, text: chosen.message });
    await run(async () => {
      await saveAccount({ nickname: name.nickname, interests: chosen.interests });
      setInterests(chosen.interests);
      setDraft('');
      return 'Saved. New matches use these from now on.';
    });
  }

  return (
    <section class="card" aria-labelledby="account-title">
      <h2 id="account-title">Your account</h2>
      <form class="form" onSubmit={(e) => void submit(e)} noValidate>
        <div class="field">
          <label for="settings-nickname">Nickname</label>
          <input
            id="settings-nickname"
            type="text"
            value={nickname}
            autocomplete="off"
            spellcheck={false}
            onInput={(e) => setNickname(e.currentTarget.value)}
          />
        </div>
        <InterestsInput
          id="settings-interests"
          interests={interests}
          draft={draft}
          onChange={setInterests}
          onDraftChange={setDraft}
        />
        <button type="submit" class="primary" disabled={busy}>
          Save changes
        </button>
        <StatusLine status={status} />
      </form>
    </section>
  );
}

type ProfileDraft = { firstName: string; age: string; gender: string; location: string };

function toDraft(p: PrivateProfile): ProfileDraft {
  return { firstName: p.firstName ?? '', age: p.age === undefined ? '' : String(p.age), gender: p.gender ?? '', location: p.location ?? '' };
}

const PROFILE_TEXT_MAX = 64;

function ProfileSection() {
  const [draft, setDraft] = useState<ProfileDraft>(() => toDraft(privateProfile.value));
  const [status, setStatus] = useState<Status>(null);

  const set = (key: keyof ProfileDraft) => (e: Event) => {
    setDraft({ ...draft, [key]: (e.currentTarget as HTMLInputElement).value });
    setStatus(null);
  };

  function submit(event: Event): void {
    event.preventDefault();
    const profile: PrivateProfile = {};
    const firstName = draft.firstName.trim();
    const gender = draft.gender.trim();
    const location = draft.location.trim();
    if (firstName) profile.firstName = firstName;
    if (gender) profile.gender = gender;
    if (location) profile.location = location;
    if (draft.age.trim()) {
      const age = Number(draft.age);
      if (!Number.isInteger(age) || age < 18 || age > 130) {
        setStatus({ ok: false, text: 'Age must be a whole number from 18 to 130.' });
        return;
      }
      profile.age = age;
    }
    savePrivateProfile(profile);
    setDraft(toDraft(profile));
    setStatus({ ok: true, text: 'Saved on this device.' });
  }

  function clear(): void {
    savePrivateProfile({});
    setDraft(toDraft({}));
    setStatus({ ok: true, text: 'Your private profile was removed from this device.' });
  }

  return (
    <section class="card" aria-labelledby="profile-title">
      <h2 id="profile-title">Private profile</h2>
      <p>
        Everything here is optional and is kept only in this browser. It never leaves this device unless you press
        <strong> Reveal profile</strong> in a chat, and then it goes once, to that one person, and is not stored by
        METSONY.
      </p>
      <form class="form" onSubmit={submit} noValidate>
        <div class="field-row">
          <div class="field">
            <label for="profile-first-name">First name</label>
            <input id="profile-first-name" type="text" maxLength={PROFILE_TEXT_MAX} autocomplete="off" value={draft.firstName} onInput={set('firstName')} />
          </div>
          <div class="field">
            <label for="profile-age">Age</label>
            <input id="profile-age" type="number" inputMode="numeric" min={18} max={130} value={draft.age} onInput={set('age')} />
          </div>
          <div class="field">
            <label for="profile-gender">Gender</label>
            <input id="profile-gender" type="text" maxLength={PROFILE_TEXT_MAX} autocomplete="off" value={draft.gender} onInput={set('gender')} />
          </div>
          <div class="field">
            <label for="profile-location">Location</label>
            <input id="profile-location" type="text" maxLength={PROFILE_TEXT_MAX} autocomplete="off" value={draft.location} onInput={set('location')} />
          </div>
        </div>
        <div class="button-row">
          <button type="submit" class="primary">
            Save profile
          </button>
          <button type="button" onClick={clear}>
            Clear profile
          </button>
        </div>
        <StatusLine status={status} />
      </form>
    </section>
  );
}

/** Sound and system notifications for matches and messages while METSONY is in the background. */
function AlertsSection() {
  const permission = notificationState.value;
  return (
    <section class="card" aria-labelledby="alerts-title">
      <h2 id="alerts-title">Alerts</h2>
      <p>
        While METSONY is in another tab, the tab's title shows a new match or new messages. These alerts are made on
        this device; nothing about them is sent anywhere.
      </p>
      <div class="field check">
        <input id="alerts-sound" type="checkbox" checked={soundOn.value} onChange={(e) => setSound(e.currentTarget.checked)} />
        <label for="alerts-sound">Play a sound for new matches and messages</label>
      </div>
      {permission === 'default' && (
        <button type="button" onClick={() => void askNotifications()}>
          Allow notifications
        </button>
      )}
      {permission === 'granted' && <p class="hint">Notifications are on: they say who wrote, never what.</p>}
      {permission === 'denied' && (
        <p class="hint">Notifications are blocked for this site; you can allow them in your browser's site settings.</p>
      )}
    </section>
  );
}

function RecoveryCodeSection() {
  const [confirming, setConfirmingState] = useState(false);
  const setConfirming = (value: boolean) => {
    rotateAsked.value = false;
    setConfirmingState(value);
  };
  useEffect(() => {
    if (rotateAsked.value) setConfirmingState(true);
  }, [rotateAsked.value]);
  const [code, setCode] = useState<string | null>(null);
  const [alsoUnlink, setAlsoUnlink] = useState(false);
  const { busy, status, run } = useAction();
  const googleLinked = session.value?.me?.linked?.google === true;

  const rotate = () =>
    run(async () => {
      setCode(await rotateRecoveryCode({ unlinkGoogle: googleLinked && alsoUnlink }));
      setConfirming(false);
      setAlsoUnlink(false);
    });

  return (
    <section class="card" aria-labelledby="code-title">
      <h2 id="code-title">Recovery code</h2>
      {code ? (
        <>
          <p>
            <strong>Your new code is the only way back into your account.</strong> The old code no longer works, and
            every other device was signed out.
          </p>
          <CopyCode code={code} label="Your new recovery code" />
          <button type="button" onClick={() => setCode(null)}>
            I have saved it
          </button>
        </>
      ) : confirming ? (
        <ConfirmPanel id="rotate" title="Replace your recovery code?" onCancel={() => setConfirming(false)}>
          <p>The old code stops working and every other device is signed out. This device stays signed in.</p>
          {googleLinked && (
            <>
              <div class="field check">
                <input
                  id="rotate-unlink-google"
                  type="checkbox"
                  checked={alsoUnlink}
                  aria-describedby="rotate-unlink-why"
                  onChange={(e) => setAlsoUnlink(e.currentTarget.checked)}
                />
                <label for="rotate-unlink-google">Also unlink Google</label>
              </div>
              <p class="hint" id="rotate-unlink-why">
                Otherwise whoever can sign in to the linked Google account can still get in.
              </p>
            </>
          )}
          <div class="panel-actions">
            <button type="button" class="primary" disabled={busy} onClick={() => void rotate()}>
              Get a new recovery code
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </ConfirmPanel>
      ) : (
        <>
          <p>Lost your code, or think someone saw it? Get a new one; the old one stops working.</p>
          <button type="button" onClick={() => setConfirming(true)}>
            Get a new recovery code
          </button>
        </>
      )}
      <StatusLine status={status} />
    </section>
  );
}

/**
 * Link or unlink Google. Only one of the two buttons is ever on screen:
 * "Unlink Google" contains "Link Google", and names match as substrings.
 * Shown when Google sign-in is on, or while one is still linked (unlinking
 * works even after the server switched Google off).
 */
function GoogleSection() {
  const me = session.value?.me;
  const linked = me?.linked?.google === true;
  const on = features.value.google;
  const { busy, setBusy, status, run } = useAction();
  useBackFromAway(() => setBusy(false));

  if (!on && !linked) return null;

  // On the way to Google: stay busy until the page goes.
  const link = () => run(startGoogleLink, { keepBusy: true });

  const unlink = () =>
    run(async () => {
      await unlinkGoogle();
      return 'Google is unlinked. METSONY no longer keeps anything of that Google account.';
    });

  return (
    <section class="card" aria-labelledby="google-title">
      <h2 id="google-title">Google</h2>
      <p id="google-why">
        METSONY keeps only your Google account's id and email, only to let you sign in with Google, and erases them
        when you unlink it or delete your account.
      </p>
      {!me ? (
        <p class="hint">Loading your account…</p>
      ) : linked ? (
        <>
          <p>
            <strong>Google is linked.</strong> You can sign in with <strong>Continue with Google</strong> as well as
            with your recovery code.
          </p>
          <button type="button" disabled={busy} aria-describedby="google-why" onClick={() => void unlink()}>
            Unlink Google
          </button>
        </>
      ) : (
        <>
          <p>Link a Google account to sign in with it next time, as well as with your recovery code.</p>
          <button type="button" disabled={busy || !on} aria-describedby="google-why" onClick={() => void link()}>
            Link Google
          </button>
        </>
      )}
      <StatusLine status={status} />
    </section>
  );
}

function DataSection() {
  const { busy, status, run } = useAction();

  const exportNow = () =>
    run(async () => {
      await downloadExport();
      return 'Your data was downloaded as a JSON file.';
    });

  return (
    <section class="card" aria-labelledby="data-title">
      <h2 id="data-title">Your data</h2>
      <p>Download everything METSONY stores about your account, as a JSON file.</p>
      <button type="button" disabled={busy} onClick={() => void exportNow()}>
        Export my data
      </button>
      <StatusLine status={status} />
    </section>
  );
}

/**
 * Log out: one click (PROTOCOL.md §4). The sentence above it reminds that the
 * recovery code is the only way back, with a link to get a new one first.
 */
function LogOutSection() {
  const [busy, setBusy] = useState(false);
  return (
    <section class="card" aria-labelledby="logout-title">
      <h2 id="logout-title">Log out</h2>
      <p>
        Ends this sign-in and removes everything METSONY keeps in this browser, including your private profile. You
        can come back with your recovery code.
      </p>
      <p class="hint" id="logout-reminder">
        Your recovery code is the only way back into this account. Lost it?{' '}
        <button
          type="button"
          class="link-button"
          onClick={() => {
            rotateAsked.value = true;
            document.getElementById('code-title')?.scrollIntoView({ block: 'start' });
          }}
        >
          Get a new code first
        </button>
        .
      </p>
      <button
        type="button"
        disabled={busy}
        aria-describedby="logout-reminder"
        onClick={() => {
          setBusy(true);
          void logOut();
        }}
      >
        Log out
      </button>
    </section>
  );
}

const ERASED = [
  'your account',
  'your nickname',
  'your interests',
  'your connections',
  'your offline messages, sent and received',
  'your linked sign-ins (Google)',
  'your recovery code and every session',
  'the private profile on this device',
];

function DeleteSection() {
  const [confirming, setConfirming] = useState(false);
  const { busy, status, run } = useAction();

  // Once deleted, this device is signed out and shows the first visit: stay busy until then.
  const confirm = () => run(deleteEverything, { keepBusy: true });

  return (
    <section class="card danger-zone" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete everything</h2>
      {confirming ? (
        <ConfirmPanel id="delete-confirm" title="Delete everything for good?" onCancel={() => setConfirming(false)}>
          <p>This erases, permanently and at once:</p>
          <ul>
            {ERASED.map((item) => (
              <li key={item}>{item}</li>
            ))}
          </ul>
          <p>The people you were connected with see the connection disappear. This cannot be undone.</p>
          <div class="panel-actions">
            <button type="button" class="danger" disabled={busy} onClick={() => void confirm()}>
              Delete everything
            </button>
            <button type="button" disabled={busy} onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </ConfirmPanel>
      ) : (
        <>
          <p>Erase your account and everything connected to it, on the server and on this device.</p>
          <button type="button" class="danger" onClick={() => setConfirming(true)}>
            Delete everything
          </button>
        </>
      )}
      <StatusLine status={status} />
    </section>
  );
}

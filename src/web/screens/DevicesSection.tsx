/**
 * Settings → Signed-in devices: every session of the account (this device
 * marked), each other one with "Sign out this device". No names or places
 * are shown because the server keeps none: only when a sign-in began and was
 * last used.
 */
import { useEffect, useState } from 'preact/hooks';
import type { SignedInDevice } from '../api.js';
import { StatusLine } from '../components/StatusLine.js';
import { useAction } from '../components/useAction.js';
import { session, signedInDevices, signOutDevice } from '../store/session.js';

const when = (iso: string) => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
};

export function DevicesSection() {
  const [devices, setDevices] = useState<SignedInDevice[] | null>(null);
  const { busy, status, setStatus, run } = useAction();
  const token = session.value?.token;

  const load = async () => setDevices(await signedInDevices());

  // Again whenever this device's token changes (a new recovery code signs every other device out).
  useEffect(() => {
    if (!token) return;
    load().catch(() => setStatus({ ok: false, text: 'The list of signed-in devices could not be loaded.' }));
  }, [token]);

  const signOut = (id: string) =>
    run(async () => {
      await signOutDevice(id);
      await load();
      return 'That device is signed out.';
    });

  return (
    <section class="card" aria-labelledby="devices-title">
      <h2 id="devices-title">Signed-in devices</h2>
      <p>
        Every browser or app signed in to your account. A device that is not used for a long time is signed out by
        itself.
      </p>
      {devices === null ? (
        <p class="hint">Loading…</p>
      ) : (
        <ul class="devices" aria-labelledby="devices-title">
          {devices.map((device) => (
            <li key={device.id}>
              <span id={`device-${device.id}`}>
                {device.current ? <strong>This device</strong> : 'Another device'}: signed in {when(device.createdAt)}, last
                used {when(device.lastUsedAt)}
              </span>
              {!device.current && (
                <button type="button" disabled={busy} aria-describedby={`device-${device.id}`} onClick={() => void signOut(device.id)}>
                  Sign out this device
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <StatusLine status={status} />
    </section>
  );
}

/**
 * What the session and the connections ask of the identity key (identity.ts),
 * without its cryptography in the first page: each call fetches the
 * encryption code (cryptoLoader.ts) and runs there once it is here, in the
 * order the calls were made. Forgetting the key needs no cryptography: the
 * stored key is cleared at once, and a sign-up or sign-in still waiting for
 * the code is dropped, so nothing comes back after Log out.
 */
import { saveIdentity } from '../storage.js';
import { type CryptoCode, loadCrypto, loadedCrypto } from './cryptoLoader.js';
import { KEYS_NOT_SET_UP, showNotice } from './notices.js';

/** Bumped by forgetIdentity: work asked for before it is dropped. */
let generation = 0;
/** Settles once the last call made has run (or was dropped). */
let started: Promise<void> = Promise.resolve();

function onceLoaded(work: (code: CryptoCode) => void): void {
  const asked = generation;
  const previous = started;
  started = previous
    .then(loadCrypto)
    .then(
      (code) => {
        if (generation === asked) work(code);
      },
      () => {
        if (generation === asked) showNotice(KEYS_NOT_SET_UP, 'info');
      },
    );
}

/** Sign-up: a new key pair, wrapped under the new code and uploaded. */
export function setUpIdentity(token: string, recoveryCode: string): void {
  onceLoaded((code) => code.setUpIdentity(token, recoveryCode));
}

/** Sign-in with the code: unwrap the stored key (or make one for an account without). */
export function unlockIdentity(token: string, recoveryCode: string): void {
  onceLoaded((code) => code.unlockIdentity(token, recoveryCode));
}

/** After a code rotation: wrap the key again under the new code. */
export function rewrapIdentity(token: string, recoveryCode: string): void {
  onceLoaded((code) => code.rewrapIdentity(token, recoveryCode));
}

/** Sign-out, or another account signs in on this tab: forget the key, here and in storage. */
export function forgetIdentity(): void {
  generation += 1;
  started = Promise.resolve();
  saveIdentity(null);
  loadedCrypto()?.forgetIdentity();
}

/** The private key, once this device has it (after a sign-in's unwrap in progress); null without one. */
export async function identityPrivateKey(): Promise<Uint8Array | null> {
  await started;
  try {
    return await (await loadCrypto()).identityPrivateKey();
  } catch {
    return null;
  }
}

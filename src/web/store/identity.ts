/**
 * The account's identity key on this device (docs/encryption.md, "Identity
 * key"). Made at sign-up and uploaded wrapped under the recovery code;
 * unwrapped with the code at sign-in on another device; wrapped again under
 * the new code after a rotation. The private key stays on the device
 * (localStorage, cleared by Log out and Delete everything).
 *
 * `identityPrivateKey()` settles once a sign-in's unwrap is done, so offline
 * messages that arrive meanwhile wait for the key instead of failing.
 *
 * This file is part of the chunk fetched on demand (cryptoCode.ts): the rest
 * of the app calls it through identityKeys.ts.
 */
import * as api from '../api.js';
import { fromBase64Url, toBase64Url } from '../crypto/bytes.js';
import { type DeriveKey, type IdentityKeys, newIdentity, publicKeyOf, scryptHere, unwrapIdentity, wrapIdentity } from '../crypto/identity.js';
import { loadIdentity, saveIdentity } from '../storage.js';
import { KEYS_NOT_SET_UP, showNotice } from './notices.js';

/** scrypt in a Web Worker, so the page stays responsive; on the main thread if workers fail. */
const deriveInWorker: DeriveKey = (password, salt, params) =>
  new Promise<Uint8Array>((resolve, reject) => {
    const worker = new Worker(new URL('../scryptWorker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (event: MessageEvent<Uint8Array | null>) => {
      worker.terminate();
      if (event.data) resolve(event.data);
      else reject(new Error('scrypt failed'));
    };
    worker.onerror = () => {
      worker.terminate();
      reject(new Error('worker failed'));
    };
    worker.postMessage({ password, salt, ...params });
  }).catch(() => scryptHere(password, salt, params));

let identity: IdentityKeys | null = readStored();
let ready: Promise<void> = Promise.resolve();

function readStored(): IdentityKeys | null {
  const stored = loadIdentity();
  if (!stored) return null;
  try {
    const privateKey = fromBase64Url(stored.privateKey);
    const publicKey = publicKeyOf(privateKey);
    return toBase64Url(publicKey) === stored.publicKey ? { publicKey, privateKey } : null;
  } catch {
    return null;
  }
}

/** Bumped by forgetIdentity: a sign-in's unwrap that finishes after Log out keeps nothing. */
let generation = 0;

function keep(keys: IdentityKeys, asked = generation): void {
  if (asked !== generation) return;
  identity = keys;
  saveIdentity({ publicKey: toBase64Url(keys.publicKey), privateKey: toBase64Url(keys.privateKey) });
}

/** The private key, once this device has it (after the wait of a sign-in in progress). */
export async function identityPrivateKey(): Promise<Uint8Array | null> {
  await ready;
  return identity?.privateKey ?? null;
}

function track(work: Promise<void>): void {
  ready = work.catch(() => {
    showNotice(KEYS_NOT_SET_UP, 'info');
  });
}

/** Sign-up: a new key pair, wrapped under the new code and uploaded. */
export function setUpIdentity(token: string, recoveryCode: string): void {
  track(
    (async () => {
      const keys = newIdentity();
      keep(keys);
      await api.putKeys(token, await wrapIdentity(keys, recoveryCode, deriveInWorker));
    })(),
  );
}

/**
 * Sign-in with the code: unwrap the stored key. An account without keys gets
 * them now. A stored key without a wrap (its code was rotated on a device that
 * could not re-wrap it) cannot be opened: this device keeps what it has.
 */
export function unlockIdentity(token: string, recoveryCode: string): void {
  track(
    (async () => {
      const asked = generation;
      const stored = await api.getKeys(token);
      if (!stored) {
        const keys = identity ?? newIdentity();
        keep(keys, asked);
        await api.putKeys(token, await wrapIdentity(keys, recoveryCode, deriveInWorker));
        return;
      }
      if (stored.wrapped) {
        keep(await unwrapIdentity({ publicKey: stored.publicKey, wrapped: stored.wrapped }, recoveryCode, deriveInWorker), asked);
        return;
      }
      if (identity && toBase64Url(identity.publicKey) === stored.publicKey) {
        await api.putKeys(token, await wrapIdentity(identity, recoveryCode, deriveInWorker));
      }
    })(),
  );
}

/** After a code rotation: the server dropped the old wrap; wrap again under the new code. */
export function rewrapIdentity(token: string, recoveryCode: string): void {
  const keys = identity;
  if (!keys) return;
  track((async () => void (await api.putKeys(token, await wrapIdentity(keys, recoveryCode, deriveInWorker))))());
}

/** Sign-out, or another account signs in on this tab: forget the key, here and in storage. */
export function forgetIdentity(): void {
  generation += 1;
  identity = null;
  ready = Promise.resolve();
  saveIdentity(null);
}

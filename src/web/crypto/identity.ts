/**
 * The account's identity key (X25519) and its wrap under the recovery code
 * (docs/encryption.md, "Identity key"). The private key leaves the device only
 * wrapped: XChaCha20-Poly1305 under scrypt(recovery code, random salt).
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { SCRYPT, WRAP } from '../../shared/e2e.js';
import { compareBytes, concat, fromBase64Url, randomBytes, toBase64Url, utf8 } from './bytes.js';

export type IdentityKeys = { publicKey: Uint8Array; privateKey: Uint8Array };

/** What `PUT /api/me/keys` stores: the public key in clear, the private key wrapped. */
export type WrappedIdentity = {
  publicKey: string;
  wrapped: { kdf: 'scrypt'; logN: number; r: number; p: number; salt: string; nonce: string; ciphertext: string };
};

const WRAP_LABEL = utf8('metsony identity wrap v1');

export function newIdentity(): IdentityKeys {
  const { secretKey, publicKey } = x25519.keygen();
  return { publicKey, privateKey: secretKey };
}

export function publicKeyOf(privateKey: Uint8Array): Uint8Array {
  return x25519.getPublicKey(privateKey);
}

/** The server's rule (case-insensitive; spaces, dots, underscores for `-`), so every spelling that signs in also unwraps. */
export function normalizeCode(raw: string): string {
  return raw
    .toLowerCase()
    .split(/[\s._-]+/u)
    .filter(Boolean)
    .join('-');
}

export type ScryptParams = { logN: number; r: number; p: number };
/** scrypt(password, salt) → 32 bytes; the browser runs it in a Web Worker (store/identity.ts), tests here. */
export type DeriveKey = (password: Uint8Array, salt: Uint8Array, params: ScryptParams) => Promise<Uint8Array>;

export const scryptHere: DeriveKey = (password, salt, { logN, r, p }) =>
  scryptAsync(password, salt, { N: 2 ** logN, r, p, dkLen: SCRYPT.keyBytes, asyncTick: 50 });

function wrapKey(derive: DeriveKey, code: string, salt: Uint8Array, logN: number, r: number, p: number): Promise<Uint8Array> {
  return derive(utf8(normalizeCode(code)), salt, { logN, r, p });
}

/** The AAD binds the wrap to its public key and KDF parameters: swapping either breaks the tag. */
function wrapAad(publicKey: Uint8Array, logN: number, r: number, p: number): Uint8Array {
  return concat(WRAP_LABEL, publicKey, new Uint8Array([logN, r, p]));
}

export async function wrapIdentity(keys: IdentityKeys, code: string, derive: DeriveKey = scryptHere): Promise<WrappedIdentity> {
  const { logN, r, p } = SCRYPT;
  const salt = randomBytes(SCRYPT.saltBytes);
  const nonce = randomBytes(WRAP.nonceBytes);
  const key = await wrapKey(derive, code, salt, logN, r, p);
  const ciphertext = xchacha20poly1305(key, nonce, wrapAad(keys.publicKey, logN, r, p)).encrypt(keys.privateKey);
  key.fill(0);
  return {
    publicKey: toBase64Url(keys.publicKey),
    wrapped: { kdf: 'scrypt', logN, r, p, salt: toBase64Url(salt), nonce: toBase64Url(nonce), ciphertext: toBase64Url(ciphertext) },
  };
}

export class UnwrapError extends Error {
  constructor() {
    super('This recovery code does not unlock the stored key.');
  }
}

/** Throws `UnwrapError` for a wrong code, a tampered wrap or a private key that does not match the public key. */
export async function unwrapIdentity(stored: WrappedIdentity, code: string, derive: DeriveKey = scryptHere): Promise<IdentityKeys> {
  const { logN, r, p, salt, nonce, ciphertext } = stored.wrapped;
  if (logN < SCRYPT.logNMin || logN > SCRYPT.logNMax || r !== SCRYPT.r || p !== SCRYPT.p) throw new UnwrapError();
  const publicKey = fromBase64Url(stored.publicKey);
  const key = await wrapKey(derive, code, fromBase64Url(salt), logN, r, p);
  let privateKey: Uint8Array;
  try {
    privateKey = xchacha20poly1305(key, fromBase64Url(nonce), wrapAad(publicKey, logN, r, p)).decrypt(fromBase64Url(ciphertext));
  } catch {
    throw new UnwrapError();
  } finally {
    key.fill(0);
  }
  if (compareBytes(publicKeyOf(privateKey), publicKey) !== 0) throw new UnwrapError();
  return { publicKey, privateKey };
}

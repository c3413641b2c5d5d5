/**
 * End-to-end encryption: the formats the server checks without reading them
 * (docs/encryption.md). Shared by the server (validation) and the web app
 * (src/web/crypto/, which makes and reads them). No crypto here.
 */
import { LIMITS } from './limits.js';

/** A 32-byte X25519 public key in base64url without padding. */
export const PUBLIC_KEY_PATTERN = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/u;

/** base64url of exactly `bytes` bytes, no padding. */
export function base64UrlPattern(bytes: number): RegExp {
  const full = Math.floor((bytes * 8) / 6);
  const rest = (bytes * 8) % 6;
  const last = rest === 0 ? '' : rest === 2 ? '[AQgw]' : '[AEIMQUYcgkosw048]';
  return new RegExp(`^[A-Za-z0-9_-]{${full}}${last}$`, 'u');
}

/** scrypt parameters of the identity-key wrap: what the web app uses, and the range the server accepts. */
export const SCRYPT = { logN: 17, r: 8, p: 1, logNMin: 17, logNMax: 20, saltBytes: 16, keyBytes: 32 } as const;

/** The identity private key wrapped with XChaCha20-Poly1305: 24-byte nonce, 32-byte key + 16-byte tag. */
export const WRAP = { nonceBytes: 24, ciphertextBytes: 48 } as const;

/**
 * Largest ciphertext text a client may send in place of a ≤ 2000-character text:
 * 2000 code points are at most 8000 bytes of UTF-8, padded to a 256-byte bucket (8192),
 * plus a 16-byte tag, in base64url, plus the envelope's prefix (HPKE adds a 32-byte `enc`).
 */
export const CIPHERTEXT_TEXT_MAX = 11_200;
/** Plaintext is padded to a multiple of this many bytes before encryption, so lengths leak only coarsely. */
export const PAD_BLOCK = 256;
export const PLAINTEXT_BYTES_MAX = LIMITS.textMax * 4;

/** A live chat message: `e2e1.<counter>.<ciphertext>` (counter in decimal, from 0). */
export const CHAT_ENVELOPE_PATTERN = /^e2e1\.(0|[1-9][0-9]{0,15})\.[A-Za-z0-9_-]{22,}$/u;
/** A sealed connection message: `hpke1.<enc>.<ciphertext>`. */
export const SEALED_ENVELOPE_PATTERN = /^hpke1\.[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]\.[A-Za-z0-9_-]{22,}$/u;

export function isChatEnvelope(text: string): boolean {
  return text.length <= CIPHERTEXT_TEXT_MAX && CHAT_ENVELOPE_PATTERN.test(text);
}

export function isSealedEnvelope(text: string): boolean {
  return text.length <= CIPHERTEXT_TEXT_MAX && SEALED_ENVELOPE_PATTERN.test(text);
}

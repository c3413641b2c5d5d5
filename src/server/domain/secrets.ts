import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { wordlist } from '@scure/bip39/wordlists/english.js';

/** 6 words from the 2,048-word BIP-39 list: 66 bits of entropy. */
export const RECOVERY_CODE_WORDS = 6;
export const RECOVERY_CODE_BITS = RECOVERY_CODE_WORDS * Math.log2(wordlist.length);

export function newRecoveryCode(): string {
  const words: string[] = [];
  // 2048 = 2^11 divides 2^16 evenly, so taking 16 random bits mod 2048 has no bias.
  const bytes = randomBytes(RECOVERY_CODE_WORDS * 2);
  for (let i = 0; i < RECOVERY_CODE_WORDS; i++) {
    words.push(wordlist[bytes.readUInt16BE(i * 2) % wordlist.length]!);
  }
  return words.join('-');
}

/** Case-insensitive; spaces, dots or underscores are accepted in place of `-`. */
export function normalizeRecoveryCode(raw: string): string {
  return raw
    .toLowerCase()
    .split(/[\s._-]+/u)
    .filter(Boolean)
    .join('-');
}

/** 256 bits, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function newId(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * Codes and tokens carry ≥ 64 bits of entropy, so a fast hash is enough to make
 * the stored value useless to whoever reads the database (DESIGN §3).
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

let sequence = 0;
/**
 * An id that sorts in creation order within this process (time, then a
 * counter), with random bits so ids from several nodes do not collide.
 */
export function newSortableId(): string {
  sequence = (sequence + 1) % 36 ** 4;
  return Date.now().toString(36).padStart(9, '0') + sequence.toString(36).padStart(4, '0') + randomBytes(6).toString('base64url');
}

/** Compares a given secret with the expected one by digest, so neither length nor content leaks through timing. */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
}

import { LIMITS } from './limits.js';

/** Trim, lower-case and collapse inner whitespace: "  Rock   Music " → "rock music". */
export function normalizeInterest(raw: string): string {
  return raw.trim().toLowerCase().replace(/\s+/gu, ' ');
}

export type InterestsResult = { ok: true; interests: string[] } | { ok: false; message: string };

/**
 * Normalise a list of interests, dropping duplicates (first occurrence wins).
 * Each must be 1–32 characters after normalising; at most 20 are allowed.
 */
export function normalizeInterests(raw: readonly string[]): InterestsResult {
  if (raw.length > LIMITS.interestsMax) {
    return { ok: false, message: `At most ${LIMITS.interestsMax} interests are allowed.` };
  }
  const seen = new Set<string>();
  for (const item of raw) {
    const interest = normalizeInterest(item);
    const length = [...interest].length;
    if (length < 1 || length > LIMITS.interestMax) {
      return { ok: false, message: `Each interest must be 1–${LIMITS.interestMax} characters.` };
    }
    if (/\p{Cc}/u.test(interest)) {
      return { ok: false, message: 'Interests may not contain control characters.' };
    }
    seen.add(interest);
  }
  return { ok: true, interests: [...seen] };
}

export type NicknameResult = { ok: true; nickname: string } | { ok: false; message: string };

export function normalizeNickname(raw: string): NicknameResult {
  const nickname = raw.trim();
  const length = [...nickname].length;
  if (length < 1 || length > LIMITS.nicknameMax) {
    return { ok: false, message: `Nickname must be 1–${LIMITS.nicknameMax} characters.` };
  }
  if (/[\p{Cc}\u2028\u2029]/u.test(nickname)) {
    return { ok: false, message: 'Nickname may not contain control characters.' };
  }
  return { ok: true, nickname };
}

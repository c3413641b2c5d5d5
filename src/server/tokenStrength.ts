/**
 * How strong an operator-chosen bearer secret (ADMIN_TOKEN, METRICS_TOKEN) is.
 * A rough estimate, enough to refuse "aaaaaaaaaaaaaaaa" or "passwordpassword":
 * length × log2 of the alphabet formed by the character classes it uses.
 */
export const MIN_TOKEN_LENGTH = 16;
export const MIN_TOKEN_DISTINCT = 8;
export const MIN_TOKEN_BITS = 80;

const CLASSES: ReadonlyArray<{ test: RegExp; size: number }> = [
  { test: /[a-z]/, size: 26 },
  { test: /[A-Z]/, size: 26 },
  { test: /[0-9]/, size: 10 },
  // Printable ASCII punctuation and space; anything else counts as one of these too.
  { test: /[^a-zA-Z0-9]/, size: 33 },
];

export function estimatedBits(secret: string): number {
  const alphabet = CLASSES.reduce((sum, c) => (c.test.test(secret) ? sum + c.size : sum), 0);
  return alphabet > 1 ? [...secret].length * Math.log2(alphabet) : 0;
}

/** Why `secret` is too weak, or undefined when it is strong enough. */
export function tokenWeakness(secret: string): string | undefined {
  const length = [...secret].length;
  if (length < MIN_TOKEN_LENGTH) return `must be at least ${MIN_TOKEN_LENGTH} characters`;
  if (new Set(secret).size < MIN_TOKEN_DISTINCT) return `must use at least ${MIN_TOKEN_DISTINCT} different characters`;
  const bits = estimatedBits(secret);
  if (bits < MIN_TOKEN_BITS) return `is too guessable (about ${Math.floor(bits)} bits; at least ${MIN_TOKEN_BITS} needed)`;
  return undefined;
}

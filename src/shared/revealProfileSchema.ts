/**
 * The schema of a revealed profile (PROTOCOL.md `reveal`): the server checks
 * the plain form with it (protocol.ts embeds it in the `reveal` frame), the web
 * app a profile it decrypted (an encrypted reveal, docs/encryption.md), so both
 * refuse the same. Written with `zod/mini`, which never evaluates generated
 * code (the web app's CSP forbids it); the web app imports this module only
 * lazily, keeping zod out of the pages a first visit loads.
 */
import * as z from 'zod/mini';
import { normaliseProfile, type RevealedProfile } from './revealProfile.js';

export const REVEAL_FIELD_MAX = 64;
export const REVEAL_AGE_MIN = 18;
export const REVEAL_AGE_MAX = 130;

const field = z.optional(z.string().check(z.maxLength(REVEAL_FIELD_MAX)));

/** Every field optional; strings ≤ 64 characters, `age` an integer 18–130; any other field is refused. */
export const RevealProfileSchema = z.strictObject({
  firstName: field,
  age: z.optional(z.int().check(z.gte(REVEAL_AGE_MIN), z.lte(REVEAL_AGE_MAX))),
  gender: field,
  location: field,
});

export type { RevealedProfile };
/** Fails to compile if the schema and the type in revealProfile.ts ever part. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaGivesTheType: Same<z.infer<typeof RevealProfileSchema>, RevealedProfile> = true;
void schemaGivesTheType;

/** A profile from outside (a decrypted reveal): checked as the server checks the plain form, then trimmed; null when it is not one, or empty. */
export function parseRevealedProfile(value: unknown): RevealedProfile | null {
  const parsed = RevealProfileSchema.safeParse(value);
  return parsed.success ? normaliseProfile(parsed.data) : null;
}

/**
 * The private profile a person reveals in a chat (PROTOCOL.md `reveal`), as
 * the partner is shown it. No zod here: the web app bundles this module; the
 * schema that checks a profile is in revealProfileSchema.ts, which the web app
 * loads only when an encrypted profile arrives.
 */
/** Its shape; revealProfileSchema.ts checks that its schema gives exactly this type. */
export type RevealedProfile = { firstName?: string; age?: number; gender?: string; location?: string };

/** What the partner is shown: strings trimmed, empty ones left out. Null when nothing is left. */
export function normaliseProfile({ firstName, age, gender, location }: RevealedProfile): RevealedProfile | null {
  const profile: RevealedProfile = {
    ...(firstName?.trim() ? { firstName: firstName.trim() } : {}),
    ...(age !== undefined ? { age } : {}),
    ...(gender?.trim() ? { gender: gender.trim() } : {}),
    ...(location?.trim() ? { location: location.trim() } : {}),
  };
  return Object.keys(profile).length === 0 ? null : profile;
}

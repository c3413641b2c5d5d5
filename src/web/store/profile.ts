/**
 * The private profile (P4): first name, age, gender, location. It lives in
 * this browser's localStorage only and leaves the device only when the person
 * presses "Reveal profile" in a chat, and then only to that partner.
 */
import { signal } from '@preact/signals';
import { isProfileEmpty, loadProfile, saveProfile, type PrivateProfile } from '../storage.js';

export const privateProfile = signal<PrivateProfile>(loadProfile());

export function savePrivateProfile(profile: PrivateProfile): void {
  saveProfile(profile);
  privateProfile.value = loadProfile();
}

export function forgetPrivateProfile(): void {
  privateProfile.value = {};
}

export { isProfileEmpty };

export const PROFILE_FIELDS = [
  { key: 'firstName', label: 'First name' },
  { key: 'age', label: 'Age' },
  { key: 'gender', label: 'Gender' },
  { key: 'location', label: 'Location' },
] as const;

/** The filled-in fields as label/value pairs, in a fixed order, for showing what is shared. */
export function profileEntries(profile: PrivateProfile): { label: string; value: string }[] {
  const entries: { label: string; value: string }[] = [];
  for (const field of PROFILE_FIELDS) {
    const value = profile[field.key];
    if (value !== undefined && value !== '') entries.push({ label: field.label, value: String(value) });
  }
  return entries;
}

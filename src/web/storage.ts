/**
 * Everything the web app keeps on the device, in `localStorage` only (never
 * cookies): the sign-in token, the private profile, the region choice,
 * "Only people", whether new matches and messages play a sound, and the
 * account's identity key once unwrapped (docs/encryption.md); chatKeyStore.ts
 * keeps the keys of chats going on there too.
 * Connection threads live in IndexedDB (threadHistory.ts).
 * Log out and Delete everything call `clearAll()`.
 * (A Google flow in progress waits in sessionStorage: see googleFlow.ts; so do
 * this tab's current chat id and draft: see tabMemory.ts, cleared here too.)
 */
import type { RevealedProfile } from '../shared/protocol.js';
import { clearTabChat } from './tabMemory.js';

const KEYS = {
  token: 'metsony.token',
  profile: 'metsony.profile',
  region: 'metsony.region',
  sound: 'metsony.sound',
  onlyPeople: 'metsony.onlyPeople',
  identity: 'metsony.identity',
} as const;

export type Region = 'anywhere' | 'near';

/** The private profile (P4). It leaves the device only through "Reveal profile". */
export type PrivateProfile = RevealedProfile;

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    // Storage can be switched off (private mode, policies): behave as empty.
    return null;
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Nothing useful to do: the app still works for this page's lifetime.
  }
}

export function loadToken(): string | null {
  return read(KEYS.token);
}

export function saveToken(token: string): void {
  write(KEYS.token, token);
}

export function loadRegion(): Region {
  return read(KEYS.region) === 'near' ? 'near' : 'anywhere';
}

export function saveRegion(region: Region): void {
  write(KEYS.region, region);
}

export function loadSound(): boolean {
  return read(KEYS.sound) === 'on';
}

export function saveSound(on: boolean): void {
  write(KEYS.sound, on ? 'on' : null);
}

/** "Only people": no AI partner joins my searches. */
export function loadOnlyPeople(): boolean {
  return read(KEYS.onlyPeople) === 'true';
}

export function saveOnlyPeople(value: boolean): void {
  write(KEYS.onlyPeople, value ? 'true' : null);
}

export function loadProfile(): PrivateProfile {
  const raw = read(KEYS.profile);
  if (!raw) return {};
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== 'object' || value === null) return {};
    const v = value as Record<string, unknown>;
    const profile: PrivateProfile = {};
    if (typeof v.firstName === 'string' && v.firstName) profile.firstName = v.firstName;
    if (typeof v.age === 'number' && Number.isInteger(v.age)) profile.age = v.age;
    if (typeof v.gender === 'string' && v.gender) profile.gender = v.gender;
    if (typeof v.location === 'string' && v.location) profile.location = v.location;
    return profile;
  } catch {
    return {};
  }
}

export function saveProfile(profile: PrivateProfile): void {
  write(KEYS.profile, isProfileEmpty(profile) ? null : JSON.stringify(profile));
}

export function isProfileEmpty(profile: PrivateProfile): boolean {
  return !profile.firstName && profile.age === undefined && !profile.gender && !profile.location;
}

/**
 * The account's identity key pair (base64url), unwrapped on this device
 * (docs/encryption.md): it opens the messages connections seal to this account.
 */
export function loadIdentity(): { publicKey: string; privateKey: string } | null {
  const raw = read(KEYS.identity);
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as { publicKey?: unknown; privateKey?: unknown } | null;
    return v && typeof v.publicKey === 'string' && typeof v.privateKey === 'string' ? { publicKey: v.publicKey, privateKey: v.privateKey } : null;
  } catch {
    return null;
  }
}

export function saveIdentity(keys: { publicKey: string; privateKey: string } | null): void {
  write(KEYS.identity, keys ? JSON.stringify(keys) : null);
}

/** Log out / Delete everything: nothing of ours stays in this browser. */
export function clearAll(): void {
  clearTabChat();
  try {
    localStorage.clear();
  } catch {
    for (const key of Object.values(KEYS)) write(key, null);
  }
}

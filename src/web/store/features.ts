/**
 * The features this server has switched on (`GET /api/config`, public):
 * AI partners, translation, Google sign-in. Fetched on start and again after
 * sign-in; until an answer comes, or if the call fails, everything is off.
 */
import { signal } from '@preact/signals';
import * as api from '../api.js';

const ALL_OFF: api.Features = { ai: false, translation: false, google: false, challenge: 'pow' };

export const features = signal<api.Features>(ALL_OFF);

/** Only the answer to the latest call counts (a slow old answer never overwrites a newer one). */
let latest = 0;
let loading: Promise<void> = Promise.resolve();

export function loadFeatures(): Promise<void> {
  loading = fetchFeatures();
  return loading;
}

/** Settles once the latest call of loadFeatures (the first is made on page load) has its answer or failed. */
export function featuresLoaded(): Promise<void> {
  return loading;
}

async function fetchFeatures(): Promise<void> {
  const call = ++latest;
  let next: api.Features;
  try {
    next = await api.getConfig();
  } catch {
    next = ALL_OFF;
  }
  if (call !== latest) return;
  const current = features.value;
  const changed = (Object.keys(next) as Array<keyof api.Features>).some((k) => current[k] !== next[k]) || current.turnstileSiteKey !== next.turnstileSiteKey;
  if (changed) {
    features.value = next;
  }
}

/**
 * The Google flow this tab started (sign-in or link), kept in sessionStorage:
 * it survives the round trip to Google in the same tab and no other tab sees
 * it. Its `browserKey` is what the server asks for to redeem the ticket, so a
 * landing this tab did not start cannot sign it in or link anything.
 */
import type { GoogleIntent } from './api.js';

export type GoogleFlow = { browserKey: string; intent: GoogleIntent; startedAt: number };

const KEY = 'metsony.googleFlow';
/** As long as the server keeps a flow waiting. */
const MAX_AGE_MS = 10 * 60_000;

export function rememberGoogleFlow(flow: GoogleFlow): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(flow));
  } catch {
    // No sessionStorage: the landing will be refused, which is the safe side.
  }
}

/** The flow this tab started, if any and not too old; taken away, so it is used once. */
export function takeGoogleFlow(now = Date.now()): GoogleFlow | null {
  let raw: string | null = null;
  try {
    raw = sessionStorage.getItem(KEY);
    sessionStorage.removeItem(KEY);
  } catch {
    return null;
  }
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<Record<keyof GoogleFlow, unknown>> | null;
    if (!v || typeof v.browserKey !== 'string' || (v.intent !== 'signin' && v.intent !== 'link') || typeof v.startedAt !== 'number') return null;
    if (now - v.startedAt > MAX_AGE_MS || v.startedAt > now + 60_000) return null;
    return { browserKey: v.browserKey, intent: v.intent, startedAt: v.startedAt };
  } catch {
    return null;
  }
}

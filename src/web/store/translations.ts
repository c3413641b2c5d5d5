/**
 * Translations of received messages (the Translate button), asked of the
 * server one message at a time (`POST /api/translate`). Kept in this tab's
 * memory only, by message, so a message is never sent twice; never written
 * to localStorage, and forgotten on sign-out.
 */
import { effect, signal } from '@preact/signals';
import * as api from '../api.js';
import { loadFeatures } from './features.js';
import { showNotice } from './notices.js';
import { session, withToken } from './session.js';

export type TranslationState = { status: 'busy' } | ({ status: 'done' } & api.Translation);

/** Translation key → state. Keys name where the message lives: see `chatMessageKey`, `dmMessageKey`. */
export const translations = signal<Record<string, TranslationState>>({});

/** Beyond this many, the oldest translations are forgotten (a long session stays small). */
const KEPT = 500;

export const chatMessageKey = (chatId: string, messageId: string): string => `chat:${chatId}:${messageId}`;
export const dmMessageKey = (connectionId: string, messageId: string): string => `dm:${connectionId}:${messageId}`;

/** The reader's language, e.g. "en-US"; the server normalises it. */
export function targetLanguage(): string {
  return (typeof navigator !== 'undefined' && navigator.language) || 'en';
}

const stateOf = (key: string): TranslationState | undefined => translations.value[key];

function put(key: string, state: TranslationState | null): void {
  const { [key]: _old, ...rest } = translations.value;
  if (!state) {
    translations.value = rest;
    return;
  }
  const keys = Object.keys(rest);
  if (keys.length >= KEPT) for (const k of keys.slice(0, keys.length - KEPT + 1)) delete rest[k];
  translations.value = { ...rest, [key]: state };
}

/** Translate one message; a message already translated, or on its way, is not asked again. */
export async function translateMessage(key: string, text: string): Promise<void> {
  if (stateOf(key)) return;
  put(key, { status: 'busy' });
  try {
    const result = await withToken((token) => api.translate(token, text, targetLanguage()));
    // Signed out (or signed in again) meanwhile: the answer belongs to nobody now.
    if (stateOf(key)?.status !== 'busy') return;
    put(key, { status: 'done', ...result });
  } catch (error) {
    if (stateOf(key)?.status === 'busy') put(key, null);
    // 404: translation is off on this server (perhaps since the page loaded): hide the buttons.
    if (error instanceof api.ApiError && error.status === 404) void loadFeatures();
    if (error instanceof api.ApiError && error.status === 401) return; // the session store already said so
    showNotice(api.describeError(error));
  }
}

// Sign-out forgets every translation.
effect(() => {
  if (!session.value && Object.keys(translations.peek()).length > 0) translations.value = {};
});

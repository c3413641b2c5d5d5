/**
 * The end-to-end keys of chats going on (docs/encryption.md, "Live chats"), in
 * localStorage, one entry per chat (`metsony.chatKey.<chatId>`): a reload, or
 * another tab of this browser taking the chat over (`resume`), can still open
 * the messages held meanwhile. The entry is the only copy the tabs trust: each
 * one reads the counters back before using them, so two tabs never encrypt
 * with the same counter. Removed when the chat ends; entries left by a closed
 * browser go after a day; Log out and Delete everything clear all of
 * localStorage (storage.ts).
 */
import type { SavedChannel } from './crypto/channel.js';

const PREFIX = 'metsony.chatKey.';
const STALE_MS = 24 * 60 * 60 * 1000;

type Entry = SavedChannel & { savedAt: number };

function storage(): Storage | null {
  try {
    return localStorage;
  } catch {
    return null;
  }
}

export function loadChatKeys(chatId: string): SavedChannel | null {
  try {
    const raw = storage()?.getItem(PREFIX + chatId);
    if (!raw) return null;
    const v = JSON.parse(raw) as Partial<Record<keyof Entry, unknown>> | null;
    if (!v || v.chatId !== chatId || typeof v.privateKey !== 'string') return null;
    if (typeof v.nextSend !== 'number' || typeof v.lastReceived !== 'number') return null;
    const theirPublic = typeof v.theirPublic === 'string' ? v.theirPublic : null;
    return { chatId, privateKey: v.privateKey, theirPublic, nextSend: v.nextSend, lastReceived: v.lastReceived };
  } catch {
    return null;
  }
}

export function saveChatKeys(saved: SavedChannel): void {
  try {
    storage()?.setItem(PREFIX + saved.chatId, JSON.stringify({ ...saved, savedAt: Date.now() } satisfies Entry));
  } catch {
    // Full or switched off: this tab still works; a reload will not open held messages.
  }
}

export function forgetChatKeys(chatId: string): void {
  try {
    storage()?.removeItem(PREFIX + chatId);
  } catch {
    // Nothing to do.
  }
}

/** Drops entries of chats that ended while no tab was open to remove them. */
export function pruneChatKeys(now = Date.now()): void {
  const store = storage();
  if (!store) return;
  try {
    for (let i = store.length - 1; i >= 0; i--) {
      const key = store.key(i);
      if (!key?.startsWith(PREFIX)) continue;
      const savedAt = (JSON.parse(store.getItem(key) ?? '{}') as { savedAt?: unknown }).savedAt;
      if (typeof savedAt !== 'number' || now - savedAt > STALE_MS) store.removeItem(key);
    }
  } catch {
    // A malformed entry or storage switched off: leave it.
  }
}

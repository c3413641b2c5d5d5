/**
 * What one tab remembers across a reload, in sessionStorage (no other tab sees
 * it, and it is gone when the tab closes): the id of the chat going on, so the
 * tab can `resume` it, and the message typed but not sent yet in that chat.
 * Never a message that was sent or received. (The chat's end-to-end keys are
 * in chatKeyStore.ts: another tab may take the chat over.) Log out and Delete
 * everything clear it (storage.ts `clearAll`).
 */

const CHAT_KEY = 'metsony.chat';
const DRAFT_KEY = 'metsony.draft';

/** The part of the Web Storage API used here, so tests can hand in their own. */
export type TabStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

function defaultStorage(): TabStorage | null {
  try {
    return sessionStorage;
  } catch {
    // Storage switched off: the tab simply forgets on reload.
    return null;
  }
}

function read(storage: TabStorage | null, key: string): string | null {
  try {
    return storage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

function write(storage: TabStorage | null, key: string, value: string | null): void {
  try {
    if (value === null) storage?.removeItem(key);
    else storage?.setItem(key, value);
  } catch {
    // Full or switched off: nothing to do, the page still works until a reload.
  }
}

/** The chat this tab was in before the reload, if any. */
export function loadTabChat(storage = defaultStorage()): string | null {
  const id = read(storage, CHAT_KEY);
  return id && id.length <= 64 ? id : null;
}

export function saveTabChat(chatId: string, storage = defaultStorage()): void {
  if (read(storage, CHAT_KEY) === chatId) return;
  write(storage, CHAT_KEY, chatId);
  // A draft belongs to one chat: a new chat starts with an empty box.
  const draft = readDraft(storage);
  if (draft && draft.chatId !== chatId) write(storage, DRAFT_KEY, null);
}

/** The chat is over (ended, left, or gone while away): forget it and its draft. */
export function clearTabChat(storage = defaultStorage()): void {
  write(storage, CHAT_KEY, null);
  write(storage, DRAFT_KEY, null);
}

type Draft = { chatId: string; text: string };

function readDraft(storage: TabStorage | null): Draft | null {
  const raw = read(storage, DRAFT_KEY);
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<Record<keyof Draft, unknown>> | null;
    return v && typeof v.chatId === 'string' && typeof v.text === 'string' ? { chatId: v.chatId, text: v.text } : null;
  } catch {
    return null;
  }
}

/** The unsent text of `chatId`, or '' (a draft of another chat is not shown). */
export function loadDraft(chatId: string, storage = defaultStorage()): string {
  const draft = readDraft(storage);
  return draft?.chatId === chatId ? draft.text : '';
}

/** Keeps what is in the Message box; an empty box keeps nothing. */
export function saveDraft(chatId: string, text: string, storage = defaultStorage()): void {
  write(storage, DRAFT_KEY, text ? JSON.stringify({ chatId, text } satisfies Draft) : null);
}

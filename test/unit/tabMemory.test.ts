import { describe, expect, it } from 'vitest';
import { clearTabChat, loadDraft, loadTabChat, saveDraft, saveTabChat, type TabStorage } from '../../src/web/tabMemory.js';

/** sessionStorage's behaviour for the three calls used, in memory. */
function memoryStorage(): TabStorage & { keys(): string[] } {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, String(value)),
    removeItem: (key) => void items.delete(key),
    keys: () => [...items.keys()],
  };
}

describe("a tab's memory of its chat", () => {
  it('keeps the chat id and the draft of that chat across a reload, and clears both together', () => {
    const storage = memoryStorage();
    expect(loadTabChat(storage)).toBeNull();
    saveTabChat('chat-1', storage);
    saveDraft('chat-1', 'half a sent', storage);
    expect(loadTabChat(storage)).toBe('chat-1');
    expect(loadDraft('chat-1', storage)).toBe('half a sent');

    clearTabChat(storage);
    expect(loadTabChat(storage)).toBeNull();
    expect(loadDraft('chat-1', storage)).toBe('');
    expect(storage.keys()).toEqual([]);
  });

  it("never shows one chat's draft in another, and a new chat drops the old draft", () => {
    const storage = memoryStorage();
    saveTabChat('chat-1', storage);
    saveDraft('chat-1', 'for the first', storage);
    expect(loadDraft('chat-2', storage)).toBe('');
    saveTabChat('chat-1', storage); // the same chat again (a resume): the draft stays
    expect(loadDraft('chat-1', storage)).toBe('for the first');
    saveTabChat('chat-2', storage);
    expect(loadDraft('chat-1', storage)).toBe('');
    expect(storage.keys()).toEqual(['metsony.chat']);
  });

  it('keeps nothing for an empty box', () => {
    const storage = memoryStorage();
    saveDraft('chat-1', 'x', storage);
    saveDraft('chat-1', '', storage);
    expect(storage.keys()).toEqual([]);
  });

  it('reads damaged or foreign values as nothing, and works without storage at all', () => {
    const storage = memoryStorage();
    storage.setItem('metsony.draft', '{not json');
    storage.setItem('metsony.chat', 'x'.repeat(65));
    expect(loadDraft('chat-1', storage)).toBe('');
    expect(loadTabChat(storage)).toBeNull();
    storage.setItem('metsony.draft', JSON.stringify({ chatId: 'chat-1', text: 5 }));
    expect(loadDraft('chat-1', storage)).toBe('');

    const broken: TabStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => {
        throw new Error('SecurityError');
      },
    };
    expect(() => saveTabChat('chat-1', broken)).not.toThrow();
    expect(() => saveDraft('chat-1', 'x', broken)).not.toThrow();
    expect(() => clearTabChat(broken)).not.toThrow();
    expect(loadTabChat(broken)).toBeNull();
    // Node has no sessionStorage: the default is "none", not a crash.
    expect(loadTabChat()).toBeNull();
  });
});

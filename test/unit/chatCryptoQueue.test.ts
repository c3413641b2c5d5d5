/**
 * The chat store (src/web/store/chat.ts) while the encryption code is still
 * being fetched (store/cryptoLoader.ts): our key goes out once it is here,
 * a message typed meanwhile waits and goes out encrypted, and frames that came
 * meanwhile are handled once it is here, in the order they came.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ClientFrame, MessageFrame, ServerFrame } from '../../src/shared/protocol.js';
import { saveChatKeys } from '../../src/web/chatKeyStore.js';
import { toBase64Url } from '../../src/web/crypto/bytes.js';
import { decryptMessage, encryptMessage, newEphemeral, openChannel, saveChannel } from '../../src/web/crypto/channel.js';
import { MemoryStorage } from '../helpers/memoryStorage.js';

/** The socket, as the chat store sees it: frames it sent, and a way to hand it frames from the server. */
const socket = vi.hoisted(() => ({
  sent: [] as Array<Record<string, unknown>>,
  listeners: [] as Array<(frame: unknown) => void>,
}));

/** The encryption code (set once imported) arrives when the test says so. */
const loader = vi.hoisted(() => ({ code: null as unknown, release: () => undefined as void, unload: () => undefined as void }));

vi.mock('../../src/web/store/realtime.js', () => ({
  onFrame: (listener: (frame: unknown) => void) => void socket.listeners.push(listener),
  sendFrame: (frame: Record<string, unknown>) => (socket.sent.push(frame), true),
  isSocketReady: () => true,
}));
vi.mock('../../src/web/router.js', () => ({ href: { chat: '#/' }, navigate: () => undefined }));
vi.mock('../../src/web/store/proof.js', () => ({ findProof: () => Promise.reject(new Error('no proof here')) }));
vi.mock('../../src/web/store/cryptoLoader.js', () => {
  let loaded: unknown = null;
  let loading: Promise<unknown>;
  loader.unload = () => {
    loaded = null;
    loading = new Promise((resolve) => {
      loader.release = () => resolve((loaded = loader.code));
    });
  };
  loader.unload();
  return { loadCrypto: () => loading, loadedCrypto: () => loaded, warmUpCrypto: () => undefined };
});

let chat: typeof import('../../src/web/store/chat.js');

beforeAll(async () => {
  vi.stubGlobal('localStorage', new MemoryStorage());
  vi.stubGlobal('sessionStorage', new MemoryStorage());
  chat = await import('../../src/web/store/chat.js');
  // Imported here, not in the mock: it imports the loader itself.
  loader.code = await import('../../src/web/store/cryptoCode.js');
});

afterEach(() => {
  chat.resetChat();
  socket.sent.length = 0;
  loader.unload();
});

const fromServer = (frame: ServerFrame) => {
  for (const listener of socket.listeners) listener(frame);
};

/** Lets the promise callbacks run (the code "arriving" is a resolved promise). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const partner = { nickname: 'Sam', commonInterests: [], ai: false };
const sentOf = (type: string) => socket.sent.filter((f) => f.type === type) as Array<ClientFrame & Record<string, unknown>>;

function shown() {
  const p = chat.phase.value;
  if (p.kind !== 'chat') throw new Error(`no chat on screen (${p.kind})`);
  return p.chat;
}

describe('a chat while the encryption code is on its way', () => {
  it('our key goes out once the code is here; a message typed meanwhile waits, then goes out encrypted after it', async () => {
    fromServer({ type: 'matched', chat: { id: 'c1', partner } });
    expect(shown().encryption).toEqual({ status: 'pending' });
    const theirs = newEphemeral('c1');
    fromServer({ type: 'key', chatId: 'c1', publicKey: toBase64Url(theirs.publicKey) });
    expect(chat.sendMessage('typed at once')).toBeNull();
    fromServer({ type: 'typing', chatId: 'c1', typing: true });
    // Nothing went out yet, and the frames wait behind the key (the typing frame too, to keep the order).
    expect(sentOf('key')).toEqual([]);
    expect(sentOf('send')).toEqual([]);
    expect(shown().lines).toMatchObject([{ kind: 'own', text: 'typed at once', state: 'local' }]);
    expect(shown().partnerTyping).toBe(false);

    loader.release();
    await settle();

    expect(socket.sent.map((f) => f.type)).toEqual(['key', 'send']);
    const [ours] = sentOf('key');
    const channel = openChannel(theirs, String(ours!.publicKey));
    const [message] = sentOf('send');
    expect(message).toMatchObject({ chatId: 'c1', e2e: true });
    expect(decryptMessage(channel, String(message!.text))).toBe('typed at once');
    expect(shown().encryption).toMatchObject({ status: 'on' });
    expect(shown().partnerTyping).toBe(true);

    // From now on frames are handled at once.
    fromServer({ type: 'message', chatId: 'c1', id: 'p1', text: encryptMessage(channel, 'hello back'), at: new Date().toISOString(), e2e: true });
    expect(shown().lines.at(-1)).toMatchObject({ kind: 'partner', text: 'hello back' });
  });

  it('encrypted frames that come before the code are opened once it is here, in order, before the end of the chat', async () => {
    // This browser kept the keys of chat c2 (another tab had it): the chat is taken over here.
    const mine = newEphemeral('c2');
    const theirs = newEphemeral('c2');
    saveChatKeys(saveChannel(mine, openChannel(mine, toBase64Url(theirs.publicKey))));
    const channel = openChannel(theirs, toBase64Url(mine.publicKey));
    const at = new Date().toISOString();
    const message = (id: string, text: string): MessageFrame => ({ type: 'message', chatId: 'c2', id, text: encryptMessage(channel, text), at, e2e: true });

    chat.continueChatHere('c2');
    fromServer({ type: 'resumed', chat: { id: 'c2', partner }, missed: [message('m1', 'held while away')] });
    fromServer(message('m2', 'live one'));
    fromServer(message('m3', 'live two'));
    fromServer({ type: 'ended', chatId: 'c2', reason: 'partner_left' });
    expect(chat.phase.value).toMatchObject({ kind: 'resuming', chatId: 'c2' });

    loader.release();
    await settle();

    const c = shown();
    expect(c.encryption).toMatchObject({ status: 'on' });
    expect(c.lines.filter((l) => l.kind === 'partner').map((l) => l.text)).toEqual(['held while away', 'live one', 'live two']);
    expect(c.ended).toBe('partner_left');
  });

  it('a chat with an AI partner needs no encryption code: its frames are handled at once', () => {
    fromServer({ type: 'matched', chat: { id: 'c3', partner: { ...partner, ai: true } } });
    fromServer({ type: 'message', chatId: 'c3', id: 'a1', text: 'Hi, I am an AI partner.', at: new Date().toISOString() });
    expect(shown().encryption).toEqual({ status: 'off', why: 'ai' });
    expect(shown().lines).toMatchObject([{ kind: 'partner', text: 'Hi, I am an AI partner.' }]);
    expect(chat.sendMessage('hello')).toBeNull();
    expect(sentOf('send')).toMatchObject([{ chatId: 'c3', text: 'hello' }]);
  });
});

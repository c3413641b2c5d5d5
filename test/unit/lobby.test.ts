/**
 * The lobby's rules, with in-memory peers and fake timers: no sockets, no
 * sleeps. Time moves only when a test moves it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { aiPartnerFactory } from '../../src/server/ai/aiPartner.js';
import type { ChatTurn, LanguageModel } from '../../src/server/ai/languageModel.js';
import { Lobby, type LobbyOptions } from '../../src/server/domain/lobby.js';
import { InProcessSearchQueue } from '../../src/server/domain/matching.js';
import { type Person, seat } from '../helpers/fakePeer.js';

const WIDEN_MS = 5_000;
const COOLDOWN_MS = 30_000;
const AI_AFTER_MS = 15_000;

let lobby: Lobby;

function open(options: Partial<LobbyOptions> = {}): Lobby {
  lobby = new Lobby({ widenAfterMs: WIDEN_MS, rematchCooldownMs: COOLDOWN_MS, ...options });
  return lobby;
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  lobby?.shutdown();
  vi.useRealTimers();
});

/** The chat this person is in now (from their last `matched`), failing the test if none. */
function chatIdOf(s: Person): string {
  const chatId = s.seat.chat?.id;
  if (!chatId) throw new Error(`${s.seat.account.nickname} is not in a chat; frames: ${s.peer.types.join(', ')}`);
  return chatId;
}

function partnerName(s: Person): string | undefined {
  return s.peer.last('matched')?.chat.partner.nickname;
}

/** Two people who share a topic, matched. */
function pairUp(topic = 'chess'): [Person, Person] {
  const a = seat(lobby, { nickname: 'Alice', interests: [topic] });
  const b = seat(lobby, { nickname: 'Bob', interests: [topic] });
  expect(lobby.find(a.seat, { type: 'find' })).toEqual({ ok: true });
  expect(lobby.find(b.seat, { type: 'find' })).toEqual({ ok: true });
  expect(partnerName(a)).toBe('Bob');
  expect(partnerName(b)).toBe('Alice');
  return [a, b];
}

describe('lobby: rematch cooldown', () => {
  it('keeps two recent partners apart, then pairs them when the cooldown ends, without a new find', () => {
    open();
    const [a, b] = pairUp();
    const chatId = chatIdOf(a);
    expect(lobby.leave(a.seat, { type: 'leave', chatId })).toEqual({ ok: true });
    lobby.find(a.seat, { type: 'find' });
    lobby.find(b.seat, { type: 'find' });
    // Past widening: each would take anyone, but not each other yet.
    vi.advanceTimersByTime(COOLDOWN_MS - 1);
    expect(a.seat.chat).toBeUndefined();
    expect(a.peer.all('matched')).toHaveLength(1);
    expect(lobby.searchingCount).toBe(2);

    vi.advanceTimersByTime(20);
    expect(a.peer.all('matched')).toHaveLength(2);
    expect(b.peer.all('matched')).toHaveLength(2);
    expect(a.seat.chat).toBe(b.seat.chat);
    expect(chatIdOf(a)).not.toBe(chatId);
    expect(lobby.searchingCount).toBe(0);
  });

  it('lets a third person in at once while the two are kept apart', () => {
    open();
    const [a, b] = pairUp('go');
    lobby.leave(b.seat, { type: 'leave', chatId: chatIdOf(b) });
    lobby.find(a.seat, { type: 'find' });
    lobby.find(b.seat, { type: 'find' });
    expect(a.seat.chat).toBeUndefined();
    const c = seat(lobby, { nickname: 'Carol', interests: ['go'] });
    lobby.find(c.seat, { type: 'find' });
    expect(partnerName(c)).toBe('Alice');
  });

  it('applies no cooldown when it is configured as 0', () => {
    open({ rematchCooldownMs: 0 });
    const [a, b] = pairUp();
    lobby.leave(a.seat, { type: 'leave', chatId: chatIdOf(a) });
    lobby.find(a.seat, { type: 'find' });
    lobby.find(b.seat, { type: 'find' });
    expect(a.seat.chat).toBe(b.seat.chat);
    expect(a.seat.chat).toBeDefined();
  });
});

describe('lobby: widening', () => {
  it('pairs two people with nothing in common only after MATCH_WIDEN_AFTER_MS', () => {
    open();
    const a = seat(lobby, { nickname: 'Alice', interests: ['chess'] });
    const b = seat(lobby, { nickname: 'Bob', interests: ['jazz'] });
    lobby.find(a.seat, { type: 'find' });
    vi.advanceTimersByTime(1_000);
    lobby.find(b.seat, { type: 'find' });
    // Alice has waited long enough first: she widens and takes Bob.
    vi.advanceTimersByTime(WIDEN_MS - 1_000 - 1);
    expect(a.peer.types).toEqual(['searching']);
    vi.advanceTimersByTime(1);
    // She is told the search widened, then matched.
    expect(a.peer.types).toEqual(['searching', 'searching', 'matched']);
    expect(a.peer.last('searching')).toMatchObject({ widened: true });
    expect(a.peer.last('matched')?.chat.partner).toEqual({ nickname: 'Bob', commonInterests: [], ai: false });
  });

  it('pairs a person with no interests with anyone at once', () => {
    open();
    const a = seat(lobby, { nickname: 'Alice', interests: ['chess'] });
    const b = seat(lobby, { nickname: 'Bob', interests: [] });
    lobby.find(a.seat, { type: 'find' });
    lobby.find(b.seat, { type: 'find' });
    expect(partnerName(a)).toBe('Bob');
  });

  it('uses the interests of the find frame over the account’s', () => {
    open();
    const a = seat(lobby, { nickname: 'Alice', interests: ['chess'] });
    const b = seat(lobby, { nickname: 'Bob', interests: ['jazz'] });
    lobby.find(a.seat, { type: 'find', interests: ['Jazz'] });
    lobby.find(b.seat, { type: 'find' });
    expect(a.peer.last('matched')?.chat.partner.commonInterests).toEqual(['jazz']);
  });
});

describe('lobby: blocks', () => {
  it('a block takes effect live: the chat ends for both and the two are never paired again', () => {
    open();
    const [a, b] = pairUp();
    const chatId = chatIdOf(a);
    lobby.keepBlockedApart(a.seat.account.id, b.seat.account.id, chatId);
    expect(a.peer.last('ended')).toEqual({ type: 'ended', chatId, reason: 'blocked' });
    expect(b.peer.last('ended')).toEqual({ type: 'ended', chatId, reason: 'blocked' });
    expect(a.seat.chat).toBeUndefined();
    expect(b.seat.chat).toBeUndefined();
    expect(lobby.chatCount).toBe(0);

    lobby.find(a.seat, { type: 'find' });
    lobby.find(b.seat, { type: 'find' });
    vi.advanceTimersByTime(COOLDOWN_MS * 10);
    expect(a.peer.all('matched')).toHaveLength(1);
    expect(b.peer.all('matched')).toHaveLength(1);
    // Both still search, and each can meet someone else.
    const c = seat(lobby, { nickname: 'Carol', interests: ['chess'] });
    lobby.find(c.seat, { type: 'find' });
    expect(a.seat.chat ?? b.seat.chat).toBeDefined();
    expect(c.seat.chat).toBeDefined();
  });

  it('reaches every open seat (tab) of both accounts, not only the chatting one', () => {
    open();
    const [a, b] = pairUp();
    const otherTabOfB = seat(lobby, { accountId: b.seat.account.id, nickname: 'Bob', interests: ['chess'] });
    lobby.keepBlockedApart(a.seat.account.id, b.seat.account.id, chatIdOf(a));
    lobby.find(a.seat, { type: 'find' });
    lobby.find(otherTabOfB.seat, { type: 'find' });
    vi.advanceTimersByTime(COOLDOWN_MS * 10);
    expect(otherTabOfB.seat.chat).toBeUndefined();
    expect(a.peer.all('matched')).toHaveLength(1);
  });

  it('a block known at sign-in keeps the two apart from the first search', () => {
    open();
    const a = seat(lobby, { accountId: 'acct-alice', nickname: 'Alice', interests: ['chess'], blocked: ['acct-bob'] });
    const b = seat(lobby, { accountId: 'acct-bob', nickname: 'Bob', interests: ['chess'] });
    lobby.find(a.seat, { type: 'find' });
    lobby.find(b.seat, { type: 'find' });
    vi.advanceTimersByTime(WIDEN_MS * 10);
    expect(a.seat.chat).toBeUndefined();
    expect(b.seat.chat).toBeUndefined();
    expect(lobby.searchingCount).toBe(2);
  });
});

describe('lobby: never self', () => {
  it('two tabs of one account are never paired, however long they wait', () => {
    open();
    const tab1 = seat(lobby, { accountId: 'acct-same', nickname: 'Alice', interests: ['chess'] });
    const tab2 = seat(lobby, { accountId: 'acct-same', nickname: 'Alice', interests: ['chess'] });
    lobby.find(tab1.seat, { type: 'find' });
    lobby.find(tab2.seat, { type: 'find' });
    vi.advanceTimersByTime(WIDEN_MS * 10);
    expect(tab1.seat.chat).toBeUndefined();
    expect(tab2.seat.chat).toBeUndefined();
    const other = seat(lobby, { nickname: 'Bob', interests: ['chess'] });
    lobby.find(other.seat, { type: 'find' });
    expect(partnerName(other)).toBe('Alice');
    expect(tab1.seat.chat).toBe(other.seat.chat);
  });
});

describe('lobby: leaving', () => {
  it('both pressing Next at the same instant: one ending each, and no error for the second leave', () => {
    open();
    const [a, b] = pairUp();
    const chatId = chatIdOf(a);
    expect(lobby.leave(a.seat, { type: 'leave', chatId })).toEqual({ ok: true });
    expect(lobby.leave(b.seat, { type: 'leave', chatId })).toEqual({ ok: true });
    expect(a.peer.all('ended')).toEqual([{ type: 'ended', chatId, reason: 'you_left' }]);
    expect(b.peer.all('ended')).toEqual([{ type: 'ended', chatId, reason: 'partner_left' }]);
    expect(lobby.chatCount).toBe(0);
  });

  it('a leave for a chat the seat was never in is not_in_chat', () => {
    open();
    const [a] = pairUp();
    const stranger = seat(lobby);
    expect(lobby.leave(stranger.seat, { type: 'leave', chatId: chatIdOf(a) })).toMatchObject({ ok: false, code: 'not_in_chat' });
    expect(a.seat.chat).toBeDefined();
  });

  it('a disconnect ends the chat for the partner and leaves the queue', () => {
    open();
    const [a, b] = pairUp();
    const chatId = chatIdOf(a);
    const c = seat(lobby, { interests: ['x'] });
    lobby.find(c.seat, { type: 'find' });
    lobby.disconnect(a.seat);
    lobby.disconnect(c.seat);
    expect(b.peer.last('ended')).toEqual({ type: 'ended', chatId, reason: 'partner_disconnected' });
    expect(a.peer.all('ended')).toEqual([]);
    expect(lobby.searchingCount).toBe(0);
    expect(lobby.seatsOf(a.seat.account.id).size).toBe(0);
  });

  it('a second find while searching, or a find while chatting, is refused', () => {
    open();
    const [a] = pairUp();
    expect(lobby.find(a.seat, { type: 'find' })).toMatchObject({ ok: false, code: 'bad_request' });
    const c = seat(lobby, { interests: ['lonely'] });
    lobby.find(c.seat, { type: 'find' });
    expect(lobby.find(c.seat, { type: 'find' })).toMatchObject({ ok: false, code: 'bad_request' });
  });
});

/** A language model that answers every request with what it was told, and counts requests. */
function echoModel(): LanguageModel & { calls: ChatTurn[][] } {
  const calls: ChatTurn[][] = [];
  return {
    calls,
    async complete(turns) {
      calls.push([...turns]);
      return `echo: ${turns.at(-1)?.content ?? ''}`;
    },
  };
}

describe('lobby: AI partner', () => {
  it('offers an AI partner, labelled as such, after AI_PARTNER_AFTER_MS without a human', async () => {
    const model = echoModel();
    open({ aiPartner: { afterMs: AI_AFTER_MS, create: aiPartnerFactory(model) } });
    const a = seat(lobby, { nickname: 'Alice', interests: ['chess', 'jazz'] });
    lobby.find(a.seat, { type: 'find' });
    vi.advanceTimersByTime(AI_AFTER_MS - 1);
    expect(a.peer.types).not.toContain('matched');
    vi.advanceTimersByTime(1);
    const matched = a.peer.last('matched');
    expect(matched?.chat.partner).toMatchObject({ ai: true, commonInterests: ['chess', 'jazz'] });
    expect(lobby.searchingCount).toBe(0);

    const chatId = chatIdOf(a);
    const reply = a.peer.arrival('message');
    expect(lobby.send(a.seat, { type: 'send', chatId, id: 'm1', text: 'hello there' })).toEqual({ ok: true });
    expect((await reply).text).toBe('echo: hello there');
    expect(model.calls).toHaveLength(1);
  });

  it('offers no AI partner to a person who met a human in time', () => {
    const model = echoModel();
    open({ aiPartner: { afterMs: AI_AFTER_MS, create: aiPartnerFactory(model) } });
    const a = seat(lobby, { nickname: 'Alice', interests: ['chess'] });
    lobby.find(a.seat, { type: 'find' });
    vi.advanceTimersByTime(AI_AFTER_MS - 1);
    const b = seat(lobby, { nickname: 'Bob', interests: ['chess'] });
    lobby.find(b.seat, { type: 'find' });
    lobby.leave(b.seat, { type: 'leave', chatId: chatIdOf(b) });
    vi.advanceTimersByTime(AI_AFTER_MS * 2);
    expect(a.peer.all('matched').map((m) => m.chat.partner.ai)).toEqual([false]);
  });

  it('a search cancelled before AI_PARTNER_AFTER_MS gets no AI partner', () => {
    const model = echoModel();
    open({ aiPartner: { afterMs: AI_AFTER_MS, create: aiPartnerFactory(model) } });
    const a = seat(lobby, { nickname: 'Alice' });
    lobby.find(a.seat, { type: 'find' });
    vi.advanceTimersByTime(AI_AFTER_MS);
    lobby.leave(a.seat, { type: 'leave', chatId: chatIdOf(a) });
    lobby.find(a.seat, { type: 'find' });
    lobby.cancel(a.seat);
    vi.advanceTimersByTime(AI_AFTER_MS * 2);
    expect(a.peer.all('matched')).toHaveLength(1);
    expect(a.peer.types.slice(-2)).toEqual(['searching', 'idle']);
  });

  it('sets no rematch cooldown with an AI partner: the peer says it is one, whatever its account id', () => {
    const keptApart: string[][] = [];
    open({
      matching: (_lobby, events) => {
        const queue = new InProcessSearchQueue({ widenAfterMs: WIDEN_MS }, events);
        const keepApart = queue.keepApart.bind(queue);
        queue.keepApart = (x, y, ms) => {
          keptApart.push([x, y]);
          keepApart(x, y, ms);
        };
        return { queue };
      },
    });
    const a = seat(lobby, { nickname: 'Alice', accountId: 'acct-alice' });
    const human = seat(lobby, { nickname: 'Bob', accountId: 'acct-bob' });
    const ai = seat(lobby, { nickname: 'Nova', accountId: 'acct-nova', kind: 'ai' });

    lobby.pair(a.seat, ai.seat, []);
    expect(a.peer.last('matched')?.chat.partner.ai).toBe(true);
    lobby.leave(a.seat, { type: 'leave', chatId: chatIdOf(a) });
    lobby.pair(a.seat, human.seat, []);
    expect(a.peer.last('matched')?.chat.partner.ai).toBe(false);
    lobby.leave(a.seat, { type: 'leave', chatId: chatIdOf(a) });
    expect(keptApart).toEqual([['acct-alice', 'acct-bob']]);
  });
});

describe('lobby: region', () => {
  it('with region near, a partner in the same country wins over a bigger overlap and a longer wait', () => {
    open();
    const far = seat(lobby, { nickname: 'Far', interests: ['chess', 'jazz'], country: 'FR' });
    const near = seat(lobby, { nickname: 'Near', interests: ['go'], country: 'DE' });
    lobby.find(far.seat, { type: 'find' });
    lobby.find(near.seat, { type: 'find' });
    const me = seat(lobby, { nickname: 'Me', interests: ['chess', 'jazz', 'go'], country: 'DE' });
    lobby.find(me.seat, { type: 'find', region: 'near' });
    expect(partnerName(me)).toBe('Near');
  });

  it('without region near, the bigger overlap wins', () => {
    open();
    const far = seat(lobby, { nickname: 'Far', interests: ['chess', 'jazz'], country: 'FR' });
    const near = seat(lobby, { nickname: 'Near', interests: ['go'], country: 'DE' });
    lobby.find(far.seat, { type: 'find' });
    lobby.find(near.seat, { type: 'find' });
    const me = seat(lobby, { nickname: 'Me', interests: ['chess', 'jazz', 'go'], country: 'DE' });
    lobby.find(me.seat, { type: 'find', region: 'anywhere' });
    expect(partnerName(me)).toBe('Far');
  });
});

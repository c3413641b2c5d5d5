/**
 * The grace of a dropped connection (awayChats.ts) and what the lobby does
 * with it, with in-memory peers and fake timers: time moves only when a test
 * moves it, so expiry is exact and nothing waits.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Away, AwayChats } from '../../src/server/domain/awayChats.js';
import type { Chat } from '../../src/server/domain/chat.js';
import { Lobby } from '../../src/server/domain/lobby.js';
import type { LocalLobby } from '../../src/server/domain/lobbyNodeSide.js';
import { InProcessSearchQueue } from '../../src/server/domain/matching.js';
import type { MessageFrame } from '../../src/shared/protocol.js';
import { type Person, seat } from '../helpers/fakePeer.js';

const GRACE_MS = 15_000;
const LIMITS = { graceMs: GRACE_MS, heldMessages: 3, heldBytes: 1024 };

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  lobby?.shutdown();
  vi.useRealTimers();
});

const msg = (id: string, text = 'hello'): MessageFrame => ({ type: 'message', chatId: 'c', id, text, at: '2026-01-01T00:00:00.000Z' });

describe('AwayChats', () => {
  function setUp() {
    const expired: Away[] = [];
    const away = new AwayChats(LIMITS, (a) => expired.push(a));
    const scratch = new Lobby({ widenAfterMs: 5000, rematchCooldownMs: 0 });
    const x = seat(scratch, { accountId: 'acct-x' });
    const y = seat(scratch, { accountId: 'acct-y' });
    const chat: Chat = { id: 'c', a: x.seat, b: y.seat, commonInterests: [], revealedA: false, revealedB: false };
    return { away, expired, chat, x, y };
  }

  it('expires a side exactly when its grace ends, not before', () => {
    const { away, expired, chat, x } = setUp();
    const entry = away.start(chat, x.seat)!;
    expect(entry.until).toBe(Date.now() + GRACE_MS);
    vi.advanceTimersByTime(GRACE_MS - 1);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual([entry]);
  });

  it('a side taken back before the end never expires', () => {
    const { away, expired, chat, x } = setUp();
    away.start(chat, x.seat);
    expect(away.take(x.seat)?.seat).toBe(x.seat);
    vi.advanceTimersByTime(GRACE_MS * 2);
    expect(expired).toEqual([]);
    expect(away.of(x.seat)).toBeUndefined();
    expect(away.ofAccount('acct-x')).toEqual([]);
  });

  it('holds messages in order up to the count and the byte bound', () => {
    const { away, chat, x } = setUp();
    const entry = away.start(chat, x.seat)!;
    expect(away.hold(entry, msg('1', 'é'.repeat(500)))).toBe(true); // 1000 bytes
    expect(away.hold(entry, msg('2', 'x'.repeat(25)))).toBe(false); // 1025 > 1024
    expect(away.hold(entry, msg('3', 'x'.repeat(24)))).toBe(true);
    expect(away.hold(entry, msg('4', ''))).toBe(true);
    expect(away.hold(entry, msg('5', ''))).toBe(false); // a fourth message
    expect(entry.held.map((m) => m.id)).toEqual(['1', '3', '4']);
  });

  it('is off with a grace of 0', () => {
    const { chat, x } = setUp();
    expect(new AwayChats({ ...LIMITS, graceMs: 0 }, () => {}).start(chat, x.seat)).toBeUndefined();
  });
});

let lobby: Lobby;
/** The lobby as other nodes see it (what cluster/crossNodeChats.ts calls). */
let nodeSide: LocalLobby;

function open(): Lobby {
  lobby = new Lobby({
    widenAfterMs: 5000,
    rematchCooldownMs: 0,
    away: LIMITS,
    matching: (side, events) => {
      nodeSide = side;
      return { queue: new InProcessSearchQueue({ widenAfterMs: 5000 }, events) };
    },
  });
  return lobby;
}

function pairUp(options: { bKind?: 'ai' | 'remote' } = {}): [Person, Person, string] {
  const a = seat(lobby, { nickname: 'Alice', interests: ['chess'] });
  const b = seat(lobby, { nickname: 'Bob', interests: ['chess'], kind: options.bKind });
  lobby.pair(a.seat, b.seat, ['chess']);
  return [a, b, a.seat.chat!.id];
}

/** A new socket of the same account as `who`. */
const again = (who: Person) => seat(lobby, { accountId: who.seat.account.id, nickname: who.seat.account.nickname });

describe('lobby with a grace period', () => {
  it('a drop keeps the chat; the grace ends it for the partner with the undelivered ids', () => {
    open();
    const [a, b, chatId] = pairUp();
    lobby.disconnect(a.seat);
    expect(b.peer.last('partner_away')).toEqual({ type: 'partner_away', chatId, graceMs: GRACE_MS });
    expect(lobby.chatCount).toBe(1);
    expect(lobby.send(b.seat, { type: 'send', chatId, id: 'm1', text: 'hi' })).toEqual({ ok: true });
    expect(b.peer.last('sent')).toEqual({ type: 'sent', chatId, id: 'm1', queued: true });
    vi.advanceTimersByTime(GRACE_MS - 1);
    expect(b.peer.all('ended')).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(b.peer.all('ended')).toEqual([{ type: 'ended', chatId, reason: 'partner_disconnected', undelivered: ['m1'] }]);
    expect(lobby.chatCount).toBe(0);
    expect(lobby.awayCount).toBe(0);
    expect(lobby.resume(again(a).seat, { type: 'resume', chatId })).toMatchObject({ ok: false, code: 'not_in_chat' });
  });

  it('typing to an away partner goes nowhere; reveal waits for their return', () => {
    open();
    const [a, b, chatId] = pairUp();
    lobby.disconnect(a.seat);
    const before = a.peer.frames.length;
    expect(lobby.typing(b.seat, { type: 'typing', chatId, typing: true })).toEqual({ ok: true });
    expect(lobby.reveal(b.seat, { type: 'reveal', chatId, profile: { firstName: 'Bo' } })).toMatchObject({ ok: false, code: 'partner_away' });
    expect(a.peer.frames.length).toBe(before);
    const a2 = again(a);
    lobby.resume(a2.seat, { type: 'resume', chatId });
    expect(lobby.reveal(b.seat, { type: 'reveal', chatId, profile: { firstName: 'Bo' } })).toEqual({ ok: true });
    expect(a2.peer.last('revealed')).toMatchObject({ profile: { firstName: 'Bo' } });
  });

  it('both away: the chat ends when the first grace ends; the other side is forgotten with it', () => {
    open();
    const [a, b, chatId] = pairUp();
    lobby.disconnect(a.seat);
    vi.advanceTimersByTime(5_000);
    lobby.disconnect(b.seat);
    expect(lobby.awayCount).toBe(2);
    vi.advanceTimersByTime(GRACE_MS - 5_000);
    expect(lobby.chatCount).toBe(0);
    expect(lobby.awayCount).toBe(0);
    expect(lobby.resume(again(b).seat, { type: 'resume', chatId })).toMatchObject({ ok: false, code: 'not_in_chat' });
  });

  it('an AI partner keeps the chat through the grace too; what it writes is held', () => {
    open();
    const [a, ai, chatId] = pairUp({ bKind: 'ai' });
    lobby.disconnect(a.seat);
    expect(lobby.send(ai.seat, { type: 'send', chatId, id: 'ai1', text: 'still there?' })).toEqual({ ok: true });
    const a2 = again(a);
    expect(lobby.resume(a2.seat, { type: 'resume', chatId })).toEqual({ ok: true });
    expect(a2.peer.last('resumed')).toMatchObject({ chat: { id: chatId, partner: { nickname: 'Bob', ai: true, commonInterests: ['chess'] } } });
    expect(a2.peer.last('resumed')?.missed.map((m) => m.id)).toEqual(['ai1']);
  });

  it('a partner on another node: the chat goes to wait over there, and this node lets it go', () => {
    open();
    const [a, remote, chatId] = pairUp({ bKind: 'remote' });
    lobby.disconnect(a.seat);
    expect(remote.peer.all('partner_away')).toEqual([{ type: 'partner_away', chatId, graceMs: GRACE_MS }]);
    expect(remote.peer.all('ended')).toEqual([]);
    expect(lobby.chatCount).toBe(0);
    expect(lobby.awayCount).toBe(0);
  });

  it('the person who stayed holds the chat for a partner of another node, who may come back through another proxy', () => {
    open();
    const [a, remote, chatId] = pairUp({ bKind: 'remote' });
    expect(nodeSide.partnerAway(a.seat, chatId)?.seat).toBe(remote.seat);
    expect(a.peer.last('partner_away')).toEqual({ type: 'partner_away', chatId, graceMs: GRACE_MS });
    lobby.send(a.seat, { type: 'send', chatId, id: 'h', text: 'held here' });
    const elsewhere = seat(lobby, { accountId: 'stranger', kind: 'remote' });
    expect(nodeSide.resumeFor(a.seat, chatId, 'stranger', elsewhere.seat)).toBe(false);
    const back = seat(lobby, { accountId: remote.seat.account.id, kind: 'remote' });
    expect(nodeSide.resumeFor(a.seat, chatId, remote.seat.account.id, back.seat)).toBe(true);
    expect(back.peer.last('resumed')?.missed.map((m) => m.text)).toEqual(['held here']);
    expect(a.peer.last('delivered')).toEqual({ type: 'delivered', chatId, ids: ['h'] });
  });

  it('an ended sign-in ends its live and its away chats at once; other sign-ins keep theirs', () => {
    open();
    const [a, b, chatId] = pairUp();
    lobby.disconnect(a.seat);
    lobby.endSignIns(a.seat.account.id, 'all');
    expect(b.peer.last('ended')).toEqual({ type: 'ended', chatId, reason: 'partner_disconnected' });
    expect(lobby.awayCount).toBe(0);

    const c = seat(lobby, { interests: ['go'] });
    const d = seat(lobby, { interests: ['go'] });
    lobby.pair(c.seat, d.seat, ['go']);
    lobby.endSignIns(c.seat.account.id, ['some-other-token']);
    expect(c.seat.chat).toBeDefined();
  });

  it('shutdown ends waiting chats with shutdown and the undelivered ids', () => {
    open();
    const [a, b, chatId] = pairUp();
    lobby.disconnect(a.seat);
    lobby.send(b.seat, { type: 'send', chatId, id: 'm1', text: 'hi' });
    lobby.shutdown();
    expect(b.peer.last('ended')).toEqual({ type: 'ended', chatId, reason: 'shutdown', undelivered: ['m1'] });
    expect(lobby.awayCount).toBe(0);
  });
});

/** What "Attach the last messages" takes from a chat's lines, and that the report frame stays under the cap. */
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/shared/limits.js';
import type { ChatLine, OwnState } from '../../src/web/store/chatLines.js';
import { attachableLines, fitAttached, frameBytes, lastMessages, REPORT_FRAME_MARGIN_BYTES } from '../../src/web/store/reportAttachment.js';

let n = 0;
const own = (text: string, state: OwnState = 'delivered'): ChatLine => ({ kind: 'own', id: `o${++n}`, text, state, at: n });
const theirs = (text: string, undecryptable = false): ChatLine => ({ kind: 'partner', id: `p${++n}`, text, at: n, ...(undecryptable ? { undecryptable: true as const } : {}) });
const event = (text: string): ChatLine => ({ kind: 'event', id: `e${++n}`, text });
const frame = { type: 'report' as const, chatId: 'chat-1', reason: 'harassment' as const };

describe('attaching the last messages of a chat', () => {
  it('takes both sides as shown, oldest first; not system lines, undecryptable ones or own messages that never went out', () => {
    const lines: ChatLine[] = [
      event('You are chatting with Bob.'),
      theirs('hi'),
      own('hello', 'delivered'),
      theirs('Could not decrypt this message.', true),
      own('typed offline', 'local'),
      own('not sent', 'failed'),
      own('on its way', 'sending'),
      own('held for Bob', 'waiting'),
      { kind: 'profile', id: 'x', from: 'partner', profile: { firstName: 'Bob' } },
      theirs('bye'),
      event('Stranger left.'),
    ];
    expect(attachableLines(lines)).toEqual([
      { from: 'partner', text: 'hi' },
      { from: 'me', text: 'hello' },
      { from: 'me', text: 'on its way' },
      { from: 'me', text: 'held for Bob' },
      { from: 'partner', text: 'bye' },
    ]);
  });

  it('keeps at most the newest 20', () => {
    const lines = Array.from({ length: 30 }, (_, i) => (i % 2 ? own(`m${i}`) : theirs(`m${i}`)));
    const picked = lastMessages(frame, lines);
    expect(picked.map((m) => m.text)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i + 10}`));
  });

  it('keeps the whole frame under the cap minus the margin: the newest that fit, in a row', () => {
    const heavy = (i: number) => `${i}${'😀'.repeat(LIMITS.textMax - 1)}`; // 2000 characters, about 8 KB
    const escaped = (i: number) => `${i}${'\u0001'.repeat(LIMITS.textMax - 1)}`; // JSON makes each one 6 bytes
    const lines = [theirs('short and old'), own('small'), theirs(heavy(1)), theirs(escaped(2)), own('x'), theirs('y')];
    const note = 'n'.repeat(500);
    const withNote = { ...frame, note };
    const picked = lastMessages(withNote, lines);
    expect(picked.map((m) => m.text)).toEqual([escaped(2), 'x', 'y']);
    const size = frameBytes({ ...withNote, attached: picked });
    expect(size).toBeLessThanOrEqual(LIMITS.frameBytesMax - REPORT_FRAME_MARGIN_BYTES);
    // one more (the next older) would not have fitted
    const older = attachableLines(lines).slice(-4);
    expect(frameBytes({ ...withNote, attached: older })).toBeGreaterThan(LIMITS.frameBytesMax - REPORT_FRAME_MARGIN_BYTES);
    // and what fits is never cut again
    expect(fitAttached(withNote, picked)).toEqual(picked);
  });

  it('attaches nothing from a chat with no messages', () => {
    expect(lastMessages(frame, [event('You are chatting with Bob.')])).toEqual([]);
  });
});

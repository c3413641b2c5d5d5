import { describe, expect, it } from 'vitest';
import {
  acknowledge,
  addMissed,
  failOldestSending,
  failPending,
  markDelivered,
  markFailed,
  retryLine,
  settleAfterResume,
  type ChatLine,
  type OwnState,
} from '../../src/web/store/chatLines.js';

const own = (id: string, state: OwnState): ChatLine => ({ kind: 'own', id, text: `text ${id}`, state, at: 0 });
const states = (lines: ChatLine[]) => lines.map((l) => (l.kind === 'own' ? `${l.id}:${l.state}` : `${l.kind}:${l.id}`));

describe('own messages in a chat log', () => {
  it('sent: delivered, or waiting when the partner is away; delivered turns waiting ones delivered', () => {
    let lines = [own('a', 'sending'), own('b', 'sending')];
    lines = acknowledge(lines, 'a', false);
    lines = acknowledge(lines, 'b', true);
    expect(states(lines)).toEqual(['a:delivered', 'b:waiting']);
    lines = markDelivered(lines, ['b', 'unknown']);
    expect(states(lines)).toEqual(['a:delivered', 'b:delivered']);
    // A late queued answer never takes a delivered message back.
    expect(states(acknowledge(lines, 'a', true))).toEqual(['a:delivered', 'b:delivered']);
  });

  it('ended.undelivered: those never reached the partner; a delivered one is not touched', () => {
    const lines = markFailed([own('a', 'delivered'), own('b', 'waiting'), own('c', 'waiting')], ['a', 'b']);
    expect(states(lines)).toEqual(['a:delivered', 'b:failed', 'c:waiting']);
  });

  it('resumed: unanswered ones from the old connection fail, ones typed meanwhile go out in order', () => {
    const before = [own('a', 'delivered'), own('b', 'sending'), own('c', 'local'), own('d', 'waiting'), own('e', 'local')];
    const { lines, toSend } = settleAfterResume(before);
    expect(states(lines)).toEqual(['a:delivered', 'b:failed', 'c:sending', 'd:waiting', 'e:sending']);
    expect(toSend.map((l) => `${l.id}:${l.state}`)).toEqual(['c:sending', 'e:sending']);
  });

  it('a chat that did not survive: nothing unanswered will be answered', () => {
    const lines = failPending([own('a', 'local'), own('b', 'sending'), own('c', 'waiting'), own('d', 'delivered')]);
    expect(states(lines)).toEqual(['a:failed', 'b:failed', 'c:waiting', 'd:delivered']);
  });

  it('partner_away refuses the oldest message not answered yet', () => {
    const lines = failOldestSending([own('a', 'waiting'), own('b', 'sending'), own('c', 'sending')]);
    expect(states(lines)).toEqual(['a:waiting', 'b:failed', 'c:sending']);
    const none = [own('a', 'delivered')];
    expect(failOldestSending(none)).toBe(none);
  });

  it('Retry moves a failed message to the end with the same id; anything else is left alone', () => {
    const before = [own('a', 'failed'), { kind: 'partner', id: 'p', text: 'hi', at: 0 } as ChatLine, own('b', 'delivered')];
    const { lines, line } = retryLine(before, 'a', 'sending');
    expect(states(lines)).toEqual(['partner:p', 'b:delivered', 'a:sending']);
    expect(line).toMatchObject({ id: 'a', text: 'text a', state: 'sending' });
    expect(retryLine(before, 'b', 'sending')).toEqual({ lines: before, line: null });
  });

  it("the partner's held messages are added once each, in order", () => {
    const message = (id: string) => ({ type: 'message' as const, chatId: 'c', id, text: `m ${id}`, at: '2026-01-01T00:00:00Z' });
    const before: ChatLine[] = [{ kind: 'partner', id: 'x', text: 'm x', at: 0 }];
    const lines = addMissed(before, [message('x'), message('y'), message('z'), message('y')]);
    expect(states(lines)).toEqual(['partner:x', 'partner:y', 'partner:z']);
    expect(addMissed(before, [])).toBe(before);
  });
});

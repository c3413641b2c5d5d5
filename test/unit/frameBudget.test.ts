import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config.js';
import { ALLOW, CLOSE, DROP, FrameBudget, REFUSE, type Verdict } from '../../src/server/realtime/frameBudget.js';
import { FRAME_BUDGET } from '../../src/shared/limits.js';
import type { ClientFrame } from '../../src/shared/protocol.js';

const T0 = 1_000_000;
const typing: ClientFrame = { type: 'typing', chatId: 'c', typing: true };
const ping: ClientFrame = { type: 'ping' };
const read = (n: number): ClientFrame => ({ type: 'read', ids: Array.from({ length: n }, (_, i) => `m${i}`) });

function count(verdicts: Verdict[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { [ALLOW]: 0, [REFUSE]: 0, [DROP]: 0, [CLOSE]: 0 };
  for (const v of verdicts) counts[v]++;
  return counts;
}

describe('frame budget (fake time)', () => {
  it('allows a burst, refuses the next frame once, then drops silently until it refills', () => {
    const budget = new FrameBudget(T0);
    for (let i = 0; i < FRAME_BUDGET.burst; i++) expect(budget.frame(T0)).toBe(ALLOW);
    expect(budget.frame(T0)).toBe(REFUSE);
    // one token back every 20 ms (50/s); the refused frame cost one too
    expect(budget.retryAfterMs).toBe(40);
    expect(budget.frame(T0)).toBe(DROP);
    expect(budget.frame(T0 + 10)).toBe(DROP);
    // the debt is now 3 frames: 80 ms later one frame passes, and the episode is over
    expect(budget.frame(T0 + 80)).toBe(ALLOW);
    expect(budget.frame(T0 + 80)).toBe(REFUSE);
  });

  it('refills lazily from the clock, never above the burst', () => {
    const budget = new FrameBudget(T0);
    for (let i = 0; i < FRAME_BUDGET.burst; i++) budget.frame(T0);
    const later = T0 + 3_600_000;
    const verdicts = Array.from({ length: FRAME_BUDGET.burst + 1 }, () => budget.frame(later));
    expect(count(verdicts)).toMatchObject({ [ALLOW]: FRAME_BUDGET.burst, [REFUSE]: 1 });
  });

  it('closes a socket that floods far beyond the budget', () => {
    const budget = new FrameBudget(T0);
    const verdicts: Verdict[] = [];
    for (let i = 0; i < 20_000 && verdicts.at(-1) !== CLOSE; i++) verdicts.push(budget.frame(T0 + i / 100));
    const counts = count(verdicts);
    expect(counts[REFUSE]).toBe(1);
    expect(counts[CLOSE]).toBe(1);
    // the burst, plus what refilled in the meantime, answered; ten bursts of debt allowed before closing
    expect(counts[ALLOW]).toBeLessThan(FRAME_BUDGET.burst + 20);
    expect(verdicts.length).toBeGreaterThan(FRAME_BUDGET.burst * (FRAME_BUDGET.floodFactor + 1));
    expect(verdicts.length).toBeLessThan(FRAME_BUDGET.burst * (FRAME_BUDGET.floodFactor + 1) + 100);
  });

  it('caps typing and ping on their own, each with one refusal', () => {
    const budget = new FrameBudget(T0);
    const typings = count(Array.from({ length: 50 }, () => budget.parsed(typing, T0)));
    expect(typings).toMatchObject({ [ALLOW]: FRAME_BUDGET.typing.burst, [REFUSE]: 1 });
    expect(budget.retryAfterMs).toBe(Math.ceil(2000 / FRAME_BUDGET.typing.perSecond));
    const pings = count(Array.from({ length: 50 }, () => budget.parsed(ping, T0)));
    expect(pings).toMatchObject({ [ALLOW]: FRAME_BUDGET.ping.burst, [REFUSE]: 1 });
    // a person typing: a refresh every few seconds never comes near it
    const calm = new FrameBudget(T0);
    for (let s = 0; s < 600; s++) expect(calm.parsed(typing, T0 + s * 1000)).toBe(ALLOW);
    // a typing flood is closed too
    const flood = new FrameBudget(T0);
    const verdicts: Verdict[] = [];
    for (let i = 0; i < 1000 && verdicts.at(-1) !== CLOSE; i++) verdicts.push(flood.parsed(typing, T0));
    expect(verdicts.at(-1)).toBe(CLOSE);
  });

  it('charges a read by its ids; other frames cost nothing more once parsed', () => {
    const budget = new FrameBudget(T0);
    expect(budget.parsed(read(5), T0)).toBe(ALLOW);
    expect(budget.parsed({ type: 'cancel' }, T0)).toBe(ALLOW);
    // full reads of 1000 ids: 100 frames each, so three fit in the burst of 300
    expect(budget.parsed(read(1000), T0)).toBe(ALLOW);
    expect(budget.parsed(read(1000), T0)).toBe(ALLOW);
    expect(budget.parsed(read(1000), T0)).toBe(ALLOW);
    expect(budget.parsed(read(1000), T0)).toBe(REFUSE);
  });

  it('refills nothing when the clock steps back', () => {
    const budget = new FrameBudget(T0);
    for (let i = 0; i < FRAME_BUDGET.burst; i++) budget.frame(T0);
    expect(budget.frame(T0 - 60_000)).toBe(REFUSE);
    // measured from T0, not from the earlier reading: 20 ms give one token back, the refused frame cost one
    expect(budget.frame(T0 + 20)).toBe(DROP);
    expect(budget.frame(T0 + 60)).toBe(ALLOW);
  });

  it('allows a few frames before ready', () => {
    const budget = new FrameBudget(T0);
    for (let i = 0; i < FRAME_BUDGET.beforeReady; i++) expect(budget.beforeReady()).toBe(true);
    expect(budget.beforeReady()).toBe(false);
  });

  it('takes its burst and rate from the configuration, with one clear error line', () => {
    expect(loadConfig({}).socket).toMatchObject({ frameBurst: FRAME_BUDGET.burst, framesPerSecond: FRAME_BUDGET.perSecond });
    expect(loadConfig({ WS_FRAME_BURST: '1000', WS_FRAMES_PER_SECOND: '200' }).socket).toMatchObject({ frameBurst: 1000, framesPerSecond: 200 });
    expect(() => loadConfig({ WS_FRAME_BURST: 'lots' })).toThrow(/^WS_FRAME_BURST must be a whole number/);
    expect(() => loadConfig({ WS_FRAMES_PER_SECOND: '0' })).toThrow(/^WS_FRAMES_PER_SECOND must be between/);
    const budget = new FrameBudget(T0, { ...FRAME_BUDGET, burst: 20, perSecond: 1 });
    const verdicts = Array.from({ length: 25 }, () => budget.frame(T0));
    expect(count(verdicts)).toMatchObject({ [ALLOW]: 20, [REFUSE]: 1 });
    expect(budget.retryAfterMs).toBe(2000);
  });
});

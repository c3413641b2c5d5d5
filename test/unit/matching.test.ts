import { afterEach, describe, expect, it, vi } from 'vitest';
import { Matchmaker, type Pairing, type Seeker } from '../../src/server/domain/matching.js';

let n = 0;
function seeker(accountId: string, interests: string[], extra: Partial<Seeker> = {}): Seeker {
  return { key: `s${++n}`, accountId, interests: new Set(interests), near: false, country: undefined, since: n, ...extra };
}

function setup(excluded: (a: Seeker, b: Seeker) => boolean = () => false, widenAfterMs = 1000) {
  const pairs: Pairing[] = [];
  const mm = new Matchmaker({ widenAfterMs, excluded }, (p) => pairs.push(p));
  const names = (p: Pairing | undefined) => (p ? [p.a.accountId, p.b.accountId].sort() : undefined);
  return { mm, pairs, names };
}

afterEach(() => vi.useRealTimers());

describe('matching policy', () => {
  it('pairs two seekers who share an interest, naming what they share', () => {
    const { mm, pairs, names } = setup();
    mm.add(seeker('a', ['chess', 'jazz']));
    expect(pairs).toHaveLength(0);
    mm.add(seeker('b', ['jazz', 'go']));
    expect(names(pairs[0])).toEqual(['a', 'b']);
    expect(pairs[0]!.commonInterests).toEqual(['jazz']);
    expect(mm.size).toBe(0);
  });

  it('prefers the candidate with the most shared interests', () => {
    const { mm, pairs, names } = setup();
    mm.add(seeker('one', ['chess', 'x1']));
    mm.add(seeker('three', ['go', 'film', 'art', 'x3']));
    mm.add(seeker('two', ['jazz', 'tea', 'x2']));
    expect(pairs).toHaveLength(0);
    mm.add(seeker('me', ['chess', 'jazz', 'tea', 'go', 'film', 'art']));
    expect(names(pairs[0])).toEqual(['me', 'three']);
    expect(pairs[0]!.commonInterests).toEqual(['art', 'film', 'go']);
  });

  it('among equal overlap, the one who waited longest goes first', () => {
    const { mm, pairs, names } = setup();
    mm.add(seeker('first', ['tea']));
    mm.add(seeker('second', ['coffee']));
    mm.add(seeker('me', ['coffee', 'tea']));
    expect(names(pairs[0])).toEqual(['first', 'me']);
  });

  it('does not pair people without a shared interest until one widens', () => {
    vi.useFakeTimers();
    const { mm, pairs, names } = setup(() => false, 1000);
    mm.add(seeker('a', ['chess']));
    mm.add(seeker('b', ['knitting']));
    expect(pairs).toHaveLength(0);
    vi.advanceTimersByTime(999);
    expect(pairs).toHaveLength(0);
    vi.advanceTimersByTime(2);
    expect(names(pairs[0])).toEqual(['a', 'b']);
    expect(pairs[0]!.commonInterests).toEqual([]);
  });

  it('a seeker with no interests is paired with anyone at once', () => {
    const { mm, pairs, names } = setup();
    mm.add(seeker('a', ['chess']));
    mm.add(seeker('open', []));
    expect(names(pairs[0])).toEqual(['a', 'open']);
  });

  it('a narrow seeker takes a waiting seeker with no interests', () => {
    const { mm, pairs, names } = setup();
    mm.add(seeker('open', []));
    mm.add(seeker('a', ['chess']));
    expect(names(pairs[0])).toEqual(['a', 'open']);
  });

  it('never pairs an account with itself (two tabs)', () => {
    vi.useFakeTimers();
    const { mm, pairs, names } = setup();
    mm.add(seeker('same', ['chess']));
    mm.add(seeker('same', ['chess']));
    mm.add(seeker('same', []));
    vi.advanceTimersByTime(5000);
    expect(pairs).toHaveLength(0);
    mm.add(seeker('other', ['chess']));
    expect(names(pairs[0])).toEqual(['other', 'same']);
  });

  it('never pairs an excluded pair (just left, or blocked), even when wide', () => {
    vi.useFakeTimers();
    const apart = new Set(['a|b']);
    const { mm, pairs, names } = setup((x, y) => apart.has([x.accountId, y.accountId].sort().join('|')));
    mm.add(seeker('a', ['chess']));
    mm.add(seeker('b', ['chess']));
    vi.advanceTimersByTime(5000);
    expect(pairs).toHaveLength(0);
    mm.add(seeker('c', ['chess']));
    expect(names(pairs[0])).toEqual(['a', 'c']);
    // the exclusion lifts: a recheck pairs whoever now fits
    mm.add(seeker('d', ['zzz']));
    apart.clear();
    mm.recheck();
    expect(pairs).toHaveLength(2);
  });

  it('with "near", a partner in the same country wins over a bigger overlap', () => {
    const { mm, pairs, names } = setup();
    mm.add(seeker('far', ['jazz', 'go'], { country: 'US' }));
    mm.add(seeker('close', ['chess'], { country: 'DE' }));
    expect(pairs).toHaveLength(0);
    mm.add(seeker('me', ['chess', 'jazz', 'go'], { country: 'DE', near: true }));
    expect(names(pairs[0])).toEqual(['close', 'me']);
  });

  it('removing a seeker takes it out of the queue', () => {
    const { mm, pairs } = setup();
    const a = seeker('a', ['chess']);
    mm.add(a);
    expect(mm.remove(a.key)).toBe(true);
    mm.add(seeker('b', ['chess']));
    expect(pairs).toHaveLength(0);
    expect(mm.size).toBe(1);
  });
});

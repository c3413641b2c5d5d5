import { describe, expect, it } from 'vitest';
import { normalizeInterest, normalizeInterests, normalizeNickname } from '../../src/shared/interests.js';

describe('interest normalisation', () => {
  it('trims, lower-cases and collapses inner whitespace', () => {
    expect(normalizeInterest('  Rock \t  MUSIC ')).toBe('rock music');
    expect(normalizeInterest('Ünïcödé  Ça')).toBe('ünïcödé ça');
  });

  it('drops duplicates after normalising, keeping first order', () => {
    expect(normalizeInterests(['Jazz', 'chess', ' jazz ', 'JAZZ'])).toEqual({ ok: true, interests: ['jazz', 'chess'] });
  });

  it('rejects empty, over-long, too many and control characters', () => {
    expect(normalizeInterests(['   ']).ok).toBe(false);
    expect(normalizeInterests(['x'.repeat(33)]).ok).toBe(false);
    expect(normalizeInterests(['x'.repeat(32)]).ok).toBe(true);
    expect(normalizeInterests(Array.from({ length: 21 }, (_, i) => `t${i}`)).ok).toBe(false);
    expect(normalizeInterests(Array.from({ length: 20 }, (_, i) => `t${i}`)).ok).toBe(true);
    expect(normalizeInterests(['a\u0007b']).ok).toBe(false);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(normalizeInterests(['🎸'.repeat(32)]).ok).toBe(true);
  });
});

describe('nickname', () => {
  it('is trimmed, 1–32 characters, without control characters', () => {
    expect(normalizeNickname('  Ana ')).toEqual({ ok: true, nickname: 'Ana' });
    expect(normalizeNickname('  ').ok).toBe(false);
    expect(normalizeNickname('x'.repeat(33)).ok).toBe(false);
    expect(normalizeNickname('😀'.repeat(32)).ok).toBe(true);
    expect(normalizeNickname('a\nb').ok).toBe(false);
    expect(normalizeNickname('👩‍💻 dev').ok).toBe(true);
  });
});

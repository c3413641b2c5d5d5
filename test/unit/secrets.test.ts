import { createHash, createHmac } from 'node:crypto';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { describe, expect, it } from 'vitest';
import { pepperCheck, pepperedCodeHash, RecoveryCodeHasher } from '../../src/server/domain/pepper.js';
import {
  RECOVERY_CODE_BITS,
  hashSecret,
  newRecoveryCode,
  newToken,
  normalizeRecoveryCode,
} from '../../src/server/domain/secrets.js';

describe('recovery codes', () => {
  it('are words from the BIP-39 list joined by "-", with at least 64 bits of entropy', () => {
    expect(RECOVERY_CODE_BITS).toBeGreaterThanOrEqual(64);
    const words = new Set(wordlist);
    for (let i = 0; i < 200; i++) {
      const code = newRecoveryCode();
      expect(code).toMatch(/^[a-z]+(-[a-z]+)+$/);
      const parts = code.split('-');
      expect(parts.length * Math.log2(wordlist.length)).toBeGreaterThanOrEqual(64);
      for (const w of parts) expect(words.has(w)).toBe(true);
    }
  });

  it('do not repeat and use the whole list (no obvious bias)', () => {
    const codes = new Set<string>();
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const code = newRecoveryCode();
      codes.add(code);
      for (const w of code.split('-')) seen.add(w);
    }
    expect(codes.size).toBe(2000);
    // 12,000 draws from 2,048 words leave about 0.3% unseen when uniform.
    expect(seen.size).toBeGreaterThan(1900);
  });

  it('are matched case-insensitively with spaces, dots or underscores for "-"', () => {
    const canonical = 'maple-orbit-velvet-canyon-harbor-lime';
    for (const typed of ['MAPLE ORBIT VELVET CANYON HARBOR LIME', ' maple.orbit.velvet_canyon  harbor-lime ', 'Maple_Orbit-Velvet.Canyon Harbor LIME']) {
      expect(normalizeRecoveryCode(typed)).toBe(canonical);
    }
    expect(normalizeRecoveryCode('maple-orbit')).not.toBe(canonical);
  });
});

describe('tokens and hashes', () => {
  it('tokens carry at least 128 bits and differ every time', () => {
    const token = newToken();
    expect(Buffer.from(token, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    expect(newToken()).not.toBe(token);
  });

  it('hashes are stable and do not contain the secret', () => {
    expect(hashSecret('abc')).toBe(hashSecret('abc'));
    expect(hashSecret('abc')).not.toContain('abc');
    expect(hashSecret('abc')).not.toBe(hashSecret('abd'));
  });
});

describe('recovery-code hashes keyed with the pepper', () => {
  const pepper = 'p'.repeat(40);
  const code = 'maple-orbit-velvet-canyon-harbor-lime';

  it('are HMAC-SHA256(pepper, SHA-256(code)), not SHA-256 of the code', () => {
    const sha = createHash('sha256').update(code).digest();
    expect(pepperedCodeHash(pepper, code)).toBe(createHmac('sha256', pepper).update(sha).digest('base64url'));
    expect(pepperedCodeHash(pepper, code)).not.toBe(hashSecret(code));
    expect(pepperedCodeHash(pepper, code)).not.toBe(pepperedCodeHash('q'.repeat(40), code));
  });

  it('try the previous pepper only while one is set; the check value reveals neither', () => {
    expect(new RecoveryCodeHasher(pepper).previousHash(code)).toBeUndefined();
    const rotating = new RecoveryCodeHasher('n'.repeat(40), pepper);
    expect(rotating.previousHash(code)).toBe(pepperedCodeHash(pepper, code));
    expect(rotating.hash(code)).toBe(pepperedCodeHash('n'.repeat(40), code));
    expect(pepperCheck(pepper)).not.toContain(pepper);
    expect(pepperCheck(pepper)).not.toBe(pepperCheck('n'.repeat(40)));
  });
});

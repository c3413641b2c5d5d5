import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/server/config.js';
import { estimatedBits, tokenWeakness } from '../../src/server/tokenStrength.js';

describe('ADMIN_TOKEN / METRICS_TOKEN strength', () => {
  const weak = [
    'short-Token-1', // under 16 characters
    'aaaaaaaaaaaaaaaaaaaaaaaa', // one character
    'abababababcdcdcdcdcd1212', // 6 distinct
    'passwordpassword', // 16 lower-case letters: about 75 bits
    '1234567890123456789012', // digits only: about 73 bits
  ];
  const strong = [
    'moderator-secret-token-0123456789',
    '3f9c2a7be41d08c6f5a9e2b7d4c1a086', // openssl rand -hex 16
    'Xk3-pQ9_vR2!mZ7a', // 16 characters from all four classes
  ];

  it.each(weak)('refuses %s, in one line naming the variable', (token) => {
    expect(tokenWeakness(token)).toBeDefined();
    for (const name of ['ADMIN_TOKEN', 'METRICS_TOKEN']) {
      let error: unknown;
      try {
        loadConfig({ [name]: token });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message.startsWith(name)).toBe(true);
      expect(message).not.toContain('\n');
      expect(message).not.toContain(token); // the secret is not echoed
    }
  });

  it.each(strong)('accepts %s', (token) => {
    expect(tokenWeakness(token)).toBeUndefined();
    const config = loadConfig({ ADMIN_TOKEN: token, METRICS_TOKEN: token });
    expect(config.safety.adminToken).toBe(token);
    expect(config.safety.metricsToken).toBe(token);
  });

  it('estimates length × log2(alphabet of the classes used)', () => {
    expect(estimatedBits('abcdefghijklmnop')).toBeCloseTo(16 * Math.log2(26));
    expect(estimatedBits('abcdefgh12345678')).toBeCloseTo(16 * Math.log2(36));
    expect(estimatedBits('aB3!aB3!aB3!aB3!')).toBeCloseTo(16 * Math.log2(95));
  });

  it('unset or empty leaves the feature off', () => {
    expect(loadConfig({}).safety.adminToken).toBeUndefined();
    expect(loadConfig({ METRICS_TOKEN: '  ' }).safety.metricsToken).toBeUndefined();
  });
});

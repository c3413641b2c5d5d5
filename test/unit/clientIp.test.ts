import { describe, expect, it } from 'vitest';
import { parseTrustProxy } from '../../src/server/config.js';
import { clientIpResolver, trustedCountryHeader } from '../../src/server/http/clientIp.js';

const cf = { 'cf-connecting-ip': '198.51.100.23', 'cf-ipcountry': 'pt', 'x-forwarded-for': '203.0.113.9' };

describe('TRUST_PROXY', () => {
  it('none: the socket address, every header ignored', () => {
    const resolve = clientIpResolver(parseTrustProxy('none'));
    expect(resolve('127.0.0.1', cf)).toBe('127.0.0.1');
    expect(resolve('::ffff:10.0.0.1', cf)).toBe('10.0.0.1');
    expect(trustedCountryHeader(parseTrustProxy('none'), cf)).toBeUndefined();
  });

  it('cloudflare: CF-Connecting-IP and CF-IPCountry, nothing else', () => {
    const trust = parseTrustProxy('cloudflare');
    const resolve = clientIpResolver(trust);
    expect(resolve('127.0.0.1', cf)).toBe('198.51.100.23');
    expect(resolve('127.0.0.1', { 'x-forwarded-for': '203.0.113.9' })).toBe('127.0.0.1');
    expect(resolve('127.0.0.1', { 'cf-connecting-ip': 'not-an-ip' })).toBe('127.0.0.1');
    expect(trustedCountryHeader(trust, cf)).toBe('PT');
    expect(trustedCountryHeader(trust, { 'cf-ipcountry': 'XX' })).toBeUndefined();
    expect(trustedCountryHeader(trust, { 'cf-ipcountry': '<script>' })).toBeUndefined();
  });

  it('CIDRs: X-Forwarded-For is walked from the right while hops are trusted proxies', () => {
    const resolve = clientIpResolver(parseTrustProxy('10.0.0.0/8, 192.168.1.1'));
    expect(resolve('10.1.2.3', { 'x-forwarded-for': '203.0.113.9, 10.9.9.9' })).toBe('203.0.113.9');
    expect(resolve('192.168.1.1', { 'x-forwarded-for': '203.0.113.9' })).toBe('203.0.113.9');
    // a spoofed left-most entry behind an untrusted hop is not believed
    expect(resolve('10.1.2.3', { 'x-forwarded-for': '1.1.1.1, 203.0.113.9' })).toBe('203.0.113.9');
    // not from a trusted proxy: the header is ignored
    expect(resolve('198.51.100.1', { 'x-forwarded-for': '203.0.113.9' })).toBe('198.51.100.1');
  });

  it('rejects anything else with a message naming the variable', () => {
    for (const bad of ['everyone', '10.0.0.0/33', '300.1.1.1', '10.0.0.0/8/1']) {
      expect(() => parseTrustProxy(bad)).toThrow(/TRUST_PROXY/);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseTrustProxy } from '../../src/server/config.js';
import { clientIpResolver, trustedCountryHeader } from '../../src/server/http/clientIp.js';

const cf = { 'cf-connecting-ip': '198.51.100.23', 'cf-ipcountry': 'pt', 'x-forwarded-for': '203.0.113.9' };

describe('TRUST_PROXY', () => {
  it('none: the socket address, every header ignored', () => {
    const resolve = clientIpResolver(parseTrustProxy('none'));
    expect(resolve('127.0.0.1', cf)).toBe('127.0.0.1');
    expect(resolve('::ffff:10.0.0.1', cf)).toBe('10.0.0.1');
    expect(trustedCountryHeader(parseTrustProxy('none'), '127.0.0.1', cf)).toBeUndefined();
  });

  it('cloudflare: CF-Connecting-IP and CF-IPCountry from a Cloudflare peer, nothing else', () => {
    const trust = parseTrustProxy('cloudflare');
    const resolve = clientIpResolver(trust);
    expect(resolve('173.245.48.7', cf)).toBe('198.51.100.23');
    expect(resolve('2606:4700:10::ac43:1b0a', cf)).toBe('198.51.100.23');
    expect(resolve('173.245.48.7', { 'x-forwarded-for': '203.0.113.9' })).toBe('173.245.48.7');
    expect(resolve('173.245.48.7', { 'cf-connecting-ip': 'not-an-ip' })).toBe('173.245.48.7');
    expect(trustedCountryHeader(trust, '162.158.1.1', cf)).toBe('PT');
    expect(trustedCountryHeader(trust, '162.158.1.1', { 'cf-ipcountry': 'XX' })).toBeUndefined();
    expect(trustedCountryHeader(trust, '162.158.1.1', { 'cf-ipcountry': '<script>' })).toBeUndefined();
  });

  it('cloudflare: a spoofed CF-* header from a peer outside Cloudflare is ignored', () => {
    const trust = parseTrustProxy('cloudflare');
    const resolve = clientIpResolver(trust);
    for (const peer of ['198.51.100.1', '10.0.0.5', '173.245.64.1', '2001:db8::1', '2a06:98c8::1', '::ffff:203.0.113.50']) {
      expect(resolve(peer, cf), peer).toBe(peer.replace('::ffff:', ''));
      expect(trustedCountryHeader(trust, peer, cf), peer).toBeUndefined();
    }
    expect(resolve(undefined, cf)).toBeUndefined();
    expect(trustedCountryHeader(trust, undefined, cf)).toBeUndefined();
  });

  it('cloudflare: loopback counts as Cloudflare (cloudflared on the same machine)', () => {
    const trust = parseTrustProxy('cloudflare');
    const resolve = clientIpResolver(trust);
    for (const peer of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) {
      expect(resolve(peer, cf), peer).toBe('198.51.100.23');
      expect(trustedCountryHeader(trust, peer, cf), peer).toBe('PT');
    }
  });

  it('cloudflare: IPv4-mapped IPv6 peers are checked as IPv4', () => {
    const trust = parseTrustProxy('cloudflare');
    const resolve = clientIpResolver(trust);
    expect(resolve('::ffff:104.16.0.1', cf)).toBe('198.51.100.23');
    expect(trustedCountryHeader(trust, '::ffff:104.16.0.1', cf)).toBe('PT');
    expect(resolve('::ffff:104.32.0.1', cf)).toBe('104.32.0.1');
    expect(resolve('::ffff:104.16.0.1', { 'cf-connecting-ip': '::ffff:203.0.113.4' })).toBe('203.0.113.4');
  });

  it('CLOUDFLARE_IPS replaces the shipped list (loopback included)', () => {
    const trust = parseTrustProxy('cloudflare', '192.0.2.0/24, 2001:db8::/32');
    const resolve = clientIpResolver(trust);
    expect(resolve('192.0.2.77', cf)).toBe('198.51.100.23');
    expect(resolve('2001:db8:1::1', cf)).toBe('198.51.100.23');
    expect(trustedCountryHeader(trust, '192.0.2.77', cf)).toBe('PT');
    for (const peer of ['173.245.48.7', '127.0.0.1', '::1']) {
      expect(resolve(peer, cf), peer).toBe(peer);
      expect(trustedCountryHeader(trust, peer, cf), peer).toBeUndefined();
    }
    expect(loadConfig({ TRUST_PROXY: 'cloudflare', CLOUDFLARE_IPS: '192.0.2.0/24' }).trustProxy).toEqual({ kind: 'cloudflare', cidrs: ['192.0.2.0/24'] });
  });

  it('CLOUDFLARE_IPS: anything but CIDRs stops start-up naming the variable', () => {
    for (const bad of ['cloudflare', '10.0.0.0/33', '2001:db8::/129', '300.1.1.1', '10.0.0.0/8/1', '10.0.0.0/8, nope']) {
      expect(() => parseTrustProxy('cloudflare', bad), bad).toThrow(/^CLOUDFLARE_IPS/);
      expect(() => loadConfig({ TRUST_PROXY: 'none', CLOUDFLARE_IPS: bad }), bad).toThrow(ConfigError);
    }
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

/**
 * Which address a request comes from, per TRUST_PROXY. The result is used in
 * memory only (region estimate, abuse limits) and never stored or logged.
 */
import { BlockList, isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import type { TrustProxy } from '../config.js';

export type ClientIpResolver = (remoteAddress: string | undefined, headers: IncomingHttpHeaders) => string | undefined;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function stripMapped(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

type Matcher = (ip: string) => boolean;

function matcher(cidrs: readonly string[]): Matcher {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', bits] = cidr.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return (ip) => {
    const family = isIP(ip);
    return family !== 0 && list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
  };
}

// One matcher per configuration, built on first use.
const matchers = new WeakMap<TrustProxy, Matcher>();
function trusted(trust: TrustProxy & { cidrs: readonly string[] }): Matcher {
  let match = matchers.get(trust);
  if (!match) matchers.set(trust, (match = matcher(trust.cidrs)));
  return match;
}

/** The TCP peer is Cloudflare (or a tunnel on loopback): its CF-* headers may be believed. */
function fromCloudflare(trust: TrustProxy, remote: string | undefined): boolean {
  return trust.kind === 'cloudflare' && remote !== undefined && trusted(trust)(stripMapped(remote));
}

export function clientIpResolver(trust: TrustProxy): ClientIpResolver {
  if (trust.kind === 'none') return (remote) => remote && stripMapped(remote);
  if (trust.kind === 'cloudflare') {
    return (remote, headers) => {
      const peer = remote && stripMapped(remote);
      if (!fromCloudflare(trust, peer)) return peer;
      const cf = header(headers, 'cf-connecting-ip')?.trim();
      return cf && isIP(cf) ? stripMapped(cf) : peer;
    };
  }
  const isTrusted = trusted(trust);
  // Walk X-Forwarded-For from the right while the hop is a trusted proxy.
  return (remote, headers) => {
    let ip = remote && stripMapped(remote);
    if (!ip || !isTrusted(ip)) return ip;
    const hops = (header(headers, 'x-forwarded-for') ?? '').split(',').map((s) => stripMapped(s.trim()));
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!;
      if (!isIP(hop)) break;
      ip = hop;
      if (!isTrusted(hop)) break;
    }
    return ip;
  };
}

/** Cloudflare's own country estimate, when we believe Cloudflare and the request came through it. */
export function trustedCountryHeader(trust: TrustProxy, remoteAddress: string | undefined, headers: IncomingHttpHeaders): string | undefined {
  if (!fromCloudflare(trust, remoteAddress)) return undefined;
  const country = header(headers, 'cf-ipcountry')?.trim().toUpperCase();
  return country && /^[A-Z]{2}$/.test(country) && country !== 'XX' && country !== 'T1' ? country : undefined;
}

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

export function clientIpResolver(trust: TrustProxy): ClientIpResolver {
  if (trust.kind === 'none') return (remote) => remote && stripMapped(remote);
  if (trust.kind === 'cloudflare') {
    return (remote, headers) => {
      const cf = header(headers, 'cf-connecting-ip')?.trim();
      return cf && isIP(cf) ? cf : remote && stripMapped(remote);
    };
  }
  const trusted = new BlockList();
  for (const cidr of trust.cidrs) {
    const [address = '', bits] = cidr.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) trusted.addAddress(address, family);
    else trusted.addSubnet(address, Number(bits), family);
  }
  const isTrusted = (ip: string) => trusted.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');
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

/** Cloudflare's own country estimate, when we are configured to believe Cloudflare. */
export function trustedCountryHeader(trust: TrustProxy, headers: IncomingHttpHeaders): string | undefined {
  if (trust.kind !== 'cloudflare') return undefined;
  const country = header(headers, 'cf-ipcountry')?.trim().toUpperCase();
  return country && /^[A-Z]{2}$/.test(country) && country !== 'XX' && country !== 'T1' ? country : undefined;
}

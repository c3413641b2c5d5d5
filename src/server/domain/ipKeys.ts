/**
 * Keys for state about a client address (per-address rate limits, the report
 * network of finding 7): HMAC-SHA256 of the address's prefix with a secret
 * that is never written to disk and changes every rotation period, so a key
 * cannot be turned back into an address by hashing every IPv4 address.
 *
 * The secret of a period is random. On one node it lives in this process's
 * memory; with several nodes it lives in Redis memory (SET NX, expiring after
 * one period), so every node derives the same keys and per-address limits
 * agree across nodes. The previous period's secret is kept too, for state
 * that spans a rotation (report networks).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';

export const IP_KEY_ROTATION_MS = 24 * 3600_000;

export type Clock = () => number;

/** Where the secret of a period comes from. */
export interface SecretSource {
  secret(period: number): Promise<Buffer>;
}

export function memorySecrets(): SecretSource {
  const secrets = new Map<number, Buffer>();
  return {
    async secret(period) {
      let secret = secrets.get(period);
      if (!secret) {
        secret = randomBytes(32);
        secrets.set(period, secret);
        for (const old of secrets.keys()) if (old < period - 1) secrets.delete(old);
      }
      return secret;
    },
  };
}

/** IPv6 text → its eight 16-bit groups (the input must be a valid IPv6 address). */
function ipv6Groups(ip: string): number[] {
  let text = ip.split('%')[0]!.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((g) => parseInt(g, 16));
}

function prefix(ip: string, v4Octets: number, v6Groups: number): string {
  const family = isIP(ip);
  if (family === 4) return `4:${ip.split('.').slice(0, v4Octets).join('.')}/${v4Octets * 8}`;
  if (family === 6) {
    const groups = ipv6Groups(ip);
    const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
    if (mapped) return prefix(`${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`, v4Octets, v6Groups);
    return `6:${groups.slice(0, v6Groups).map((g) => g.toString(16)).join(':')}/${v6Groups * 16}`;
  }
  return `?:${ip}`;
}

/** What one subscriber usually holds: an IPv4 address, or an IPv6 /64. */
export const subscriberPrefix = (ip: string) => prefix(ip, 4, 4);
/** A network: an IPv4 /24 or an IPv6 /48. */
export const networkPrefix = (ip: string) => prefix(ip, 3, 3);

export class IpKeys {
  /** The secrets of the current and previous period, fetched once per node. */
  private readonly cache = new Map<number, Promise<Buffer>>();

  constructor(
    private readonly secrets: SecretSource = memorySecrets(),
    private readonly now: Clock = Date.now,
    private readonly rotationMs = IP_KEY_ROTATION_MS,
  ) {}

  /** The key of the subscriber behind `ip` (IPv6: its /64), for per-address limits. */
  async key(ip: string): Promise<string> {
    return this.hmac(await this.secret(this.period()), `addr|${subscriberPrefix(ip)}`);
  }

  /** The keys of `ip`'s network (IPv4 /24, IPv6 /48) under this period's and the previous period's secret. */
  async networkKeys(ip: string): Promise<string[]> {
    const period = this.period();
    const [current, previous] = await Promise.all([this.secret(period), this.secret(period - 1)]);
    const text = `net|${networkPrefix(ip)}`;
    return [this.hmac(current, text), this.hmac(previous, text)];
  }

  private secret(period: number): Promise<Buffer> {
    let secret = this.cache.get(period);
    if (!secret) {
      secret = this.secrets.secret(period);
      this.cache.set(period, secret);
      secret.catch(() => this.cache.delete(period)); // asked again next time
      for (const old of this.cache.keys()) if (old < period - 1) this.cache.delete(old);
    }
    return secret;
  }

  private period(): number {
    return Math.floor(this.now() / this.rotationMs);
  }

  private hmac(secret: Buffer, text: string): string {
    return createHmac('sha256', secret).update(text).digest('base64url');
  }
}

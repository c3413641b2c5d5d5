/**
 * Proof of work at the doors (ALTCHA v2, altcha-lib): stateless challenges
 * signed with an HMAC secret that never reaches disk (the rotating secret of
 * ipKeys.ts' SecretSource, domain-separated), single use, expiring.
 *
 * A challenge is made in altcha-lib's deterministic mode: the server picks the
 * counter, so solving costs the client about `counter` SHA-256 hashes while
 * checking costs the server two HMACs. altcha-lib makes the challenge (nonce,
 * salt, the key's prefix); the two HMACs of its format (the signature over the
 * parameters' canonical JSON, the key signature over the derived key) are
 * computed here with node:crypto, because altcha-lib's WebCrypto HMAC imports
 * a key per call and costs about 0.5 ms of CPU each (docs/decisions.md).
 * test/unit/challenges.test.ts checks altcha-lib's verifySolution agrees.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { type Challenge, type ChallengeParameters, createChallenge, randomInt, type Solution } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import type { ChallengeConfig } from '../config.js';
import { type Clock, IP_KEY_ROTATION_MS, type SecretSource } from './ipKeys.js';
import { Unavailable } from './unavailable.js';

export const CHALLENGE_ALGORITHM = 'SHA-256';

export type ProofVerdict = 'ok' | 'failed';

/** Where spent challenges are remembered until they expire: this node's memory, or Redis for several nodes. */
export interface SpentProofs {
  /** True the first time a signature is spent, false after. */
  spend(signature: string, expiresAtMs: number): Promise<boolean>;
}

/** At most this many spent signatures in memory; past it the oldest are dropped (they expire within CHALLENGE_TTL_MS anyway). */
const SPENT_MAX = 200_000;

export function memorySpent(now: Clock): SpentProofs {
  const spent = new Map<string, number>();
  return {
    async spend(signature, expiresAtMs) {
      if (spent.has(signature)) return false;
      const t = now();
      for (const [old, until] of spent) {
        if (until > t && spent.size < SPENT_MAX) break;
        spent.delete(old);
      }
      spent.set(signature, expiresAtMs);
      return true;
    },
  };
}

/** SET NX with the challenge's remaining life as TTL: every node sees a spent challenge at once. */

type Payload = { challenge: Challenge; solution: Solution };

/** The ALTCHA payload: base64 of `{"challenge":{parameters,signature},"solution":{counter,derivedKey}}`. */
function decode(proof: string): Payload | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(proof, 'base64').toString('utf8')) as Payload;
    const p = parsed?.challenge?.parameters;
    if (!p || typeof parsed.challenge.signature !== 'string' || typeof parsed.solution !== 'object' || parsed.solution === null) return undefined;
    return parsed;
  } catch {
    return undefined;
  }
}

/** altcha-lib's canonical form: keys sorted at every level, then JSON (undefined values drop out). */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
  );
}

const hmacHex = (secret: string, data: string | Buffer) => createHmac('sha256', secret).update(data).digest('hex');

function sameHex(a: unknown, b: string): boolean {
  return typeof a === 'string' && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

export class Challenges {
  private readonly keysByPeriod = new Map<number, Promise<{ signature: string; key: string }>>();

  constructor(
    private readonly config: Pick<ChallengeConfig, 'work' | 'factor' | 'maxLevel' | 'ttlMs'>,
    private readonly secrets: SecretSource,
    private readonly spent: SpentProofs,
    private readonly now: Clock = Date.now,
  ) {}

  /** The most hashes a challenge of `level` asks for. */
  workAt(level: number): number {
    return this.config.work * this.config.factor ** Math.min(level, this.config.maxLevel);
  }

  /** A fresh challenge; `purpose` is signed into it, so a sign-up challenge cannot open `find` and back. */
  async issue(level: number, purpose: 'door' | 'find'): Promise<Challenge> {
    const work = this.workAt(level);
    const period = this.period();
    const keys = await this.keys(period);
    const counter = randomInt(work, Math.ceil(work / 2));
    const { parameters } = await createChallenge({
      algorithm: CHALLENGE_ALGORITHM,
      cost: 1,
      counter,
      deriveKey,
      expiresAt: Math.ceil((this.now() + this.config.ttlMs) / 1000),
      data: { p: period, for: purpose, level: Math.min(level, this.config.maxLevel) },
    });
    const password = Buffer.alloc(20);
    Buffer.from(parameters.nonce, 'hex').copy(password);
    password.writeUInt32BE(counter, 16);
    const { derivedKey } = await deriveKey(parameters, Buffer.from(parameters.salt, 'hex'), password);
    const signed = canonical({ ...parameters, keySignature: hmacHex(keys.key, Buffer.from(derivedKey)) }) as ChallengeParameters;
    return { parameters: signed, signature: hmacHex(keys.signature, JSON.stringify(signed)) };
  }

  /** Checks a proof and spends its challenge: `failed` when malformed, forged, for another purpose, expired or spent. */
  async verify(proof: string, purpose: 'door' | 'find', minLevel = 0): Promise<ProofVerdict> {
    const payload = decode(proof);
    const params = payload?.challenge.parameters;
    const data = params?.data;
    if (!payload || !params || !data || data.for !== purpose || typeof data.p !== 'number') return 'failed';
    if (typeof data.level !== 'number' || data.level < Math.min(minLevel, this.config.maxLevel)) return 'failed';
    const period = this.period();
    if (data.p !== period && data.p !== period - 1) return 'failed';
    const expiresAtMs = (params.expiresAt ?? 0) * 1000;
    if (expiresAtMs <= this.now()) return 'failed';
    const keys = await this.keys(data.p);
    if (!sameHex(payload.challenge.signature, hmacHex(keys.signature, JSON.stringify(canonical(params))))) return 'failed';
    const key = payload.solution.derivedKey;
    if (typeof key !== 'string' || !/^(?:[0-9a-f]{2})+$/.test(key)) return 'failed';
    if (!sameHex(params.keySignature, hmacHex(keys.key, Buffer.from(key, 'hex')))) return 'failed';
    return (await this.spent.spend(payload.challenge.signature!, expiresAtMs)) ? 'ok' : 'failed';
  }

  private period(): number {
    return Math.floor(this.now() / IP_KEY_ROTATION_MS);
  }

  /** The HMAC keys of a period, derived once per node from the period's secret (fetched again after a failure). */
  private keys(period: number): Promise<{ signature: string; key: string }> {
    let keys = this.keysByPeriod.get(period);
    if (!keys) {
      keys = this.secrets.secret(period).then(
        (secret) => {
          const derive = (label: string) => createHmac('sha256', secret).update(label).digest('base64url');
          return { signature: derive('altcha|signature'), key: derive('altcha|derived-key') };
        },
        (err: unknown) => {
          this.keysByPeriod.delete(period);
          throw new Unavailable('the challenge key', undefined, { cause: err });
        },
      );
      this.keysByPeriod.set(period, keys);
      for (const old of this.keysByPeriod.keys()) if (old < period - 1) this.keysByPeriod.delete(old);
    }
    return keys;
  }
}

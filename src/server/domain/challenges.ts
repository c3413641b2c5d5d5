/**
 * Proof of work at the doors (ALTCHA v2, altcha-lib): stateless challenges
 * signed with an HMAC secret that never reaches disk (the rotating secret of
 * ipKeys.ts' SecretSource, domain-separated), single use, expiring.
 *
 * A challenge is made in altcha-lib's deterministic mode: the server picks the
 * counter, so solving costs the client about `counter` SHA-256 hashes while
 * checking costs the server one HMAC. The work asked for depends on a level
 * (difficulty.ts per address; botSignals.ts per account for `find`).
 */
import { createHmac } from 'node:crypto';
import { type Challenge, createChallenge, randomInt, type Solution, verifySolution } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import type { Redis } from 'ioredis';
import type { ChallengeConfig } from '../config.js';
import { type Clock, IP_KEY_ROTATION_MS, type SecretSource } from './ipKeys.js';

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
export function redisSpent(client: Redis, now: Clock): SpentProofs {
  return {
    async spend(signature, expiresAtMs) {
      const ttl = Math.max(1000, expiresAtMs - now());
      return (await client.set(`metsony:pow:${signature}`, '1', 'PX', ttl, 'NX')) === 'OK';
    },
  };
}

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

export class Challenges {
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
    return createChallenge({
      algorithm: CHALLENGE_ALGORITHM,
      cost: 1,
      counter: randomInt(work, Math.ceil(work / 2)),
      deriveKey,
      expiresAt: Math.ceil((this.now() + this.config.ttlMs) / 1000),
      data: { p: period, for: purpose, level: Math.min(level, this.config.maxLevel) },
      hmacSignatureSecret: keys.signature,
      hmacKeySignatureSecret: keys.key,
    });
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
    const result = await verifySolution({
      challenge: payload.challenge,
      solution: payload.solution,
      deriveKey,
      hmacSignatureSecret: keys.signature,
      hmacKeySignatureSecret: keys.key,
    }).catch(() => undefined);
    if (!result?.verified) return 'failed';
    return (await this.spent.spend(payload.challenge.signature!, expiresAtMs)) ? 'ok' : 'failed';
  }

  private period(): number {
    return Math.floor(this.now() / IP_KEY_ROTATION_MS);
  }

  private async keys(period: number): Promise<{ signature: string; key: string }> {
    const secret = await this.secrets.secret(period);
    const derive = (label: string) => createHmac('sha256', secret).update(label).digest('base64url');
    return { signature: derive('altcha|signature'), key: derive('altcha|derived-key') };
  }
}

/**
 * Our challenges are ALTCHA v2 as altcha-lib reads them: the library's own
 * verifySolution accepts what Challenges issues (both its paths: the key
 * signature, and re-deriving the key), and Challenges accepts what the
 * library signs with the same secrets. The HMACs are ours (node:crypto), the
 * format is the library's.
 */
import { createHmac } from 'node:crypto';
import { createChallenge, solveChallenge, verifySolution } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { describe, expect, it } from 'vitest';
import { Challenges, memorySpent } from '../../src/server/domain/challenges.js';
import { IP_KEY_ROTATION_MS } from '../../src/server/domain/ipKeys.js';
import { encodeProof } from '../helpers/pow.js';

const SECRET = Buffer.alloc(32, 7);
const secrets = { secret: async () => SECRET };
const derive = (label: string) => createHmac('sha256', SECRET).update(label).digest('base64url');
const hmacSignatureSecret = derive('altcha|signature');
const hmacKeySignatureSecret = derive('altcha|derived-key');
const challenges = () => new Challenges({ work: 500, factor: 4, maxLevel: 4, ttlMs: 60_000 }, secrets, memorySpent(Date.now));

describe('Challenges and altcha-lib', () => {
  it('issues challenges that altcha-lib verifies', async () => {
    const challenge = await challenges().issue(1, 'door');
    const solution = (await solveChallenge({ challenge, deriveKey }))!;
    for (const keySecret of [hmacKeySignatureSecret, undefined]) {
      const result = await verifySolution({ challenge, solution, deriveKey, hmacSignatureSecret, hmacKeySignatureSecret: keySecret });
      expect(result.verified).toBe(true);
    }
    const forged = { ...challenge, parameters: { ...challenge.parameters, keyPrefix: '00' } };
    expect((await verifySolution({ challenge: forged, solution, deriveKey, hmacSignatureSecret })).verified).toBe(false);
  });

  it('accepts a challenge altcha-lib signed with the same secrets, once', async () => {
    const period = Math.floor(Date.now() / IP_KEY_ROTATION_MS);
    const challenge = await createChallenge({
      algorithm: 'SHA-256',
      cost: 1,
      counter: 300,
      deriveKey,
      expiresAt: Math.ceil(Date.now() / 1000) + 60,
      data: { p: period, for: 'door', level: 0 },
      hmacSignatureSecret,
      hmacKeySignatureSecret,
    });
    const proof = encodeProof(challenge, (await solveChallenge({ challenge, deriveKey }))!);
    const ours = challenges();
    expect(await ours.verify(proof, 'door')).toBe('ok');
    expect(await ours.verify(proof, 'door')).toBe('failed');
  });
});

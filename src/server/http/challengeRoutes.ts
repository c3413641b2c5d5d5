/**
 * GET /api/challenge (ALTCHA v2 format) and the check of a door's `proof`
 * (sign-up, sign-in with a code, Google start). docs/protocol.md, "Challenges".
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { LIMITS } from '../../shared/limits.js';
import type { Doorkeeper } from '../domain/doorkeeper.js';
import { httpError } from '../errors.js';
import { authenticate } from './authentication.js';
import type { Accounts } from '../domain/accounts.js';
import type { ClientIpResolver } from './clientIp.js';
import { parseBody } from './validation.js';

/** The `proof` field of the three doors' bodies. */
export const proofField = z.string().min(1).max(LIMITS.proofMax).optional();

const Query = z.strictObject({ for: z.enum(['door', 'find']).optional() });

export function registerChallengeRoutes(app: FastifyInstance, deps: { doorkeeper: Doorkeeper; accounts: Accounts; clientIp: ClientIpResolver }): void {
  const { doorkeeper, accounts, clientIp } = deps;
  app.get('/api/challenge', async (request, reply) => {
    const { for: purpose = 'door' } = parseBody(Query, request.query);
    if (doorkeeper.mode !== 'pow') throw httpError('not_found', 'Proof of work is off here (see GET /api/config → challenge).');
    reply.header('cache-control', 'no-store');
    if (purpose === 'find') {
      const { account } = await authenticate(accounts, request, 'active');
      return doorkeeper.findChallenge(account.id);
    }
    return doorkeeper.doorChallenge(clientIp(request.raw.socket.remoteAddress, request.headers));
  });
}

/** Throws 400 `challenge_required` / `challenge_failed` unless the proof opens the door (or the gate is off). */
export async function requireProof(doorkeeper: Doorkeeper, clientIp: ClientIpResolver, request: FastifyRequest, proof: string | undefined): Promise<void> {
  const refusal = await doorkeeper.checkDoor(clientIp(request.raw.socket.remoteAddress, request.headers), proof);
  if (refusal) throw httpError(refusal);
}

/** PROTOCOL §2 "Accounts": sign-up, sign-in, me, log out. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { toMe, type Accounts } from '../domain/accounts.js';
import type { Privacy } from '../domain/privacy.js';
import type { LimitName, RateLimits } from '../domain/rateLimits.js';
import { hashSecret } from '../domain/secrets.js';
import { notFound, unauthorized } from '../errors.js';
import { auth, signedIn } from './authentication.js';
import { proofField, requireProof } from './challengeRoutes.js';
import type { ClientIpResolver } from './clientIp.js';
import { limitPerIp } from './perIpLimit.js';
import type { Doorkeeper } from '../domain/doorkeeper.js';
import { parseBody } from './validation.js';

const SignUp = z.strictObject({
  nickname: z.string(),
  interests: z.array(z.string()).optional().default([]),
  adult: z.unknown().optional(),
  proof: proofField,
});
const SignIn = z.strictObject({ recoveryCode: z.string().max(512), proof: proofField });
const Patch = z.strictObject({ nickname: z.string().optional(), interests: z.array(z.string()).optional() });
const Rotate = z.strictObject({ unlinkGoogle: z.boolean().optional() });
const SessionId = z.string().min(1).max(64);

type Deps = { accounts: Accounts; privacy: Privacy; limits: RateLimits; clientIp: ClientIpResolver; doorkeeper: Doorkeeper };

export function registerAccountRoutes(app: FastifyInstance, { accounts, privacy, limits, clientIp, doorkeeper }: Deps): void {
  // A suspended account may only export, delete everything, list its devices and sign out: those are auth('any').
  const perIp = (name: LimitName, request: FastifyRequest) => limitPerIp(limits, clientIp, name, request);

  app.post('/api/accounts', async (request, reply) => {
    const body = parseBody(SignUp, request.body);
    await perIp('signup', request);
    await requireProof(doorkeeper, clientIp, request, body.proof);
    const { account, recoveryCode, token } = await accounts.signUp({
      nickname: body.nickname,
      interests: body.interests,
      adult: body.adult === true,
    });
    return reply.code(201).send({ account: toMe(account), recoveryCode, token });
  });

  app.post('/api/sessions', async (request) => {
    const body = parseBody(SignIn, request.body);
    await perIp('signin', request);
    await requireProof(doorkeeper, clientIp, request, body.proof);
    const { account, token } = await accounts.signIn(body.recoveryCode);
    return { account: toMe(account), token };
  });

  app.delete('/api/sessions/current', auth('any'), async (request, reply) => {
    const { account, token } = signedIn(request);
    await accounts.signOut(account.id, token);
    return reply.code(204).send();
  });

  // Signed-in devices: each session by its public id (never the token or its hash).
  app.get('/api/sessions', auth('any'), async (request) => {
    const { account, session: current } = signedIn(request);
    const sessions = await accounts.sessionsOf(account.id);
    return {
      sessions: sessions.map((s) => ({ id: s.id, createdAt: s.createdAt, lastUsedAt: s.lastUsedAt, current: s.id === current.id })),
    };
  });

  app.delete<{ Params: { id: string } }>('/api/sessions/:id', auth('active'), async (request, reply) => {
    const { account } = signedIn(request);
    const id = SessionId.safeParse(request.params.id);
    if (!id.success || !(await accounts.signOutSession(account.id, id.data))) {
      throw notFound('There is no such sign-in on this account.');
    }
    return reply.code(204).send();
  });

  app.get('/api/me', auth('active'), async (request) => toMe(signedIn(request).account));

  app.patch('/api/me', auth('active'), async (request) => {
    const { account } = signedIn(request);
    const body = parseBody(Patch, request.body);
    return toMe(await accounts.update(account.id, body));
  });

  app.post('/api/me/recovery-code', auth('active'), async (request) => {
    const { account } = signedIn(request);
    // The body is optional: none, or {"unlinkGoogle": true} to drop a linked Google account with the old code.
    const body = request.body === undefined ? {} : parseBody(Rotate, request.body);
    return accounts.rotateRecoveryCode(account.id, { unlinkGoogle: body.unlinkGoogle === true });
  });

  app.get('/api/me/export', auth('any'), async (request, reply) => {
    const { account, token } = signedIn(request);
    const data = await privacy.export(account.id, hashSecret(token));
    if (!data) throw unauthorized();
    const day = data.exportedAt.slice(0, 10);
    return reply
      .header('content-disposition', `attachment; filename="metsony-export-${day}.json"`)
      .header('cache-control', 'no-store')
      .send(data);
  });

  app.delete('/api/me', auth('any'), async (request, reply) => {
    const { account } = signedIn(request);
    await privacy.deleteEverything(account.id);
    return reply.code(204).send();
  });
}

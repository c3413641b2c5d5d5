/** The moderator API, behind ADMIN_TOKEN; not registered at all when it is unset. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Moderation } from '../domain/moderation.js';
import { sameSecret } from '../domain/secrets.js';
import { AppError, notFound } from '../errors.js';
import { bearerToken } from './authentication.js';
import { parseBody } from './validation.js';

const CloseBody = z.strictObject({ unfounded: z.boolean().optional() });
const SuspendBody = z.strictObject({
  until: z.iso.datetime().optional(),
  hours: z.number().positive().max(24 * 365 * 10).optional(),
});

export function registerAdminRoutes(app: FastifyInstance, moderation: Moderation, adminToken: string | undefined): void {
  if (!adminToken) return;
  const requireAdmin = async (request: FastifyRequest) => {
    const given = bearerToken(request);
    if (!given || !sameSecret(given, adminToken)) throw new AppError('unauthorized', 'A moderator token is required.', 401);
  };

  app.get('/api/admin/reports', { onRequest: requireAdmin }, async () => ({ reports: await moderation.openReports() }));

  app.post<{ Params: { id: string } }>('/api/admin/reports/:id/close', { onRequest: requireAdmin }, async (request, reply) => {
    const { unfounded } = parseBody(CloseBody, request.body ?? {});
    if (!(await moderation.closeReport(request.params.id, unfounded))) throw notFound('No such report.');
    return reply.code(204).send();
  });

  app.post<{ Params: { id: string } }>('/api/admin/accounts/:id/suspend', { onRequest: requireAdmin }, async (request) => {
    const body = parseBody(SuspendBody, request.body ?? {});
    const until = body.until ?? new Date(Date.now() + (body.hours ?? 24) * 3600_000).toISOString();
    if (Date.parse(until) <= Date.now()) throw new AppError('bad_request', '`until` must be in the future.', 400);
    if (!(await moderation.suspend(request.params.id, until))) throw notFound('No such account.');
    return { accountId: request.params.id, until };
  });

  app.post<{ Params: { id: string } }>('/api/admin/accounts/:id/unsuspend', { onRequest: requireAdmin }, async (request, reply) => {
    if (!(await moderation.unsuspend(request.params.id))) throw notFound('No such account.');
    return reply.code(204).send();
  });
}

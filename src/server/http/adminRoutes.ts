/** The moderator API, behind ADMIN_TOKEN; not registered at all when it is unset. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Moderation } from '../domain/moderation.js';
import { sameSecret } from '../domain/secrets.js';
import { AppError, notFound } from '../errors.js';
import { bearerToken } from './authentication.js';
import { nextCursor, PageParams, pageQuery, parseQuery } from './pageCursor.js';
import { parseBody } from './validation.js';

const CloseBody = z.strictObject({ unfounded: z.boolean().optional() });
const SuspendBody = z.strictObject({
  until: z.iso.datetime().optional(),
  hours: z.number().positive().max(24 * 365 * 10).optional(),
});
const AuditParams = PageParams.extend({ accountId: z.string().min(1).max(128).optional() });

type WithId = { Params: { id: string } };

export function registerAdminRoutes(app: FastifyInstance, moderation: Moderation, adminToken: string | undefined): void {
  if (!adminToken) return;
  const requireAdmin = async (request: FastifyRequest) => {
    const given = bearerToken(request);
    if (!given || !sameSecret(given, adminToken)) throw new AppError('unauthorized', 'A moderator token is required.', 401);
  };
  const admin = { onRequest: requireAdmin };

  app.get('/api/admin/reports', admin, async () => ({ reports: await moderation.openReports() }));

  app.get('/api/admin/open-reports', admin, async (request) => {
    const page = pageQuery(parseQuery(PageParams, request.query));
    const reports = await moderation.openReportsNewest(page);
    return { reports, next: nextCursor(reports, page.limit, (r) => ({ at: r.createdAt, id: r.id })) };
  });

  app.post<WithId>('/api/admin/reports/:id/close', admin, async (request, reply) => {
    const { unfounded } = parseBody(CloseBody, request.body ?? {});
    if (!(await moderation.closeReport(request.params.id, unfounded ? 'unfounded' : 'closed'))) throw notFound('No such report.');
    return reply.code(204).send();
  });

  app.post<WithId>('/api/admin/reports/:id/dismiss', admin, async (request, reply) => {
    const { unfounded } = parseBody(CloseBody, request.body ?? {});
    if (!(await moderation.closeReport(request.params.id, unfounded ? 'unfounded' : 'dismissed'))) throw notFound('No such report.');
    return reply.code(204).send();
  });

  app.get<WithId>('/api/admin/accounts/:id/reports', admin, async (request) => {
    const history = await moderation.history(request.params.id);
    if (!history) throw notFound('No such account, and no reports about it.');
    return history;
  });

  app.post<WithId>('/api/admin/accounts/:id/suspend', admin, async (request) => {
    const body = parseBody(SuspendBody, request.body ?? {});
    const until = body.until ?? new Date(Date.now() + (body.hours ?? 24) * 3600_000).toISOString();
    if (Date.parse(until) <= Date.now()) throw new AppError('bad_request', '`until` must be in the future.', 400);
    if (!(await moderation.suspend(request.params.id, until))) throw notFound('No such account.');
    return { accountId: request.params.id, until };
  });

  app.post<WithId>('/api/admin/accounts/:id/unsuspend', admin, async (request, reply) => {
    if (!(await moderation.unsuspend(request.params.id))) throw notFound('No such account.');
    return reply.code(204).send();
  });

  app.get('/api/admin/audit', admin, async (request) => {
    const params = parseQuery(AuditParams, request.query);
    const page = { ...pageQuery(params), ...(params.accountId ? { accountId: params.accountId } : {}) };
    const entries = await moderation.auditLog(page);
    return { entries, next: nextCursor(entries, page.limit, (e) => ({ at: e.at, id: e.id })) };
  });
}

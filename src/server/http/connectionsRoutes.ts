/** PROTOCOL §2 "Connections and offline messages". */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Connections } from '../domain/connections.js';
import { notFound } from '../errors.js';
import { auth, signedIn } from './authentication.js';
import { parseBody } from './validation.js';

const ReadBody = z.strictObject({ ids: z.array(z.string().min(1).max(64)).max(1000) });

export function registerConnectionRoutes(app: FastifyInstance, connections: Connections): void {
  app.get('/api/connections', auth('active'), async (request) => {
    const { account } = signedIn(request);
    return { connections: await connections.list(account.id) };
  });

  app.delete<{ Params: { id: string } }>('/api/connections/:id', auth('active'), async (request, reply) => {
    const { account } = signedIn(request);
    if (!(await connections.remove(account.id, request.params.id))) throw notFound('No such connection.');
    return reply.code(204).send();
  });

  app.get('/api/inbox', auth('active'), async (request) => {
    const { account } = signedIn(request);
    return { messages: await connections.inbox(account.id) };
  });

  app.post('/api/inbox/read', auth('active'), async (request, reply) => {
    const { account } = signedIn(request);
    const { ids } = parseBody(ReadBody, request.body);
    await connections.read(account.id, ids);
    return reply.code(204).send();
  });
}

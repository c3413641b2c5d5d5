/** PROTOCOL §2 "Connections and offline messages". */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Accounts } from '../domain/accounts.js';
import type { Connections } from '../domain/connections.js';
import { notFound } from '../errors.js';
import { bearerToken } from './accountsRoutes.js';
import { parseBody } from './validation.js';

const ReadBody = z.strictObject({ ids: z.array(z.string().min(1).max(64)).max(1000) });

export function registerConnectionRoutes(app: FastifyInstance, accounts: Accounts, connections: Connections): void {
  app.get('/api/connections', async (request) => {
    const account = await accounts.authenticateActive(bearerToken(request));
    return { connections: await connections.list(account.id) };
  });

  app.delete<{ Params: { id: string } }>('/api/connections/:id', async (request, reply) => {
    const account = await accounts.authenticateActive(bearerToken(request));
    if (!(await connections.remove(account.id, request.params.id))) throw notFound('No such connection.');
    return reply.code(204).send();
  });

  app.get('/api/inbox', async (request) => {
    const account = await accounts.authenticateActive(bearerToken(request));
    return { messages: await connections.inbox(account.id) };
  });

  app.post('/api/inbox/read', async (request, reply) => {
    const account = await accounts.authenticateActive(bearerToken(request));
    const { ids } = parseBody(ReadBody, request.body);
    await connections.read(account.id, ids);
    return reply.code(204).send();
  });
}

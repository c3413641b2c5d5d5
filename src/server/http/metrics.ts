/**
 * Prometheus metrics at GET /metrics, for operators, behind METRICS_TOKEN
 * (the route does not exist without it). Live figures are read when scraped,
 * so the relay's hot path only bumps plain numbers.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Lobby } from '../domain/lobby.js';
import { sameSecret } from '../domain/secrets.js';
import { AppError } from '../errors.js';
import type { Gateway } from '../realtime/gateway.js';
import { bearerToken } from './authentication.js';

export function registerMetrics(app: FastifyInstance, deps: { token: string | undefined; lobby: Lobby; gateway: Gateway }): void {
  const { token, lobby, gateway } = deps;
  if (!token) {
    // Off: say so plainly rather than serving the web app's page to a scraper.
    app.get('/metrics', async () => {
      throw new AppError('not_found', 'Metrics are off on this server (METRICS_TOKEN is not set).', 404);
    });
    return;
  }
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'metsony_process_' });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({ name, help, registers: [registry], collect() { this.set(read()); } });
  gauge('metsony_sockets_open', 'Open WebSocket connections', () => gateway.size);
  gauge('metsony_chats_live', 'Stranger chats going on', () => lobby.chatCount);
  gauge('metsony_searching', 'Sockets waiting for a partner', () => lobby.searchingCount);
  gauge('metsony_chats_waiting', 'Sides of chats waiting for a person whose connection dropped (CHAT_GRACE_MS)', () => lobby.awayCount);
  const total = (name: string, help: string, read: () => number) => {
    let reported = 0;
    return new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const now = read();
        this.inc(now - reported);
        reported = now;
      },
    });
  };
  total('metsony_messages_relayed_total', 'Chat messages relayed since start', () => lobby.relayed);
  total('metsony_frames_rejected_total', 'Frames answered with bad_request since start', () => gateway.rejected);
  total('metsony_frames_throttled_total', 'Frames refused or dropped over a socket frame budget or queue bound since start', () => gateway.throttled);
  const responses = new Counter({ name: 'metsony_http_responses_total', help: 'HTTP responses by status class', labelNames: ['status'], registers: [registry] });
  app.addHook('onResponse', async (_request, reply) => {
    responses.inc({ status: `${Math.floor(reply.statusCode / 100)}xx` });
  });

  app.get('/metrics', async (request, reply) => {
    if (!sameSecret(bearerToken(request) ?? '', token)) throw new AppError('unauthorized', 'A metrics token is required.', 401);
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}

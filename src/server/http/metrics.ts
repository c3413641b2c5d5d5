/**
 * Prometheus metrics at GET /metrics, for operators, behind METRICS_TOKEN
 * (the route does not exist without it). Live figures are read when scraped,
 * so the relay's hot path only bumps plain numbers. Every metric is listed,
 * with its meaning, in docs/operations.md ("What to watch").
 */
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Lobby } from '../domain/lobby.js';
import type { RateLimits } from '../domain/rateLimits.js';
import { sameSecret } from '../domain/secrets.js';
import { WAIT_BOUNDS_SECONDS, type WaitTimes } from '../domain/waitTimes.js';
import { AppError } from '../errors.js';
import type { Gateway } from '../realtime/gateway.js';
import type { Tally } from '../tally.js';
import { bearerToken } from './authentication.js';
import { readinessFailures, type ReadinessDeps } from './readiness.js';

export type MetricsDeps = {
  token: string | undefined;
  lobby: Lobby;
  gateway: Gateway;
  limits: RateLimits;
  /** HTTP error responses by code (http/server.ts). */
  httpErrors: Tally;
  readiness: ReadinessDeps;
};

type NodeMetrics = { contentType: string; responses: Counter; text(): Promise<string> };

/** Every metric this node serves. */
function nodeMetrics(deps: Omit<MetricsDeps, 'token'>): NodeMetrics {
  const { lobby, gateway, limits, httpErrors, readiness } = deps;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'metsony_process_' });
  const gauge = (name: string, help: string, read: () => number | Promise<number>) =>
    new Gauge({ name, help, registers: [registry], async collect() { this.set(await read()); } });
  gauge('metsony_sockets_open', 'Open WebSocket connections', () => gateway.size);
  gauge('metsony_chats_live', 'Stranger chats going on', () => lobby.chatCount);
  gauge('metsony_searching', 'Sockets waiting for a partner', () => lobby.searchingCount);
  gauge('metsony_chats_waiting', 'Sides of chats waiting for a person whose connection dropped (CHAT_GRACE_MS)', () => lobby.awayCount);
  gauge('metsony_ready', '1 while /readyz would answer 200, else 0', async () => ((await readinessFailures(readiness)).length === 0 ? 1 : 0));
  new Gauge({
    name: 'metsony_dependency_up',
    help: 'Whether the node reaches its database (a trivial query within 1 s) and, with REDIS_URL, Redis: 1 up, 0 down',
    labelNames: ['dependency'],
    registers: [registry],
    async collect() {
      const failing = await readinessFailures(readiness);
      this.set({ dependency: 'database' }, failing.includes('database') ? 0 : 1);
      if (readiness.redisReady) this.set({ dependency: 'redis' }, failing.includes('redis') ? 0 : 1);
    },
  });
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
  /** A counter with one label, read from a Tally when scraped. */
  const tallied = (name: string, help: string, label: string, tally: Tally) => {
    const reported = new Map<string, number>();
    return new Counter({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      collect() {
        for (const [value, now] of tally.entries()) {
          this.inc({ [label]: value }, now - (reported.get(value) ?? 0));
          reported.set(value, now);
        }
      },
    });
  };
  tallied('metsony_http_errors_total', 'HTTP error responses by error code (docs/protocol.md catalogue)', 'code', httpErrors);
  tallied('metsony_socket_errors_total', 'Socket error frames sent, by error code', 'code', gateway.errors);
  tallied('metsony_rate_limited_total', 'Requests and frames refused by a rate limit, by limit (RATE_* names; message: the chat message bucket)', 'limit', limits.hits);
  const responses = new Counter({ name: 'metsony_http_responses_total', help: 'HTTP responses by status class', labelNames: ['status'], registers: [registry] });
  return {
    contentType: registry.contentType,
    responses,
    text: async () => (await registry.metrics()) + histogramText(MATCH_WAIT, lobby.matchWaits),
  };
}

const MATCH_WAIT = {
  name: 'metsony_match_wait_seconds',
  help: 'How long people on this node searched before a person (not an AI) was found for them',
};

/**
 * A histogram kept as plain numbers (WaitTimes) in Prometheus's text format;
 * prom-client's Histogram can only be fed one observation at a time.
 */
function histogramText(metric: { name: string; help: string }, waits: WaitTimes): string {
  const lines = [`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} histogram`];
  WAIT_BOUNDS_SECONDS.forEach((bound, i) => lines.push(`${metric.name}_bucket{le="${bound}"} ${waits.atMost[i]}`));
  lines.push(`${metric.name}_bucket{le="+Inf"} ${waits.count}`, `${metric.name}_sum ${waits.sumSeconds}`, `${metric.name}_count ${waits.count}`);
  return `${lines.join('\n')}\n`;
}

export function registerMetrics(app: FastifyInstance, deps: MetricsDeps): void {
  const { token, ...sources } = deps;
  if (!token) {
    // Off: say so plainly rather than serving the web app's page to a scraper.
    app.get('/metrics', async () => {
      throw new AppError('not_found', 'Metrics are off on this server (METRICS_TOKEN is not set).', 404);
    });
    return;
  }
  const metrics = nodeMetrics(sources);
  app.addHook('onResponse', async (_request, reply) => {
    metrics.responses.inc({ status: `${Math.floor(reply.statusCode / 100)}xx` });
  });

  app.get('/metrics', async (request, reply) => {
    if (!sameSecret(bearerToken(request) ?? '', token)) throw new AppError('unauthorized', 'A metrics token is required.', 401);
    return reply.type(metrics.contentType).send(await metrics.text());
  });
}

/**
 * The composition root: reads nothing from the environment itself. The
 * services come from a typed Config (context.ts), the Fastify set-up from
 * http/server.ts; this puts the routes and the socket gateway on top and
 * wires revocations between them. Tests build the same app with overrides.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Broker } from './broker/broker.js';
import { buildContext, type GoogleOverrides, type Overrides } from './context.js';
import type { Lobby } from './domain/lobby.js';
import { registerAccountRoutes } from './http/accountsRoutes.js';
import { registerAdminRoutes } from './http/adminRoutes.js';
import { registerChallengeRoutes } from './http/challengeRoutes.js';
import { registerAuthentication } from './http/authentication.js';
import { registerConnectionRoutes } from './http/connectionsRoutes.js';
import { registerKeysRoutes } from './http/keysRoutes.js';
import { registerGoogleRoutes } from './http/googleRoutes.js';
import { registerMetrics } from './http/metrics.js';
import { registerReadiness } from './http/readiness.js';
import { createHttpServer } from './http/server.js';
import { registerTranslateRoutes } from './http/translateRoutes.js';
import { Gateway } from './realtime/gateway.js';
import { Tally } from './tally.js';
import type { Store } from './store/store.js';

export type { GoogleOverrides, Overrides } from './context.js';

export const WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/web');

export type Service = {
  app: FastifyInstance;
  log: Logger;
  store: Store;
  broker: Broker;
  lobby: Lobby;
  gateway: Gateway;
  /** Graceful stop: say goodbye to clients, close sockets, the server and the store. */
  close(): Promise<void>;
};

export async function buildService(config: Config, overrides: Overrides & GoogleOverrides = {}): Promise<Service> {
  const context = await buildContext(config, overrides);
  const { log, store, broker, accounts, lobby, connections, privacy, moderation, limits, clientIp, translator, google, doorkeeper } = context;
  const httpErrors = new Tally();
  const app = await createHttpServer(config, log, overrides.webRoot ?? WEB_ROOT, httpErrors);
  const gateway = new Gateway({ config, accounts, lobby, connections, moderation, limits, doorkeeper, broker, geo: context.geo, clientIp, log, handOver: context.severalNodes });

  registerAuthentication(app, accounts);
  app.get('/healthz', async () => ({ status: 'ok' }));
  let draining = false;
  const readiness = { store, redisReady: context.redisReady, draining: () => draining };
  registerReadiness(app, readiness);
  const turnstileSiteKey = config.challenge.mode === 'turnstile' ? config.challenge.turnstile?.siteKey : undefined;
  app.get('/api/config', async () => ({
    ai: context.aiPartners,
    translation: translator !== undefined,
    google: google !== undefined,
    challenge: config.challenge.mode,
    ...(turnstileSiteKey ? { turnstileSiteKey } : {}),
  }));
  registerChallengeRoutes(app, { doorkeeper, accounts, clientIp });
  registerAccountRoutes(app, { accounts, privacy, limits, clientIp, doorkeeper });
  registerAdminRoutes(app, moderation, config.safety.adminToken);
  registerConnectionRoutes(app, connections);
  registerKeysRoutes(app, store);
  registerTranslateRoutes(app, limits, translator, clientIp);
  registerGoogleRoutes(app, { google, accounts, redirectUri: config.google.enabled ? config.google.redirectUri : undefined, limits, clientIp, doorkeeper });
  gateway.register(app);
  registerMetrics(app, { token: config.safety.metricsToken, lobby, gateway, limits, httpErrors, readiness });
  context.revocations.on((revocation) => {
    gateway.revoke(revocation);
    context.broadcastRevocation?.(revocation);
  });
  context.revokedElsewhere?.on((revocation) => gateway.revoke(revocation));

  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      draining = true;
      await gateway.shutdown();
      await context.stop();
      await app.close();
      await context.close();
    })());

  return { app, log, store, broker, lobby, gateway, close };
}

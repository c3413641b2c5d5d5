/**
 * The composition root: reads nothing from the environment itself, builds
 * every part from a typed Config, and wires them. Tests build the same app
 * with overrides.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { withAiBudget } from './ai/aiBudget.js';
import { aiPartnerFactory } from './ai/aiPartner.js';
import { type LanguageModel, openLanguageModel } from './ai/languageModel.js';
import { createTranslator } from './ai/translator.js';
import { GoogleSignIn } from './auth/google.js';
import type { Broker } from './broker/broker.js';
import { SharedMatching } from './cluster/sharedMatching.js';
import { MemoryBroker } from './broker/memory.js';
import { RedisBroker } from './broker/redis.js';
import { Accounts, SESSION_TOUCH_INTERVAL_MS } from './domain/accounts.js';
import { Connections } from './domain/connections.js';
import { MemoryHandshakes, RedisHandshakes } from './domain/handshakes.js';
import { IpKeys, memorySecrets, redisSecrets } from './domain/ipKeys.js';
import { Moderation } from './domain/moderation.js';
import { preparePepper } from './domain/pepper.js';
import { Privacy } from './domain/privacy.js';
import { RateLimits, redisLimiter } from './domain/rateLimits.js';
import { Revocations } from './domain/revocations.js';
import { type Geo, openOfflineGeo } from './domain/geo.js';
import { Lobby } from './domain/lobby.js';
import { AppError } from './errors.js';
import { registerAccountRoutes } from './http/accountsRoutes.js';
import { registerAdminRoutes } from './http/adminRoutes.js';
import { registerConnectionRoutes } from './http/connectionsRoutes.js';
import { registerGoogleRoutes } from './http/googleRoutes.js';
import { registerMetrics } from './http/metrics.js';
import { registerTranslateRoutes } from './http/translateRoutes.js';
import { clientErrorHandler } from './http/clientErrors.js';
import { clientIpResolver } from './http/clientIp.js';
import { httpTimeouts } from './http/httpTimeouts.js';
import { HSTS, SECURITY_HEADERS } from './http/securityHeaders.js';
import { createLogger } from './logger.js';
import { Gateway } from './realtime/gateway.js';
import { openPostgresStore } from './store/postgres.js';
import { openSqliteStore } from './store/sqlite.js';
import type { Store } from './store/store.js';

export const WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/web');
const API_BODY_LIMIT = 64 * 1024;

export type Overrides = { log?: Logger; store?: Store; broker?: Broker; geo?: Geo; webRoot?: string; model?: LanguageModel; now?: () => number };
/** Tests: a small bound on Google flows in progress. */
export type GoogleOverrides = { googleMaxPending?: number };

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

/** Start-up failures name the setting behind them, in one line. */
async function naming<T>(variable: string, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (err) {
    const reason = err instanceof Error ? ((err as { code?: string }).code ?? err.message) : String(err);
    throw new Error(`${variable}: cannot be used (${reason})`);
  }
}

async function openStore(config: Config, log: Logger): Promise<Store> {
  const { databaseUrl } = config;
  const vacuumFailed = (err: unknown) => log.warn({ err }, 'VACUUM after an erasure failed; autovacuum will get to it');
  return databaseUrl
    ? naming('DATABASE_URL', () => openPostgresStore(databaseUrl, vacuumFailed))
    : naming('DATA_DIR', () => openSqliteStore(config.dataDir));
}

export async function buildService(config: Config, overrides: Overrides & GoogleOverrides = {}): Promise<Service> {
  const log = overrides.log ?? createLogger(config.logLevel);
  const store = overrides.store ?? (await openStore(config, log));
  const geo = overrides.geo ?? (await openOfflineGeo());
  const revocations = new Revocations();
  const { hasher: codes, rehashed } = await preparePepper(store, config.recoveryPepper);
  if (rehashed > 0) log.info({ rehashed }, 'recovery-code hashes keyed with the pepper');
  const accounts = new Accounts(store, revocations, { codes, sessionIdleMs: config.sessionIdleMs, now: overrides.now });
  const idleSweep = setInterval(() => {
    accounts.deleteIdleSessions().catch((err: unknown) => log.error({ err }, 'idle session sweep failed'));
  }, SESSION_TOUCH_INTERVAL_MS);
  idleSweep.unref();
  const redisUrl = config.redisUrl;
  const broker = overrides.broker ?? (redisUrl ? await naming('REDIS_URL', () => RedisBroker.connect(redisUrl)) : new MemoryBroker());
  // Several nodes share Redis: rate limits, the search queue (a chat may span two nodes), Connect handshakes.
  const redis = broker instanceof RedisBroker ? broker.client : undefined;
  const limiterFactory = redis && redisLimiter(redis);
  const shared = redis && (await SharedMatching.start(redis, { widenAfterMs: config.matching.widenAfterMs, nodeTtlMs: config.nodeTtlMs }));
  const handshakes = redis ? new RedisHandshakes(redis) : new MemoryHandshakes();
  const unbudgeted = overrides.model ?? (await openLanguageModel(config.ai));
  const model = unbudgeted && withAiBudget(unbudgeted, config.ai.budgetPerHour);
  const translator = model && (await createTranslator(model));
  const aiPartners = model !== undefined && config.ai.partnerAfterMs > 0;
  const lobby = new Lobby({
    ...config.matching,
    aiPartner: aiPartners ? { afterMs: config.ai.partnerAfterMs, create: aiPartnerFactory(model) } : undefined,
    cluster: shared,
  });
  const connections = new Connections(store, broker, lobby, config.inbox, handshakes);
  const privacy = new Privacy(store, broker, revocations);
  // Per-address keys: HMAC with a rotating secret, shared through Redis so nodes agree.
  const ipKeys = new IpKeys(redis ? redisSecrets(redis) : memorySecrets());
  const moderation = new Moderation(store, lobby, connections, revocations, config.safety, ipKeys);
  await moderation.startRetentionSweep((err) => log.error({ err }, 'report retention sweep failed'));
  const limits = new RateLimits(config.safety, limiterFactory, ipKeys);
  const clientIp = clientIpResolver(config.trustProxy);

  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // Fastify's own request lines carry the remote address: off (see onResponse below).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: API_BODY_LIMIT,
    return503OnClosing: true,
    forceCloseConnections: true,
    ...httpTimeouts(config.http),
    clientErrorHandler,
  });

  // JSON only. Empty bodies are allowed (e.g. DELETE with a Content-Type); zod checks the rest.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new AppError('bad_request', 'The body is not valid JSON.', 400));
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.headers(SECURITY_HEADERS);
    // API answers carry codes, tokens and inboxes: no cache, shared or private, may keep one.
    if (/^\/api(?:[/?]|$)/.test(request.url)) reply.header('cache-control', 'no-store');
    const forwardedHttps = config.trustProxy.kind !== 'none' && request.headers['x-forwarded-proto'] === 'https';
    if (request.protocol === 'https' || forwardedHttps) reply.header('strict-transport-security', HSTS);
  });
  // Method, route pattern, status and time only: never the address, headers or body.
  app.addHook('onResponse', async (request, reply) => {
    log.debug(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });

  app.setErrorHandler((error: FastifyError | AppError, _request, reply) => {
    if (error instanceof AppError) {
      if (error.status === 429 && typeof error.extra.retryAfterMs === 'number') {
        reply.header('retry-after', String(Math.ceil(error.extra.retryAfterMs / 1000)));
      }
      return reply.code(error.status).send(error.toBody());
    }
    const known = fastifyErrorToApp(error);
    if (known) return reply.code(known.status).send(known.toBody());
    log.error({ err: error }, 'unhandled error');
    return reply.code(500).send(new AppError('internal', 'Something went wrong on our side.', 500).toBody());
  });

  app.setNotFoundHandler((request, reply) => {
    const wantsPage = request.method === 'GET' && !request.url.startsWith('/api/') && webRoot !== undefined;
    if (wantsPage) return reply.type('text/html; charset=utf-8').sendFile('index.html');
    return reply.code(404).send(new AppError('not_found', 'There is nothing here.', 404).toBody());
  });

  const gateway = new Gateway({ config, accounts, lobby, connections, moderation, limits, broker, geo, clientIp, log });

  app.get('/healthz', async () => ({ status: 'ok' }));
  const google = config.google.enabled ? new GoogleSignIn(config.google, store, accounts, { maxPending: overrides.googleMaxPending }) : undefined;
  app.get('/api/config', async () => ({ ai: aiPartners, translation: translator !== undefined, google: google !== undefined }));
  registerAccountRoutes(app, { accounts, privacy, lobby, limits, clientIp });
  registerAdminRoutes(app, moderation, config.safety.adminToken);
  registerConnectionRoutes(app, accounts, connections);
  registerTranslateRoutes(app, accounts, limits, translator, clientIp);
  registerGoogleRoutes(app, { google, accounts, store, redirectUri: config.google.enabled ? config.google.redirectUri : undefined, limits, clientIp });
  gateway.register(app);
  registerMetrics(app, { token: config.safety.metricsToken, lobby, gateway });
  revocations.on((revocation) => {
    gateway.revoke(revocation);
    shared?.broadcastRevocation(revocation);
  });
  shared?.attach(lobby, (revocation) => gateway.revoke(revocation));

  const candidateRoot = overrides.webRoot ?? WEB_ROOT;
  const webRoot = fs.existsSync(path.join(candidateRoot, 'index.html')) ? candidateRoot : undefined;
  if (webRoot) {
    await app.register(fastifyStatic, {
      root: webRoot,
      wildcard: false,
      cacheControl: false, // set below: assets are immutable, HTML is revalidated
      index: ['index.html'],
      setHeaders: (reply, filePath) => {
        if (filePath.endsWith('.html')) reply.header('content-type', 'text/html; charset=utf-8');
        if (filePath.includes(`${path.sep}assets${path.sep}`)) reply.header('cache-control', 'public, max-age=31536000, immutable');
        else reply.header('cache-control', 'no-cache');
      },
    });
  } else {
    log.warn('web app not built (npm run build:web); serving the API only');
  }

  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      clearInterval(idleSweep);
      await gateway.shutdown();
      await shared?.close();
      limits.close();
      moderation.stop();
      await app.close();
      await broker.close();
      await store.close();
    })());

  return { app, log, store, broker, lobby, gateway, close };
}

function fastifyErrorToApp(error: FastifyError): AppError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', 'Send JSON with Content-Type: application/json.', 415);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 'The body is too large.', 413);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('bad_request', 'The body is missing or malformed.', 400);
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError('bad_request', 'The request is malformed.', error.statusCode);
  }
  return undefined;
}

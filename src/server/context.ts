/**
 * Every service of one node, built from a typed Config (and test overrides)
 * only: the store, the broker, the domain services and the background sweeps.
 * Knows nothing of HTTP or sockets; app.ts puts the edges on top.
 */
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { withAiBudget } from './ai/aiBudget.js';
import { aiPartnerFactory } from './ai/aiPartner.js';
import { type LanguageModel, openLanguageModel } from './ai/languageModel.js';
import { createTranslator, type Translator } from './ai/translator.js';
import { GoogleSignIn } from './auth/google.js';
import type { Broker } from './broker/broker.js';
import { MemoryBroker } from './broker/memory.js';
import { openCluster } from './cluster/cluster.js';
import { Accounts, SESSION_TOUCH_INTERVAL_MS } from './domain/accounts.js';
import { Connections } from './domain/connections.js';
import { type Geo, openOfflineGeo } from './domain/geo.js';
import { MemoryHandshakes } from './domain/handshakes.js';
import { IpKeys, memorySecrets } from './domain/ipKeys.js';
import { BotSignals } from './domain/botSignals.js';
import { Challenges, memorySpent } from './domain/challenges.js';
import { Difficulty } from './domain/difficulty.js';
import { Doorkeeper } from './domain/doorkeeper.js';
import { Turnstile } from './domain/turnstile.js';
import { Lobby } from './domain/lobby.js';
import { Moderation } from './domain/moderation.js';
import { preparePepper } from './domain/pepper.js';
import { Privacy } from './domain/privacy.js';
import { RateLimits } from './domain/rateLimits.js';
import { type Revocation, Revocations } from './domain/revocations.js';
import { type ClientIpResolver, clientIpResolver } from './http/clientIp.js';
import { createLogger } from './logger.js';
import { openPostgresStore } from './store/postgres.js';
import { openSqliteStore } from './store/sqlite.js';
import type { Store } from './store/store.js';

/** `broker`: a single node's broker (tests); with REDIS_URL the cluster's own is used. */
export type Overrides = { log?: Logger; store?: Store; broker?: Broker; geo?: Geo; webRoot?: string; model?: LanguageModel; now?: () => number };
/** Tests: a small bound on Google flows in progress. */
export type GoogleOverrides = { googleMaxPending?: number };

export type Context = {
  config: Config;
  log: Logger;
  store: Store;
  broker: Broker;
  geo: Geo;
  revocations: Revocations;
  accounts: Accounts;
  lobby: Lobby;
  connections: Connections;
  privacy: Privacy;
  moderation: Moderation;
  limits: RateLimits;
  ipKeys: IpKeys;
  doorkeeper: Doorkeeper;
  signals: BotSignals;
  clientIp: ClientIpResolver;
  /** Whether every Redis connection is up; undefined without Redis. */
  redisReady: (() => boolean) | undefined;
  /** Several nodes (REDIS_URL): chats are handed over at shutdown, and clients told to reconnect at once. */
  severalNodes: boolean;
  /** Sign-ins ended on another node (their sockets here close too); only with Redis. */
  revokedElsewhere: Revocations | undefined;
  /** Tells the other nodes that a sign-in ended here; only with Redis. */
  broadcastRevocation: ((revocation: Revocation) => void) | undefined;
  translator: Translator | undefined;
  /** Whether a lone searcher may be offered an AI partner. */
  aiPartners: boolean;
  google: GoogleSignIn | undefined;
  /** Stops the background work (sweeps, shared matching, limiters); the broker and the store stay open. */
  stop(): Promise<void>;
  /** Closes the broker and the store: last, once nothing uses them. */
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
  const migrated = (names: string[]) => {
    if (names.length > 0) log.info({ migrations: names }, 'database migrated');
  };
  return databaseUrl
    ? naming('DATABASE_URL', () => openPostgresStore(databaseUrl, vacuumFailed, migrated))
    : naming('DATA_DIR', () => openSqliteStore(config.dataDir, { onMigrated: migrated }));
}

export async function buildContext(config: Config, overrides: Overrides & GoogleOverrides = {}): Promise<Context> {
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
  // Cluster mode comes from the config: with REDIS_URL, nodes share presence, the search queue (a chat may
  // span two nodes), rate limits, Connect handshakes and the per-address key secret through Redis.
  const redisUrl = config.redisUrl;
  const cluster = redisUrl
    ? await naming('REDIS_URL', () => openCluster(redisUrl, { widenAfterMs: config.matching.widenAfterMs, nodeTtlMs: config.nodeTtlMs }, log))
    : undefined;
  const broker = cluster?.broker ?? overrides.broker ?? new MemoryBroker();
  const outages = cluster?.outages;
  const limiterFactory = cluster?.limiterFactory;
  const handshakes = cluster?.handshakes ?? new MemoryHandshakes();
  const unbudgeted = overrides.model ?? (await openLanguageModel(config.ai));
  const model = unbudgeted && withAiBudget(unbudgeted, config.ai.budgetPerHour);
  const translation = model && createTranslator(model);
  const translator = translation?.translator;
  const aiPartners = model !== undefined && config.ai.partnerAfterMs > 0;
  const now = overrides.now ?? Date.now;
  const signals = new BotSignals(config.bots, now);
  const lobby = new Lobby({
    observer: signals,
    ...config.matching,
    aiPartner: aiPartners ? { afterMs: config.ai.partnerAfterMs, create: aiPartnerFactory(model) } : undefined,
    matching: cluster?.matching,
    away: config.chat,
  });
  accounts.onUpdate((account) => lobby.updateAccount(account));
  const connections = new Connections(store, broker, lobby, config.inbox, handshakes);
  const privacy = new Privacy(store, broker, revocations);
  // Per-address keys: HMAC with a rotating secret, shared through Redis so nodes agree.
  const secrets = cluster?.secrets ?? memorySecrets();
  const ipKeys = new IpKeys(secrets);
  const moderation = new Moderation(store, lobby, connections, revocations, config.safety, ipKeys, signals, now);
  await moderation.startRetentionSweep((err) => log.error({ err }, 'report retention sweep failed'));
  // The message rate holds across nodes without a Redis round trip per message: each node grants its share.
  const limits = new RateLimits(config.safety, limiterFactory, ipKeys, (accountId) => 1 / broker.nodesHolding(accountId));
  const clientIp = clientIpResolver(config.trustProxy);
  const gate = config.challenge;
  const doorkeeper = new Doorkeeper({
    mode: gate.mode,
    // Challenges are signed with the per-address keys' secret (shared through Redis), spent ones remembered where nodes agree.
    challenges: new Challenges(gate, secrets, cluster?.spentProofs(now) ?? memorySpent(now), now),
    difficulty: new Difficulty(gate, now),
    turnstile: gate.turnstile && new Turnstile(gate.turnstile),
    ipKeys,
    signals,
    findLevel: config.bots.findLevel,
  });
  const google = config.google.enabled ? new GoogleSignIn(config.google, store, accounts, { maxPending: overrides.googleMaxPending }) : undefined;

  const stop = async () => {
    clearInterval(idleSweep);
    await cluster?.stop();
    limits.close();
    signals.close();
    moderation.stop();
  };
  const close = async () => {
    await translation?.close();
    if (cluster) await cluster.close();
    else await broker.close();
    await store.close();
  };

  return {
    config,
    log,
    store,
    broker,
    geo,
    revocations,
    accounts,
    lobby,
    connections,
    privacy,
    moderation,
    limits,
    ipKeys,
    doorkeeper,
    signals,
    clientIp,
    severalNodes: cluster !== undefined,
    revokedElsewhere: cluster?.revokedElsewhere,
    broadcastRevocation: cluster?.broadcastRevocation,
    redisReady: outages && (() => outages.ready),
    translator,
    aiPartners,
    google,
    stop,
    close,
  };
}

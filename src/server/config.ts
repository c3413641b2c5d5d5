/**
 * Configuration: read flat from the environment once, validated, turned into
 * a typed object. Nothing else reads process.env.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isIP } from 'node:net';
import { FRAME_BUDGET } from '../shared/limits.js';
import { DEFAULT_CLOUDFLARE_IPS } from './http/cloudflareRanges.js';
import { tokenWeakness } from './tokenStrength.js';

/** `cloudflare`: CF-* headers are believed from peers in `cidrs` (Cloudflare's ranges and loopback, or CLOUDFLARE_IPS). */
export type TrustProxy = { kind: 'none' } | { kind: 'cloudflare'; cidrs: readonly string[] } | { kind: 'cidrs'; cidrs: string[] };

/** `points` actions per `seconds`. */
export type Rate = { points: number; seconds: number };

export const RATE_NAMES = ['signup', 'signin', 'message', 'find', 'dm', 'connect', 'report', 'translate', 'translateIp', 'googleStart'] as const;
export type RateName = (typeof RATE_NAMES)[number];

const RATE_DEFAULTS: Record<RateName, Rate> = {
  // Generous per address: many people share one IP behind carrier-grade NAT.
  signup: { points: 100, seconds: 60 },
  signin: { points: 100, seconds: 60 },
  message: { points: 5, seconds: 1 },
  find: { points: 30, seconds: 60 },
  dm: { points: 30, seconds: 60 },
  connect: { points: 30, seconds: 3600 },
  report: { points: 20, seconds: 3600 },
  translate: { points: 30, seconds: 60 },
  translateIp: { points: 60, seconds: 60 },
  googleStart: { points: 20, seconds: 60 },
};

const RATE_ENV: Record<RateName, string> = {
  signup: 'RATE_SIGNUP',
  signin: 'RATE_SIGNIN',
  message: 'RATE_MESSAGE',
  find: 'RATE_FIND',
  dm: 'RATE_DM',
  connect: 'RATE_CONNECT',
  report: 'RATE_REPORT',
  translate: 'RATE_TRANSLATE',
  translateIp: 'RATE_TRANSLATE_IP',
  googleStart: 'RATE_GOOGLE_START',
};

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  trustProxy: TrustProxy;
  logLevel: string;
  /** HTTP timeouts (ms); see http/httpTimeouts.ts. */
  http: { requestTimeoutMs: number; headersTimeoutMs: number; idleTimeoutMs: number; keepAliveTimeoutMs: number };
  matching: {
    /** After this long in the queue a searcher may be paired with anyone. */
    widenAfterMs: number;
    /** How long two people who just chatted are kept apart. */
    rematchCooldownMs: number;
  };
  /** A chat whose socket dropped waits this long for the person, holding the partner's messages (memory only). */
  chat: { graceMs: number; heldMessages: number; heldBytes: number };
  socket: {
    helloDeadlineMs: number;
    pingIntervalMs: number;
    /** A socket whose unsent buffer exceeds this is cut off (it is not reading). */
    maxBufferedBytes: number;
    /** Every socket's frame budget: a burst, refilled at a steady rate (frameBudget.ts). */
    frameBurst: number;
    framesPerSecond: number;
  };
  inbox: {
    /** Waiting offline messages from one connection. */
    perConnection: number;
    /** Waiting offline messages in one inbox. */
    total: number;
  };
  safety: {
    /** Off only for benchmarks: every rate limit passes. */
    rateLimits: boolean;
    rates: Record<RateName, Rate>;
    /** Chat messages a person may send in a burst on top of the steady `rates.message`. */
    messageBurst: number;
    maxSocketsPerAccount: number;
    maxSocketsPerIp: number;
    /** Weighted distinct reporters (see reporterWeight.ts) within the window that suspend an account. */
    reportThreshold: number;
    reportWindowMs: number;
    /** A reporter's account younger than this adds nothing toward an automatic suspension. */
    reportMinAccountAgeMs: number;
    /** ...and its weight rises linearly to a full 1 at this age. */
    reportFullWeightAgeMs: number;
    suspensionMs: number;
    /** The moderator API is off when unset. */
    adminToken: string | undefined;
    /** GET /metrics is off when unset. */
    metricsToken: string | undefined;
  };
  /** The language model behind AI partners and translation; off when neither key nor URL is set. */
  ai: {
    provider: 'none' | 'xai' | 'openai-compatible';
    baseUrl: string | undefined;
    apiKey: string | undefined;
    model: string;
    /** An AI partner is offered after a search has waited this long with no human found (0: never). */
    partnerAfterMs: number;
    timeoutMs: number;
    /** Model calls per hour on this node, translation and AI partners together (0: no overall budget). */
    budgetPerHour: number;
  };
  /** Google sign-in and linking (OpenID Connect); off unless a client id is set. */
  google:
    | { enabled: false }
    | { enabled: true; clientId: string; clientSecret: string; issuer: string; redirectUri: string };
  /** The server secret that keys recovery-code hashes (pepper.ts). */
  recoveryPepper: RecoveryPepperConfig;
  /** The gate at sign-up, sign-in with a code and Google start (challenges.ts, turnstile.ts). */
  challenge: ChallengeConfig;
  /** Behaviour signals per account (botSignals.ts): when a run of chats looks like a bot's, `find` is slowed. */
  bots: BotConfig;
  /** A sign-in unused for this long stops working. */
  sessionIdleMs: number;
  /** Several nodes: a node that has not refreshed its heartbeat for this long counts as dead. */
  nodeTtlMs: number;
  shutdownGraceMs: number;
};

export type ChallengeMode = 'pow' | 'turnstile' | 'off';

export type ChallengeConfig = {
  mode: ChallengeMode;
  /** Proof of work: the most hashes a level-0 challenge asks for (a challenge asks between half and all of it). */
  work: number;
  /** Each level multiplies the work by this. */
  factor: number;
  maxLevel: number;
  ttlMs: number;
  /** Challenges asked for plus failures (which count 3) from one address, without a quiet period, that raise its level by one. */
  burst: number;
  /** Every quiet period of an address lowers its level by one. */
  quietMs: number;
  /** Cloudflare Turnstile, when TURNSTILE_SECRET and TURNSTILE_SITE_KEY are set (used only by mode `turnstile`). */
  turnstile: { secret: string; siteKey: string; verifyUrl: string } | undefined;
};

export type BotConfig = {
  /** The last chats of an account that are looked at. */
  window: number;
  /** A chat that ends within this long of the account's first message, unanswered, is "quick". */
  quickMs: number;
  /** Quick chats in the window that mark the account as bot-like. */
  threshold: number;
  /** A bot-like account waits this long between searches, doubled per extra quick chat (at most 8×). */
  findWaitMs: number;
  /** ...and its proof of work on `find` is this many levels above level 0 (mode `pow`). */
  findLevel: number;
  /** An account not seen for this long is forgotten. */
  forgetMs: number;
};

export class ConfigError extends Error {}

/** Where the recovery-code pepper comes from; `generated`: a file created once under DATA_DIR. */
export type PepperSource =
  | { kind: 'value'; variable: 'RECOVERY_PEPPER' | 'RECOVERY_PEPPER_FILE'; value: string }
  | { kind: 'generated'; path: string };
export type RecoveryPepperConfig = { current: PepperSource; previous: string | undefined };

export const PEPPER_MIN_LENGTH = 32;
export const PEPPER_FILE_NAME = 'recovery-pepper';

function pepperValue(name: string, raw: string): string {
  const value = raw.trim();
  if (value.length < PEPPER_MIN_LENGTH) {
    throw new ConfigError(`${name} must be at least ${PEPPER_MIN_LENGTH} characters (e.g. openssl rand -base64 32)`);
  }
  return value;
}

function recoveryPepperConfig(env: Env, dataDir: string): RecoveryPepperConfig {
  const direct = env.RECOVERY_PEPPER?.trim();
  const file = env.RECOVERY_PEPPER_FILE?.trim();
  if (direct && file) throw new ConfigError('RECOVERY_PEPPER and RECOVERY_PEPPER_FILE are both set; set one of them');
  let current: PepperSource;
  if (direct) current = { kind: 'value', variable: 'RECOVERY_PEPPER', value: pepperValue('RECOVERY_PEPPER', direct) };
  else if (file) {
    let contents: string;
    try {
      contents = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`RECOVERY_PEPPER_FILE cannot be read (${(err as { code?: string }).code ?? 'error'})`);
    }
    current = { kind: 'value', variable: 'RECOVERY_PEPPER_FILE', value: pepperValue('RECOVERY_PEPPER_FILE', contents) };
  } else current = { kind: 'generated', path: path.join(dataDir, PEPPER_FILE_NAME) };
  const previousRaw = env.RECOVERY_PEPPER_PREVIOUS?.trim();
  const previous = previousRaw ? pepperValue('RECOVERY_PEPPER_PREVIOUS', previousRaw) : undefined;
  return { current, previous };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL (${protocols.join(' or ')})`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.join(' or ')}`);
  }
  return raw;
}

function isCidr(cidr: string): boolean {
  const [address, bits, extra] = cidr.split('/');
  const family = isIP(address ?? '');
  const maxBits = family === 6 ? 128 : 32;
  const validBits = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= maxBits);
  return family !== 0 && validBits && extra === undefined;
}

/** CLOUDFLARE_IPS: comma-separated CIDRs replacing the shipped list of Cloudflare's (and loopback's) addresses. */
export function parseCloudflareIps(raw: string | undefined): readonly string[] {
  const cidrs = (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (cidrs.length === 0) return DEFAULT_CLOUDFLARE_IPS;
  const bad = cidrs.find((cidr) => !isCidr(cidr));
  if (bad !== undefined) throw new ConfigError(`CLOUDFLARE_IPS must be a comma-separated list of CIDRs; "${bad}" is not one`);
  return cidrs;
}

export function parseTrustProxy(raw: string | undefined, cloudflareIps?: string): TrustProxy {
  const value = (raw ?? '').trim();
  const cloudflare = parseCloudflareIps(cloudflareIps); // checked even when unused, so a typo shows at once
  if (value === '' || value === 'none') return { kind: 'none' };
  if (value === 'cloudflare') return { kind: 'cloudflare', cidrs: cloudflare };
  const cidrs = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const cidr of cidrs) {
    if (!isCidr(cidr)) {
      throw new ConfigError(`TRUST_PROXY must be none, cloudflare, or a comma-separated list of CIDRs; "${cidr}" is not one`);
    }
  }
  return { kind: 'cidrs', cidrs };
}

function rate(env: Env, name: RateName): Rate {
  const variable = RATE_ENV[name];
  const raw = env[variable]?.trim();
  if (!raw) return RATE_DEFAULTS[name];
  const m = /^(\d+)\/(\d+)$/.exec(raw);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) {
    throw new ConfigError(`${variable} must be "points/seconds", e.g. "${RATE_DEFAULTS[name].points}/${RATE_DEFAULTS[name].seconds}", got "${raw}"`);
  }
  return { points: Number(m[1]), seconds: Number(m[2]) };
}

function secretToken(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const weakness = tokenWeakness(raw);
  if (weakness) throw new ConfigError(`${name} ${weakness}: use a long random string, e.g. from \`openssl rand -hex 32\``);
  return raw;
}

export const GOOGLE_ISSUER = 'https://accounts.google.com';

function googleConfig(env: Env): Config['google'] {
  const clientId = env.GOOGLE_CLIENT_ID?.trim();
  if (!clientId) return { enabled: false };
  const clientSecret = env.GOOGLE_CLIENT_SECRET?.trim();
  if (!clientSecret) throw new ConfigError('GOOGLE_CLIENT_SECRET must be set when GOOGLE_CLIENT_ID is');
  const publicUrl = url(env, 'PUBLIC_URL', ['http:', 'https:']);
  if (!publicUrl) throw new ConfigError('PUBLIC_URL (the address people use, e.g. https://chat.example) must be set when GOOGLE_CLIENT_ID is');
  return {
    enabled: true,
    clientId,
    clientSecret,
    issuer: url(env, 'GOOGLE_ISSUER', ['http:', 'https:']) ?? GOOGLE_ISSUER,
    redirectUri: new URL('/api/auth/google/callback', publicUrl).toString(),
  };
}

export const XAI_BASE_URL = 'https://api.x.ai/v1';

/** xAI when XAI_API_KEY is set; any OpenAI-compatible endpoint with AI_BASE_URL; otherwise off. */
function aiConfig(env: Env): Config['ai'] {
  const xaiKey = env.XAI_API_KEY?.trim() || undefined;
  const baseUrl = url(env, 'AI_BASE_URL', ['http:', 'https:']);
  const provider = baseUrl ? 'openai-compatible' : xaiKey ? 'xai' : 'none';
  return {
    provider,
    baseUrl: baseUrl ?? (xaiKey ? XAI_BASE_URL : undefined),
    apiKey: env.AI_API_KEY?.trim() || xaiKey,
    model: env.AI_MODEL?.trim() || (provider === 'xai' ? 'grok-3-mini' : 'default'),
    partnerAfterMs: int(env, 'AI_PARTNER_AFTER_MS', 15_000, 0, 3_600_000),
    timeoutMs: int(env, 'AI_TIMEOUT_MS', 20_000, 100, 120_000),
    budgetPerHour: int(env, 'AI_BUDGET', 1000, 0, 100_000_000),
  };
}

function httpConfig(env: Env): Config['http'] {
  const requestTimeoutMs = int(env, 'HTTP_REQUEST_TIMEOUT_MS', 30_000, 100, 600_000);
  const headersTimeoutMs = int(env, 'HTTP_HEADERS_TIMEOUT_MS', Math.min(10_000, requestTimeoutMs), 100, 600_000);
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError(`HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS (${requestTimeoutMs}), got ${headersTimeoutMs}`);
  }
  return {
    requestTimeoutMs,
    headersTimeoutMs,
    idleTimeoutMs: int(env, 'HTTP_IDLE_TIMEOUT_MS', 120_000, 100, 3_600_000),
    keepAliveTimeoutMs: int(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 72_000, 100, 3_600_000),
  };
}

export const TURNSTILE_VERIFY_URL = 'https://challenges.cloudflare.com/turnstile/v0/siteverify';

function challengeConfig(env: Env): ChallengeConfig {
  const raw = (env.SIGNUP_CHALLENGE?.trim().toLowerCase() || 'off') as ChallengeMode;
  if (!['pow', 'turnstile', 'off'].includes(raw)) throw new ConfigError(`SIGNUP_CHALLENGE must be pow, turnstile or off, got "${raw}"`);
  const secret = env.TURNSTILE_SECRET?.trim();
  const siteKey = env.TURNSTILE_SITE_KEY?.trim();
  if (!!secret !== !!siteKey) throw new ConfigError('TURNSTILE_SECRET and TURNSTILE_SITE_KEY must be set together');
  if (raw === 'turnstile' && !secret) throw new ConfigError('SIGNUP_CHALLENGE=turnstile needs TURNSTILE_SECRET and TURNSTILE_SITE_KEY');
  const verifyUrl = url(env, 'TURNSTILE_VERIFY_URL', ['http:', 'https:']) ?? TURNSTILE_VERIFY_URL;
  return {
    mode: raw,
    work: int(env, 'CHALLENGE_WORK', 50_000, 2, 100_000_000),
    factor: int(env, 'CHALLENGE_FACTOR', 4, 2, 100),
    maxLevel: int(env, 'CHALLENGE_MAX_LEVEL', 4, 0, 10),
    ttlMs: int(env, 'CHALLENGE_TTL_MS', 600_000, 1000, 3_600_000),
    burst: int(env, 'CHALLENGE_BURST', 30, 1, 1_000_000),
    quietMs: int(env, 'CHALLENGE_QUIET_MS', 600_000, 1000, 7 * 24 * 3600_000),
    turnstile: secret && siteKey ? { secret, siteKey, verifyUrl } : undefined,
  };
}

function botConfig(env: Env): BotConfig {
  const window = int(env, 'BOT_WINDOW', 10, 1, 1000);
  const threshold = int(env, 'BOT_THRESHOLD', 4, 1, 1000);
  if (threshold > window) throw new ConfigError(`BOT_THRESHOLD must not exceed BOT_WINDOW (${window}), got ${threshold}`);
  return {
    window,
    quickMs: int(env, 'BOT_QUICK_MS', 5000, 100, 600_000),
    threshold,
    findWaitMs: int(env, 'BOT_FIND_WAIT_MS', 10_000, 0, 3_600_000),
    findLevel: int(env, 'BOT_FIND_LEVEL', 2, 0, 10),
    forgetMs: int(env, 'BOT_FORGET_MS', 3600_000, 1000, 7 * 24 * 3600_000),
  };
}

function onOff(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (['on', 'true', '1'].includes(raw)) return true;
  if (['off', 'false', '0'].includes(raw)) return false;
  throw new ConfigError(`${name} must be on or off, got "${raw}"`);
}

export function loadConfig(env: Env = process.env): Config {
  const logLevel = (env.LOG_LEVEL ?? 'info').trim() || 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const host = (env.HOST ?? '127.0.0.1').trim();
  if (host === '') throw new ConfigError('HOST must not be empty');
  const dataDir = path.resolve(env.DATA_DIR?.trim() || './data');
  return {
    port: int(env, 'PORT', 8080, 0, 65535),
    host,
    dataDir,
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    trustProxy: parseTrustProxy(env.TRUST_PROXY, env.CLOUDFLARE_IPS),
    logLevel,
    http: httpConfig(env),
    matching: {
      widenAfterMs: int(env, 'MATCH_WIDEN_AFTER_MS', 5000, 0, 600_000),
      rematchCooldownMs: int(env, 'MATCH_REMATCH_COOLDOWN_MS', 30_000, 0, 3_600_000),
    },
    chat: {
      graceMs: int(env, 'CHAT_GRACE_MS', 5_000, 0, 600_000),
      heldMessages: int(env, 'CHAT_HELD_MESSAGES', 50, 1, 10_000),
      heldBytes: int(env, 'CHAT_HELD_BYTES', 65_536, 1024, 16 * 1024 * 1024),
    },
    socket: {
      helloDeadlineMs: int(env, 'WS_HELLO_DEADLINE_MS', 5000, 100, 60_000),
      pingIntervalMs: int(env, 'WS_PING_INTERVAL_MS', 25_000, 100, 600_000),
      maxBufferedBytes: int(env, 'WS_MAX_BUFFERED_BYTES', 1024 * 1024, 16 * 1024, 1024 * 1024 * 1024),
      frameBurst: int(env, 'WS_FRAME_BURST', FRAME_BUDGET.burst, 10, 1_000_000_000),
      framesPerSecond: int(env, 'WS_FRAMES_PER_SECOND', FRAME_BUDGET.perSecond, 1, 1_000_000_000),
    },
    inbox: {
      perConnection: int(env, 'INBOX_PER_CONNECTION_MAX', 100, 1, 100_000),
      total: int(env, 'INBOX_MAX', 1000, 1, 1_000_000),
    },
    safety: {
      rateLimits: onOff(env, 'RATE_LIMITS', true),
      rates: Object.fromEntries(RATE_NAMES.map((n) => [n, rate(env, n)])) as Record<RateName, Rate>,
      messageBurst: int(env, 'RATE_MESSAGE_BURST', 10, 1, 1_000_000_000),
      maxSocketsPerAccount: int(env, 'MAX_SOCKETS_PER_ACCOUNT', 10, 1, 100_000),
      maxSocketsPerIp: int(env, 'MAX_SOCKETS_PER_IP', 1000, 1, 1_000_000),
      reportThreshold: int(env, 'REPORT_THRESHOLD', 3, 1, 1000),
      reportWindowMs: int(env, 'REPORT_WINDOW_MS', 24 * 3600_000, 1000, 365 * 24 * 3600_000),
      reportMinAccountAgeMs: int(env, 'REPORT_MIN_ACCOUNT_AGE_MS', 3600_000, 0, 365 * 24 * 3600_000),
      reportFullWeightAgeMs: int(env, 'REPORT_FULL_WEIGHT_AGE_MS', 7 * 24 * 3600_000, 0, 365 * 24 * 3600_000),
      suspensionMs: int(env, 'SUSPENSION_MS', 24 * 3600_000, 1000, 365 * 24 * 3600_000),
      adminToken: secretToken(env, 'ADMIN_TOKEN'),
      metricsToken: secretToken(env, 'METRICS_TOKEN'),
    },
    ai: aiConfig(env),
    google: googleConfig(env),
    recoveryPepper: recoveryPepperConfig(env, dataDir),
    challenge: challengeConfig(env),
    bots: botConfig(env),
    sessionIdleMs: int(env, 'SESSION_IDLE_DAYS', 90, 1, 3650) * 24 * 3600_000,
    nodeTtlMs: int(env, 'NODE_TTL_MS', 30_000, 300, 600_000),
    shutdownGraceMs: int(env, 'SHUTDOWN_GRACE_MS', 8000, 0, 9000),
  };
}

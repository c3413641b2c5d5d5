/**
 * Issue 17: proof of work at the three doors (sign-up, sign-in with a code,
 * Google start), single use, expiring, its work raised per address after a
 * burst and lowered after a quiet period. The clock of the server is the
 * test's (`now`), so expiry and quiet periods need no waiting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Challenge } from 'altcha-lib';
import { api, type SignUp } from '../helpers/http.js';
import { freePort, type Running, startService } from '../helpers/inProcess.js';
import { twoNodes } from '../helpers/cluster.js';
import { type LocalProvider, startOidcProvider } from '../helpers/oidcProvider.js';
import { fetchChallenge, proofFor, solve } from '../helpers/pow.js';

const WORK = 2000;
const TTL_MS = 60_000;
const QUIET_MS = 600_000;
const BURST = 6;

let clock = Date.now();
let server: Running;
let provider: LocalProvider;

beforeAll(async () => {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  provider = await startOidcProvider({ clientId: 'metsony', clientSecret: 'provider-secret', redirectUri: `${publicUrl}/api/auth/google/callback` });
  server = await startService(
    {
      PORT: String(port),
      SIGNUP_CHALLENGE: 'pow',
      CHALLENGE_WORK: String(WORK),
      CHALLENGE_TTL_MS: String(TTL_MS),
      CHALLENGE_QUIET_MS: String(QUIET_MS),
      CHALLENGE_BURST: String(BURST),
      PUBLIC_URL: publicUrl,
      GOOGLE_CLIENT_ID: 'metsony',
      GOOGLE_CLIENT_SECRET: 'provider-secret',
      GOOGLE_ISSUER: provider.issuer,
      RATE_GOOGLE_START: '100000/60',
    },
    { now: () => clock },
  );
});
afterAll(async () => {
  await server?.stop();
  await provider?.close();
});

type Door = { name: string; send(proof: string | undefined): Promise<{ status: number; body: Record<string, unknown> }> };

let recoveryCode = '';
const doors: Door[] = [
  {
    name: 'sign-up',
    send: (proof) => api(server.url, 'POST', '/api/accounts', { body: { nickname: 'Gated', adult: true, proof } }),
  },
  {
    name: 'sign-in with a code',
    send: (proof) => api(server.url, 'POST', '/api/sessions', { body: { recoveryCode, proof } }),
  },
  {
    name: 'Google start',
    send: (proof) => api(server.url, 'POST', '/api/auth/google/start', { body: { intent: 'signin', proof } }),
  },
];
const OK: Record<string, number> = { 'sign-up': 201, 'sign-in with a code': 200, 'Google start': 200 };

const errorCode = (body: Record<string, unknown>) => (body.error as { code?: string } | undefined)?.code;

/** Moves the server's clock past every address's quiet period, so each test starts at level 0. */
function quiet(): void {
  clock += 10 * QUIET_MS;
}

describe('GET /api/challenge', () => {
  it('is an ALTCHA v2 challenge, signed, expiring, never cached', async () => {
    const res = await api<Challenge>(server.url, 'GET', '/api/challenge');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { parameters, signature } = res.body;
    expect(parameters).toMatchObject({ algorithm: 'SHA-256', cost: 1, keyLength: 32 });
    expect(parameters.keyPrefix).toMatch(/^[0-9a-f]{32}$/);
    expect(parameters.keySignature).toMatch(/^[0-9a-f]{64}$/);
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(parameters.expiresAt).toBe(Math.ceil((clock + TTL_MS) / 1000));
    expect(parameters.data).toMatchObject({ for: 'door', level: 0 });
  });

  it('says in /api/config which gate is on', async () => {
    expect((await api(server.url, 'GET', '/api/config')).body).toMatchObject({ challenge: 'pow' });
  });
});

describe.each(doors)('$name', (door) => {
  beforeAll(async () => {
    quiet();
    if (!recoveryCode) {
      const res = await api<SignUp>(server.url, 'POST', '/api/accounts', { body: { nickname: 'Owner', adult: true, proof: await proofFor(server.url) } });
      recoveryCode = res.body.recoveryCode;
    }
  });

  it('without a proof: 400 challenge_required', async () => {
    const res = await door.send(undefined);
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe('challenge_required');
  });

  it('with a solved challenge: as before; the same proof again: 400 challenge_failed', async () => {
    const proof = await proofFor(server.url);
    const first = await door.send(proof);
    expect(first.status, JSON.stringify(first.body)).toBe(OK[door.name]);
    const replay = await door.send(proof);
    expect(replay.status).toBe(400);
    expect(errorCode(replay.body)).toBe('challenge_failed');
  });

  it('a proof whose challenge expired: 400 challenge_failed', async () => {
    const proof = await proofFor(server.url);
    clock += TTL_MS + 1000;
    const res = await door.send(proof);
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe('challenge_failed');
  });

  it('a wrong solution or a forged challenge: 400 challenge_failed', async () => {
    const challenge = await fetchChallenge(server.url);
    const proof = JSON.parse(Buffer.from(await solve(challenge), 'base64').toString()) as { challenge: Challenge; solution: { counter: number; derivedKey: string } };
    const wrongKey = { ...proof, solution: { ...proof.solution, derivedKey: 'ab'.repeat(32) } };
    const cheaper = { ...proof, challenge: { ...proof.challenge, parameters: { ...proof.challenge.parameters, data: { ...proof.challenge.parameters.data, level: 0, p: 0 } } } };
    for (const bad of [wrongKey, cheaper, 'not base64 json']) {
      const text = typeof bad === 'string' ? bad : Buffer.from(JSON.stringify(bad)).toString('base64');
      const res = await door.send(text);
      expect(res.status).toBe(400);
      expect(errorCode(res.body)).toBe('challenge_failed');
    }
  });
});

describe('adaptive difficulty per address', () => {
  const level = (c: Challenge) => c.parameters.data?.level;

  it('rises after a burst of challenges, and falls back after a quiet period', async () => {
    quiet();
    const first = await fetchChallenge(server.url);
    expect(level(first)).toBe(0);
    for (let i = 1; i < BURST; i++) await fetchChallenge(server.url);
    const after = await fetchChallenge(server.url);
    expect(level(after)).toBe(1);
    // Harder: the server picked a counter in the level's range (work × factor, at least half of it).
    expect(await solve(after)).toBeTruthy();
    clock += QUIET_MS;
    expect(level(await fetchChallenge(server.url))).toBe(0);
  });

  it('rises faster after failures (each counts 3)', async () => {
    quiet();
    for (let i = 0; i < Math.ceil(BURST / 3); i++) {
      expect((await doors[0]!.send(undefined)).status).toBe(400);
    }
    expect(level(await fetchChallenge(server.url))).toBe(1);
  });
});

describe('SIGNUP_CHALLENGE=off', () => {
  it('opens the doors without a proof; there is no challenge to fetch', async () => {
    const off = await startService({});
    try {
      expect((await api(off.url, 'GET', '/api/config')).body).toMatchObject({ challenge: 'off' });
      expect((await api(off.url, 'POST', '/api/accounts', { body: { nickname: 'Open', adult: true } })).status).toBe(201);
      expect((await api(off.url, 'GET', '/api/challenge')).status).toBe(404);
    } finally {
      await off.stop();
    }
  });
});

describe.runIf(process.env.DATABASE_URL && process.env.REDIS_URL)('two nodes sharing Redis', () => {
  const cluster = twoNodes(process.env.DATABASE_URL!, process.env.REDIS_URL!, 'metsony_pow', { SIGNUP_CHALLENGE: 'pow', CHALLENGE_WORK: String(WORK) });

  it('a challenge from one node opens a door on the other, once', async () => {
    const proof = await proofFor(cluster.node1.url);
    const body = { nickname: 'Roamer', adult: true, proof };
    expect((await api(cluster.node2.url, 'POST', '/api/accounts', { body })).status).toBe(201);
    const replay = await api(cluster.node1.url, 'POST', '/api/accounts', { body });
    expect(replay.status).toBe(400);
    expect(errorCode(replay.body)).toBe('challenge_failed');
  });
});

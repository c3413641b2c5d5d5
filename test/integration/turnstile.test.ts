/**
 * Issue 17, optional Cloudflare Turnstile (SIGNUP_CHALLENGE=turnstile): the
 * token is checked with a local fake of the siteverify API on 127.0.0.1
 * (TURNSTILE_VERIFY_URL), never the real one; the CSP lets the widget in
 * only when it is on.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/http.js';
import { type Running, startService } from '../helpers/inProcess.js';

const SECRET = 'turnstile-test-secret';
const SITE_KEY = '0x4AAAAAAAtestsitekey';

/** Cloudflare's siteverify, as far as METSONY uses it: tokens it issued are good once. */
function fakeSiteverify(): Promise<{ url: string; issue(token: string): void; bodies: URLSearchParams[]; close(): Promise<void> }> {
  const good = new Set<string>();
  const bodies: URLSearchParams[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const form = new URLSearchParams(text);
      bodies.push(form);
      const ok = form.get('secret') === SECRET && good.delete(form.get('response') ?? '');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(ok ? { success: true } : { success: false, 'error-codes': ['timeout-or-duplicate'] }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}/turnstile/v0/siteverify`,
        issue: (token) => good.add(token),
        bodies,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    }),
  );
}

let fake: Awaited<ReturnType<typeof fakeSiteverify>>;
let server: Running;

beforeAll(async () => {
  fake = await fakeSiteverify();
  server = await startService({ SIGNUP_CHALLENGE: 'turnstile', TURNSTILE_SECRET: SECRET, TURNSTILE_SITE_KEY: SITE_KEY, TURNSTILE_VERIFY_URL: fake.url });
});
afterAll(async () => {
  await server?.stop();
  await fake?.close();
});

const signUp = (proof?: string) => api(server.url, 'POST', '/api/accounts', { body: { nickname: 'Clouded', adult: true, proof } });
const errorCode = (body: Record<string, unknown>) => (body.error as { code?: string } | undefined)?.code;

describe('SIGNUP_CHALLENGE=turnstile', () => {
  it('tells the web app the site key, and lets the widget through the CSP', async () => {
    const config = await api(server.url, 'GET', '/api/config');
    expect(config.body).toMatchObject({ challenge: 'turnstile', turnstileSiteKey: SITE_KEY });
    const csp = config.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self' https://challenges.cloudflare.com");
    expect(csp).toContain('frame-src https://challenges.cloudflare.com');
  });

  it('opens sign-up with a token Cloudflare vouches for, once; without one or with a refused one, 400', async () => {
    expect(errorCode((await signUp()).body)).toBe('challenge_required');
    fake.issue('token-1');
    expect((await signUp('token-1')).status).toBe(201);
    const replay = await signUp('token-1');
    expect(replay.status).toBe(400);
    expect(errorCode(replay.body)).toBe('challenge_failed');
    // Only the secret and the token go to Cloudflare: never the person's address.
    expect([...fake.bodies.at(-1)!.keys()].sort()).toEqual(['response', 'secret']);
  });

  it('answers 503 unavailable when siteverify cannot be reached', async () => {
    const down = await startService({
      SIGNUP_CHALLENGE: 'turnstile',
      TURNSTILE_SECRET: SECRET,
      TURNSTILE_SITE_KEY: SITE_KEY,
      TURNSTILE_VERIFY_URL: 'http://127.0.0.1:9/siteverify',
    });
    try {
      const res = await api(down.url, 'POST', '/api/accounts', { body: { nickname: 'Clouded', adult: true, proof: 'token-2' } });
      expect(res.status).toBe(503);
      expect(errorCode(res.body)).toBe('unavailable');
    } finally {
      await down.stop();
    }
  });

  it('leaves the CSP as strict as ever when Turnstile is off', async () => {
    const plain = await startService({ SIGNUP_CHALLENGE: 'pow' });
    try {
      const csp = (await api(plain.url, 'GET', '/api/config')).headers.get('content-security-policy') ?? '';
      expect(csp).not.toContain('cloudflare');
      expect(csp).toContain("script-src 'self';");
    } finally {
      await plain.stop();
    }
  });
});

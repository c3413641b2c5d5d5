/** P6: Google sign-in and linking over OpenID Connect, against a real provider on 127.0.0.1. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findInFiles } from '../helpers/forensic.js';
import { api, type ApiResponse, type SignUp, signUp } from '../helpers/http.js';
import { freePort, type Running, startService } from '../helpers/inProcess.js';
import { type LocalProvider, landingAfter, startOidcProvider } from '../helpers/oidcProvider.js';

type Me = SignUp['account'];
type Started = { url: string; browserKey: string };

/** The provider and a server using it; `env` and `googleMaxPending` for the tests of limits. */
async function startPair(env: Record<string, string> = {}, googleMaxPending?: number): Promise<{ server: Running; provider: LocalProvider; callback: string }> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const callback = `${publicUrl}/api/auth/google/callback`;
  const provider = await startOidcProvider({ clientId: 'metsony', clientSecret: 'provider-secret', redirectUri: callback });
  const server = await startService(
    {
      PORT: String(port),
      PUBLIC_URL: publicUrl,
      GOOGLE_CLIENT_ID: 'metsony',
      GOOGLE_CLIENT_SECRET: 'provider-secret',
      GOOGLE_ISSUER: provider.issuer,
      RATE_GOOGLE_START: '100000/60',
      ...env,
    },
    googleMaxPending === undefined ? {} : { googleMaxPending },
  );
  return { server, provider, callback };
}

let provider: LocalProvider;
let server: Running;
let callback: string;

beforeAll(async () => {
  ({ server, provider, callback } = await startPair());
});
afterAll(async () => {
  await server?.stop();
  await provider?.close();
});

async function start(intent: 'signin' | 'link', token?: string, base = server.url): Promise<Started> {
  const res = await api<Started>(base, 'POST', '/api/auth/google/start', { body: { intent }, token });
  expect(res.status).toBe(200);
  expect(res.body.browserKey).toMatch(/^[A-Za-z0-9_-]{22,}$/); // ≥ 128 bits, base64url
  return res.body;
}

function complete(ticket: string, browserKey: string | undefined, token?: string, base = server.url) {
  const body = browserKey === undefined ? { ticket } : { ticket, browserKey };
  return api<{ account: Me; token?: string; error?: { code: string } }>(base, 'POST', '/api/auth/google/complete', { body, token });
}

/** The whole round trip in one browser: start, the provider as `subject`, the landing, and (with a ticket) complete. */
async function googleFlow(intent: 'signin' | 'link', subject: string, token?: string): Promise<{ landing: URLSearchParams; done?: ApiResponse<{ account: Me; token?: string; error?: { code: string } }> }> {
  const started = await start(intent, token);
  const landing = await landingAfter(started.url, subject, callback);
  const ticket = landing.get('ticket');
  if (!ticket) return { landing };
  return { landing, done: await complete(ticket, started.browserKey, token) };
}

async function linkedIdentities(token: string): Promise<unknown[]> {
  return (await api<{ linkedIdentities: unknown[] }>(server.url, 'GET', '/api/me/export', { token })).body.linkedIdentities;
}

const uniqueSub = () => `g-${Math.random().toString(36).slice(2, 12)}`;

describe('Google', () => {
  it('is announced in /api/config', async () => {
    expect((await api(server.url, 'GET', '/api/config')).body).toMatchObject({ google: true });
  });

  it('links to a signed-in account, then signs in with a one-time ticket; the id and email are exported', async () => {
    const user = await signUp(server.url, [], 'Linker');
    const sub = uniqueSub();
    const link = await googleFlow('link', sub, user.token);
    expect(link.done?.status).toBe(200);
    expect(link.done?.body.account).toMatchObject({ id: user.account.id, linked: { google: true } });
    expect(link.done?.body.token).toBeUndefined();
    expect((await api<Me>(server.url, 'GET', '/api/me', { token: user.token })).body.linked).toEqual({ google: true });

    const started = await start('signin');
    const ticket = (await landingAfter(started.url, sub, callback)).get('ticket')!;
    expect(ticket).toBeTruthy();
    const done = await complete(ticket, started.browserKey);
    expect(done.status).toBe(200);
    expect(done.body.account).toMatchObject({ id: user.account.id, linked: { google: true } });
    expect((await api(server.url, 'GET', '/api/me', { token: done.body.token })).status).toBe(200);
    expect((await complete(ticket, started.browserKey)).status).toBe(401); // one time

    expect(await linkedIdentities(user.token)).toEqual([{ provider: 'google', subject: sub, email: `${sub}@example.test`, createdAt: expect.any(String) }]);
  });

  it('refuses to sign in a Google account that is linked to nobody, or to link one twice', async () => {
    expect((await googleFlow('signin', uniqueSub())).landing.get('error')).toBe('not_linked');
    const sub = uniqueSub();
    const first = await signUp(server.url);
    const second = await signUp(server.url);
    expect((await googleFlow('link', sub, first.token)).done?.status).toBe(200);
    const twice = await googleFlow('link', sub, second.token);
    expect(twice.done?.status).toBe(409);
    expect(twice.done?.body.error?.code).toBe('already_linked');
    expect(await linkedIdentities(second.token)).toEqual([]);
  });

  it('unlinks; delete everything leaves no trace of the id or email', async () => {
    const user = await signUp(server.url);
    const sub = uniqueSub();
    expect((await googleFlow('link', sub, user.token)).done?.status).toBe(200);
    expect(findInFiles(server.dataDir, [sub]).length).toBeGreaterThan(0);
    expect((await api(server.url, 'DELETE', '/api/me/links/google', { token: user.token })).status).toBe(204);
    expect((await api<Me>(server.url, 'GET', '/api/me', { token: user.token })).body.linked.google).toBe(false);
    expect((await api(server.url, 'DELETE', '/api/me/links/google', { token: user.token })).status).toBe(404);
    expect(findInFiles(server.dataDir, [sub, `${sub}@example.test`])).toEqual([]);

    const other = await signUp(server.url);
    const sub2 = uniqueSub();
    expect((await googleFlow('link', sub2, other.token)).done?.status).toBe(200);
    expect((await api(server.url, 'DELETE', '/api/me', { token: other.token })).status).toBe(204);
    expect(findInFiles(server.dataDir, [sub2, `${sub2}@example.test`])).toEqual([]);
    expect((await googleFlow('signin', sub2)).landing.get('error')).toBe('not_linked');
  });

  it('answers bad starts, stray callbacks and bad completes clearly', async () => {
    expect((await api(server.url, 'POST', '/api/auth/google/start', { body: { intent: 'link' } })).status).toBe(401);
    expect((await api(server.url, 'POST', '/api/auth/google/start', { body: { intent: 'hack' } })).status).toBe(400);
    const stray = await fetch(`${callback}?code=abc&state=unknown`, { redirect: 'manual' });
    expect(stray.headers.get('location')).toBe('/#/google?error=expired');
    const cancelled = await fetch(`${callback}?error=access_denied&state=x`, { redirect: 'manual' });
    expect(cancelled.headers.get('location')).toBe('/#/google?error=cancelled');
    expect((await complete('forged', 'any-key')).status).toBe(401);
    const missingKey = await complete('forged', undefined);
    expect(missingKey.status).toBe(400);
    expect(missingKey.body.error?.code).toBe('bad_request');
  });

  it('is off without GOOGLE_CLIENT_ID, and a half configuration stops start-up', async () => {
    const plain = await startService();
    try {
      expect((await api(plain.url, 'GET', '/api/config')).body).toMatchObject({ google: false });
      expect((await api(plain.url, 'POST', '/api/auth/google/start', { body: { intent: 'signin' } })).status).toBe(404);
    } finally {
      await plain.stop();
    }
    const { loadConfig } = await import('../../src/server/config.js');
    expect(() => loadConfig({ GOOGLE_CLIENT_ID: 'x' })).toThrow(/GOOGLE_CLIENT_SECRET/);
    expect(() => loadConfig({ GOOGLE_CLIENT_ID: 'x', GOOGLE_CLIENT_SECRET: 'y' })).toThrow(/PUBLIC_URL/);
    expect(() => loadConfig({ RATE_GOOGLE_START: 'lots' })).toThrow(/RATE_GOOGLE_START/);
  });
});

describe('Google flows are bound to the browser and the account that started them (issue 9, findings 1 and 2)', () => {
  it('a link URL sent to somebody else links nothing: their Google identity never reaches the sender', async () => {
    const sender = await signUp(server.url, [], 'Sender');
    const partner = await signUp(server.url, [], 'Partner');
    const partnerSub = uniqueSub();

    // The sender starts a link and passes the URL on; the partner's browser follows it with the partner's Google account.
    const started = await start('link', sender.token);
    const landing = await landingAfter(started.url, partnerSub, callback);
    expect(landing.get('linked')).toBeNull();
    const ticket = landing.get('ticket');
    expect(ticket).toBeTruthy();
    expect(await linkedIdentities(sender.token)).toEqual([]);

    // The partner's browser has the ticket but not the sender's browserKey: refused, and the ticket is burnt.
    const partnerTry = await complete(ticket!, 'not-the-browser-key', partner.token);
    expect(partnerTry.status).toBe(401);
    expect((await complete(ticket!, started.browserKey, sender.token)).status).toBe(401);
    // The sender has the browserKey but not the ticket.
    expect((await complete('the-sender-has-no-ticket', started.browserKey, sender.token)).status).toBe(401);

    expect(await linkedIdentities(sender.token)).toEqual([]);
    expect(await linkedIdentities(partner.token)).toEqual([]);
    expect((await api<Me>(server.url, 'GET', '/api/me', { token: sender.token })).body.linked.google).toBe(false);
    // The partner's later "Sign in with Google" does not land in the sender's account.
    expect((await googleFlow('signin', partnerSub)).landing.get('error')).toBe('not_linked');
  });

  it('a link ticket completes only with a token of the account that started it', async () => {
    const owner = await signUp(server.url);
    const other = await signUp(server.url);
    const sub = uniqueSub();

    const first = await start('link', owner.token);
    const ticket1 = (await landingAfter(first.url, sub, callback)).get('ticket')!;
    const wrongAccount = await complete(ticket1, first.browserKey, other.token);
    expect(wrongAccount.status).toBe(403);
    expect(wrongAccount.body.error?.code).toBe('forbidden');
    expect((await complete(ticket1, first.browserKey, owner.token)).status).toBe(401); // burnt

    const second = await start('link', owner.token);
    const ticket2 = (await landingAfter(second.url, sub, callback)).get('ticket')!;
    expect((await complete(ticket2, second.browserKey)).status).toBe(401); // no token
    expect((await complete(ticket2, second.browserKey, owner.token)).status).toBe(401); // burnt

    expect(await linkedIdentities(owner.token)).toEqual([]);
    expect(await linkedIdentities(other.token)).toEqual([]);
    expect((await googleFlow('link', sub, owner.token)).done?.status).toBe(200);
  });

  it('an account suspended between starting and finishing a link cannot finish it', async () => {
    const owner = await signUp(server.url);
    const started = await start('link', owner.token);
    const ticket = (await landingAfter(started.url, uniqueSub(), callback)).get('ticket')!;
    const until = new Date(Date.now() + 3600_000).toISOString();
    expect(await server.service.store.setSuspension(owner.account.id, until)).toBe(true);
    const done = await complete(ticket, started.browserKey, owner.token);
    expect(done.status).toBe(403);
    expect(done.body.error?.code).toBe('suspended');
    expect(await linkedIdentities(owner.token)).toEqual([]);
  });

  it('a sign-in ticket needs the browserKey of the browser that started it; a wrong one burns the ticket', async () => {
    const user = await signUp(server.url);
    const sub = uniqueSub();
    expect((await googleFlow('link', sub, user.token)).done?.status).toBe(200);

    const started = await start('signin');
    const ticket = (await landingAfter(started.url, sub, callback)).get('ticket')!;
    expect((await complete(ticket, undefined)).status).toBe(400);
    const wrong = await complete(ticket, (await start('signin')).browserKey);
    expect(wrong.status).toBe(401);
    expect(wrong.body.error?.code).toBe('unauthorized');
    expect((await complete(ticket, started.browserKey)).status).toBe(401); // burnt

    const again = await start('signin');
    const ticket2 = (await landingAfter(again.url, sub, callback)).get('ticket')!;
    const done = await complete(ticket2, again.browserKey);
    expect(done.status).toBe(200);
    expect(done.body.account.id).toBe(user.account.id);
  });
});

describe('Google starts cannot lock everybody out (issue 9, finding 3)', () => {
  it('limits starts per client address: 429 rate_limited with Retry-After; another address is unaffected', async () => {
    const pair = await startPair({ RATE_GOOGLE_START: '3/60', TRUST_PROXY: '127.0.0.1/32' });
    try {
      const from = (ip: string) => api(pair.server.url, 'POST', '/api/auth/google/start', { body: { intent: 'signin' }, headers: { 'x-forwarded-for': ip } });
      for (let i = 0; i < 3; i++) expect((await from('203.0.113.7')).status).toBe(200);
      const refused = await from('203.0.113.7');
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ error: { code: 'rate_limited', retryAfterMs: expect.any(Number) } });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await from('198.51.100.9')).status).toBe(200);
    } finally {
      await pair.server.stop();
      await pair.provider.close();
    }
  });

  it('when the flows in progress fill up, the oldest is dropped: another person still signs in', async () => {
    const maxPending = 4;
    const pair = await startPair({}, maxPending);
    try {
      const user = await signUp(pair.server.url);
      const sub = uniqueSub();
      const link = await start('link', user.token, pair.server.url);
      const linkTicket = (await landingAfter(link.url, sub, pair.callback)).get('ticket')!;
      expect((await complete(linkTicket, link.browserKey, user.token, pair.server.url)).status).toBe(200);

      // One address starts twice the bound of sign-ins and never finishes them.
      const flood: Started[] = [];
      for (let i = 0; i < maxPending * 2; i++) flood.push(await start('signin', undefined, pair.server.url));

      // Somebody else's fresh flow starts and completes.
      const mine = await start('signin', undefined, pair.server.url);
      const ticket = (await landingAfter(mine.url, sub, pair.callback)).get('ticket')!;
      expect(ticket).toBeTruthy();
      const done = await complete(ticket, mine.browserKey, undefined, pair.server.url);
      expect(done.status).toBe(200);
      expect(done.body.account.id).toBe(user.account.id);

      // The oldest of the flood was dropped to make room: its callback finds nothing.
      expect((await landingAfter(flood[0]!.url, uniqueSub(), pair.callback)).get('error')).toBe('expired');
    } finally {
      await pair.server.stop();
      await pair.provider.close();
    }
  });
});

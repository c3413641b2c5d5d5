/** P6: Google sign-in and linking over OpenID Connect, against a real provider on 127.0.0.1. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findInFiles } from '../helpers/forensic.js';
import { api, type SignUp, signUp } from '../helpers/http.js';
import { freePort, type Running, startService } from '../helpers/inProcess.js';
import { type LocalProvider, loginAt, startOidcProvider } from '../helpers/oidcProvider.js';

let provider: LocalProvider;
let server: Running;
let callback: string;

beforeAll(async () => {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  callback = `${publicUrl}/api/auth/google/callback`;
  provider = await startOidcProvider({ clientId: 'metsony', clientSecret: 'provider-secret', redirectUri: callback });
  server = await startService({
    PORT: String(port),
    PUBLIC_URL: publicUrl,
    GOOGLE_CLIENT_ID: 'metsony',
    GOOGLE_CLIENT_SECRET: 'provider-secret',
    GOOGLE_ISSUER: provider.issuer,
  });
});
afterAll(async () => {
  await server?.stop();
  await provider?.close();
});

/** Start → the provider's pages as `subject` → our callback; returns where our server sends the browser. */
async function googleFlow(intent: 'signin' | 'link', subject: string, token?: string): Promise<URLSearchParams> {
  const start = await api<{ url: string }>(server.url, 'POST', '/api/auth/google/start', { body: { intent }, token });
  expect(start.status).toBe(200);
  const callbackUrl = await loginAt(start.body.url, subject, callback);
  const res = await fetch(callbackUrl, { redirect: 'manual' });
  expect(res.status).toBe(303);
  expect(res.headers.get('set-cookie')).toBeNull();
  const location = res.headers.get('location') ?? '';
  expect(location).toMatch(/^\/#\/google\?/);
  return new URLSearchParams(location.split('?')[1]);
}

const uniqueSub = () => `g-${Math.random().toString(36).slice(2, 12)}`;

describe('Google', () => {
  it('is announced in /api/config', async () => {
    expect((await api(server.url, 'GET', '/api/config')).body).toMatchObject({ google: true });
  });

  it('links to a signed-in account, then signs in with a one-time ticket; the id and email are exported', async () => {
    const user = await signUp(server.url, [], 'Linker');
    const sub = uniqueSub();
    expect((await googleFlow('link', sub, user.token)).get('linked')).toBe('google');
    expect((await api<SignUp['account']>(server.url, 'GET', '/api/me', { token: user.token })).body.linked).toEqual({ google: true });

    const outcome = await googleFlow('signin', sub);
    const ticket = outcome.get('ticket')!;
    expect(ticket).toBeTruthy();
    const done = await api<{ account: SignUp['account']; token: string }>(server.url, 'POST', '/api/auth/google/complete', { body: { ticket } });
    expect(done.status).toBe(200);
    expect(done.body.account).toMatchObject({ id: user.account.id, linked: { google: true } });
    expect((await api(server.url, 'GET', '/api/me', { token: done.body.token })).status).toBe(200);
    expect((await api(server.url, 'POST', '/api/auth/google/complete', { body: { ticket } })).status).toBe(401); // one time

    const exported = (await api<{ linkedIdentities: unknown[] }>(server.url, 'GET', '/api/me/export', { token: user.token })).body;
    expect(exported.linkedIdentities).toEqual([{ provider: 'google', subject: sub, email: `${sub}@example.test`, createdAt: expect.any(String) }]);
  });

  it('refuses to sign in a Google account that is linked to nobody, or to link one twice', async () => {
    expect((await googleFlow('signin', uniqueSub())).get('error')).toBe('not_linked');
    const sub = uniqueSub();
    const first = await signUp(server.url);
    const second = await signUp(server.url);
    expect((await googleFlow('link', sub, first.token)).get('linked')).toBe('google');
    expect((await googleFlow('link', sub, second.token)).get('error')).toBe('already_linked');
  });

  it('unlinks; delete everything leaves no trace of the id or email', async () => {
    const user = await signUp(server.url);
    const sub = uniqueSub();
    await googleFlow('link', sub, user.token);
    expect(findInFiles(server.dataDir, [sub]).length).toBeGreaterThan(0);
    expect((await api(server.url, 'DELETE', '/api/me/links/google', { token: user.token })).status).toBe(204);
    expect((await api<SignUp['account']>(server.url, 'GET', '/api/me', { token: user.token })).body.linked.google).toBe(false);
    expect((await api(server.url, 'DELETE', '/api/me/links/google', { token: user.token })).status).toBe(404);
    expect(findInFiles(server.dataDir, [sub, `${sub}@example.test`])).toEqual([]);

    const other = await signUp(server.url);
    const sub2 = uniqueSub();
    await googleFlow('link', sub2, other.token);
    expect((await api(server.url, 'DELETE', '/api/me', { token: other.token })).status).toBe(204);
    expect(findInFiles(server.dataDir, [sub2, `${sub2}@example.test`])).toEqual([]);
    expect((await googleFlow('signin', sub2)).get('error')).toBe('not_linked');
  });

  it('answers bad starts and stray callbacks clearly', async () => {
    expect((await api(server.url, 'POST', '/api/auth/google/start', { body: { intent: 'link' } })).status).toBe(401);
    expect((await api(server.url, 'POST', '/api/auth/google/start', { body: { intent: 'hack' } })).status).toBe(400);
    const stray = await fetch(`${callback}?code=abc&state=unknown`, { redirect: 'manual' });
    expect(stray.headers.get('location')).toBe('/#/google?error=expired');
    const cancelled = await fetch(`${callback}?error=access_denied&state=x`, { redirect: 'manual' });
    expect(cancelled.headers.get('location')).toBe('/#/google?error=cancelled');
    expect((await api(server.url, 'POST', '/api/auth/google/complete', { body: { ticket: 'forged' } })).status).toBe(401);
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
  });
});

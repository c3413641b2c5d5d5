/** P10, P12, P15: security headers on every response, and never a cookie. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_ROOT } from '../../src/server/app.js';
import { signUp } from '../helpers/http.js';
import { type Running, startService } from '../helpers/inProcess.js';

let server: Running;
let token: string;
beforeAll(async () => {
  server = await startService({ TRUST_PROXY: '127.0.0.1/32' });
  token = (await signUp(server.url)).token;
});
afterAll(async () => {
  await server.stop();
});

function expectSecure(res: Response, what: string) {
  const h = res.headers;
  expect(h.get('set-cookie'), what).toBeNull();
  const csp = h.get('content-security-policy') ?? '';
  expect(csp, what).toContain("default-src 'self'");
  expect(csp, what).toContain("script-src 'self'");
  expect(csp, what).not.toContain('unsafe-inline');
  expect(csp, what).not.toContain('unsafe-eval');
  expect(csp, what).toContain("frame-ancestors 'none'");
  expect(h.get('referrer-policy'), what).toBe('no-referrer');
  expect(h.get('x-content-type-options'), what).toBe('nosniff');
  expect(h.get('x-frame-options'), what).toBe('DENY');
  const permissions = h.get('permissions-policy') ?? '';
  for (const feature of ['camera=()', 'microphone=()', 'geolocation=()']) expect(permissions, what).toContain(feature);
}

describe('every response', () => {
  const assets = () => {
    const dir = path.join(WEB_ROOT, 'assets');
    return fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => `/assets/${f}`) : [];
  };

  it('carries the security headers and no Set-Cookie: HTML, API, assets, errors', async () => {
    const requests: Array<[string, RequestInit]> = [
      ['/', {}],
      ['/index.html', {}],
      ['/some/client/route', {}],
      ['/healthz', {}],
      ['/api/config', {}],
      ['/api/me', { headers: { authorization: `Bearer ${token}` } }],
      ['/api/me', {}],
      ['/api/nope', {}],
      ['/api/accounts', { method: 'POST', body: '{bad', headers: { 'content-type': 'application/json' } }],
      ['/api/accounts', { method: 'POST', body: JSON.stringify({ nickname: 'h', interests: [], adult: true }), headers: { 'content-type': 'application/json' } }],
      ['/assets/missing.js', {}],
      ...assets().map((a): [string, RequestInit] => [a, {}]),
    ];
    for (const [url, init] of requests) {
      const res = await fetch(server.url + url, init);
      expectSecure(res, `${init.method ?? 'GET'} ${url} → ${res.status}`);
    }
  });

  it('serves the web app as text/html; charset=utf-8', async () => {
    // `npm test` builds the web app first; run `npm run build:web` before running this file alone.
    expect(fs.existsSync(path.join(WEB_ROOT, 'index.html')), 'dist/web is missing: npm run build:web').toBe(true);
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    // The app's routes are hash routes: another path is a 404 page, still HTML (delivery.test.ts).
    const deep = await fetch(`${server.url}/chat/anything`);
    expect(deep.status).toBe(404);
    expect(deep.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  it('caches hashed assets for a year and revalidates HTML', async () => {
    expect(fs.existsSync(path.join(WEB_ROOT, 'index.html')), 'dist/web is missing: npm run build:web').toBe(true);
    const files = assets();
    expect(files.length).toBeGreaterThan(0);
    for (const asset of files) {
      expect((await fetch(server.url + asset)).headers.get('cache-control'), asset).toBe('public, max-age=31536000, immutable');
    }
    for (const page of ['/', '/index.html', '/some/client/route']) {
      const res = await fetch(server.url + page);
      expect(res.headers.get('cache-control'), page).toBe('no-cache');
      expect(res.headers.get('content-type'), page).toBe('text/html; charset=utf-8');
    }
  });

  it('never lets a cache keep an API answer: Cache-Control no-store on every /api/ response, errors and 404s too', async () => {
    const requests: Array<[string, RequestInit]> = [
      ['/api/config', {}],
      ['/api/me', { headers: { authorization: `Bearer ${token}` } }],
      ['/api/me', {}],
      ['/api/me/export', { headers: { authorization: `Bearer ${token}` } }],
      ['/api/inbox', { headers: { authorization: `Bearer ${token}` } }],
      ['/api/nope', {}],
      ['/api/accounts', { method: 'POST', body: '{bad', headers: { 'content-type': 'application/json' } }],
      ['/api/accounts', { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } }],
      ['/api/accounts', { method: 'POST', body: JSON.stringify({ nickname: 'n', interests: [], adult: true }), headers: { 'content-type': 'application/json' } }],
      ['/api/sessions', { method: 'POST', body: JSON.stringify({ recoveryCode: 'wrong-code' }), headers: { 'content-type': 'application/json' } }],
    ];
    for (const [url, init] of requests) {
      const res = await fetch(server.url + url, init);
      expect(res.headers.get('cache-control'), `${init.method ?? 'GET'} ${url} → ${res.status}`).toBe('no-store');
    }
  });

  it('adds HSTS only when served over HTTPS (as told by a trusted proxy)', async () => {
    expect((await fetch(`${server.url}/healthz`)).headers.get('strict-transport-security')).toBeNull();
    const https = await fetch(`${server.url}/healthz`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(https.headers.get('strict-transport-security')).toMatch(/max-age=\d{7,}/);
  });
});

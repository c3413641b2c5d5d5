/**
 * Issue 13 item 10, delivery: precompressed assets with the right Content-Encoding, a real 404 for
 * paths that are not the app, robots.txt, and a web app manifest whose icons exist (the CSP allows it).
 * Needs the built web app (`npm run build:web`).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_ROOT } from '../../src/server/app.js';
import { type Running, startService } from '../helpers/inProcess.js';

let server: Running;
beforeAll(async () => {
  expect(fs.existsSync(path.join(WEB_ROOT, 'index.html')), 'dist/web is missing: npm run build:web').toBe(true);
  server = await startService();
});
afterAll(async () => {
  await server.stop();
});

type Raw = { status: number; headers: http.IncomingHttpHeaders; body: Buffer };

/** A GET whose Accept-Encoding we choose and whose body we get as sent (fetch would decode it). */
function get(url: string, acceptEncoding?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.get(server.url + url, { headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

const decode: Record<string, (b: Buffer) => Buffer> = {
  br: (b) => zlib.brotliDecompressSync(b),
  gzip: (b) => zlib.gunzipSync(b),
};

const scripts = () => fs.readdirSync(path.join(WEB_ROOT, 'assets')).filter((f) => f.endsWith('.js') || f.endsWith('.css'));

describe('precompressed assets', () => {
  it('the page, scripts and styles come brotli- or gzip-encoded as asked, with their own type, identical once decoded', async () => {
    // The build leaves files under 512 bytes as they are: too small to gain.
    const big = scripts().filter((f) => fs.statSync(path.join(WEB_ROOT, 'assets', f)).size >= 512);
    const files = ['/', ...big.map((f) => `/assets/${f}`)];
    expect(files.length).toBeGreaterThan(2);
    for (const url of files) {
      const original = fs.readFileSync(path.join(WEB_ROOT, url === '/' ? 'index.html' : url));
      const plain = await get(url);
      expect(plain.headers['content-encoding'], url).toBeUndefined();
      expect(plain.body.equals(original), url).toBe(true);
      for (const [asked, encoding] of [
        ['br, gzip', 'br'],
        ['gzip, deflate', 'gzip'],
      ] as const) {
        const res = await get(url, asked);
        expect(res.status, url).toBe(200);
        expect(res.headers['content-encoding'], `${url} ${asked}`).toBe(encoding);
        expect(res.headers.vary, url).toMatch(/accept-encoding/i);
        expect(res.headers['content-type'], url).toBe(plain.headers['content-type']);
        expect(res.headers['cache-control'], url).toBe(plain.headers['cache-control']);
        expect(res.headers['content-security-policy'], url).toBeDefined();
        expect(decode[encoding]!(res.body).equals(original), `${url} ${encoding}`).toBe(true);
        expect(res.body.length, url).toBeLessThan(original.length);
      }
    }
    expect((await get('/')).headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('the landing page loads one entry script; the screens behind it are chunks of their own', async () => {
    const html = (await get('/')).body.toString();
    const loaded = [...html.matchAll(/(?:src|href)="\/assets\/([^"]+\.js)"/g)].map((m) => m[1]!);
    expect(loaded.length).toBeGreaterThan(0);
    const chunks = scripts().filter((f) => f.endsWith('.js'));
    for (const screen of ['ChatScreen', 'SettingsScreen', 'PrivacyScreen', 'ThreadScreen', 'SearchingScreen', 'ModerateScreen']) {
      expect(chunks.some((f) => f.startsWith(`${screen}-`)), screen).toBe(true);
      expect(loaded.some((f) => f.startsWith(`${screen}-`)), screen).toBe(false);
    }
  });
});

describe('not found', () => {
  it('a path that is not the app is a real 404: a small HTML page with the security headers, never the app', async () => {
    for (const url of ['/nope', '/chat/anything', '/settings', '/assets/missing.js', '/index.htm']) {
      const res = await get(url);
      expect(res.status, url).toBe(404);
      expect(res.headers['content-type'], url).toBe('text/html; charset=utf-8');
      expect(res.headers['content-security-policy'], url).toContain("default-src 'self'");
      expect(res.headers['set-cookie'], url).toBeUndefined();
      const body = res.body.toString();
      expect(body, url).toContain('Nothing here');
      expect(body, url).not.toContain('<script');
    }
  });

  it('/ and /index.html are the app; /api stays JSON', async () => {
    for (const url of ['/', '/index.html']) expect((await get(url)).status, url).toBe(200);
    const api = await get('/api/nope');
    expect(api.status).toBe(404);
    expect(JSON.parse(api.body.toString())).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('robots.txt and the manifest', () => {
  it('robots.txt is plain text and keeps crawlers out of the API', async () => {
    const res = await get('/robots.txt');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body.toString()).toMatch(/^User-agent: \*$/m);
    expect(res.body.toString()).toMatch(/^Disallow: \/api\/$/m);
  });

  it('the page links a manifest the CSP allows, whose icons exist at the sizes it says', async () => {
    const page = await get('/');
    expect(page.body.toString()).toContain('<link rel="manifest" href="/manifest.webmanifest"');
    expect(page.headers['content-security-policy']).toContain("manifest-src 'self'");
    const res = await get('/manifest.webmanifest');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/manifest\+json/);
    const manifest = JSON.parse(res.body.toString()) as { name: string; start_url: string; display: string; icons: Array<{ src: string; sizes: string; type: string; purpose?: string }> };
    expect(manifest).toMatchObject({ short_name: 'METSONY', start_url: '/', display: 'standalone' });
    const pngSizes = new Set<string>();
    for (const icon of manifest.icons) {
      const file = await get(icon.src);
      expect(file.status, icon.src).toBe(200);
      expect(file.headers['content-type'], icon.src).toMatch(new RegExp(`^${icon.type.replace('+', '\\+')}`));
      if (icon.type !== 'image/png') continue;
      // A PNG's width and height are the two big-endian words after "IHDR".
      const at = file.body.indexOf('IHDR') + 4;
      expect(`${file.body.readUInt32BE(at)}x${file.body.readUInt32BE(at + 4)}`, icon.src).toBe(icon.sizes);
      pngSizes.add(`${icon.sizes}${icon.purpose === 'maskable' ? ' maskable' : ''}`);
    }
    // What Chrome asks of an installable app: 192 and 512 pixel icons.
    expect([...pngSizes]).toEqual(expect.arrayContaining(['192x192', '512x512']));
  });
});

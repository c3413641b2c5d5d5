/**
 * A real OpenID Connect provider (`oidc-provider`) on 127.0.0.1, standing in
 * for Google, and a scripted person who logs in on its development pages.
 */
import http from 'node:http';
import Provider from 'oidc-provider';

export type LocalProvider = { issuer: string; close(): Promise<void> };

export async function startOidcProvider(client: { clientId: string; clientSecret: string; redirectUri: string }): Promise<LocalProvider> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const issuer = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        redirect_uris: [client.redirectUri],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    findAccount: async (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: async () => ({ sub, email: `${sub}@example.test`, email_verified: true }),
    }),
    features: { devInteractions: { enabled: true } },
  });
  server.on('request', provider.callback());
  return { issuer, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * Follows the authorization URL through the provider's login and consent
 * pages as `subject`, with the provider's own cookies, until it redirects to
 * `callbackPrefix`; returns that callback URL.
 */
export async function loginAt(authUrl: string, subject: string, callbackPrefix: string): Promise<string> {
  const jar = new Map<string, string>();
  let url = authUrl;
  let init: { method: string; body?: string } = { method: 'GET' };
  for (let step = 0; step < 25; step++) {
    const headers: Record<string, string> = { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') };
    if (init.body) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1));
    }
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location') ?? '', url).toString();
      if (next.startsWith(callbackPrefix)) return next;
      url = next;
      init = { method: 'GET' };
      continue;
    }
    const html = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`no form at step ${step} (${res.status}): ${html.slice(0, 300)}`);
    const fields = new URLSearchParams();
    for (const m of html.matchAll(/<input[^>]*>/g)) {
      const name = /name="([^"]+)"/.exec(m[0])?.[1];
      if (!name) continue;
      fields.set(name, /value="([^"]*)"/.exec(m[0])?.[1] ?? '');
    }
    if (fields.has('login')) {
      fields.set('login', subject);
      fields.set('password', 'any');
    }
    url = new URL(action.replaceAll('&amp;', '&'), url).toString();
    init = { method: 'POST', body: fields.toString() };
  }
  throw new Error('the provider never redirected back');
}

/**
 * A browser that follows `authUrl` through the provider as `subject` and then
 * to our callback: the `/#/google?…` landing it is sent to, as parameters.
 */
export async function landingAfter(authUrl: string, subject: string, callbackPrefix: string): Promise<URLSearchParams> {
  const res = await fetch(await loginAt(authUrl, subject, callbackPrefix), { redirect: 'manual' });
  if (res.status !== 303) throw new Error(`the callback answered ${res.status}`);
  if (res.headers.get('set-cookie') !== null) throw new Error('the callback set a cookie');
  const location = res.headers.get('location') ?? '';
  if (!location.startsWith('/#/google?')) throw new Error(`the callback sent the browser to ${location}`);
  return new URLSearchParams(location.slice('/#/google?'.length));
}

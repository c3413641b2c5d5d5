/**
 * Which HTTP routes need a token, and which of them a suspended account may
 * still use (export, delete everything, list its devices, sign out this one).
 * Authentication comes before the body is validated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, signUp } from '../helpers/http.js';
import { type Running, startService } from '../helpers/inProcess.js';

const ADMIN = 'moderator-secret-token-0123456789';
let server: Running;
beforeAll(async () => {
  server = await startService({ ADMIN_TOKEN: ADMIN });
});
afterAll(async () => {
  await server.stop();
});

type Route = [method: string, path: string];
/** Refused to a suspended account with 403 suspended. */
const ACTIVE_ONLY: Route[] = [
  ['GET', '/api/me'],
  ['PATCH', '/api/me'],
  ['POST', '/api/me/recovery-code'],
  ['DELETE', '/api/sessions/some-session'],
  ['GET', '/api/connections'],
  ['DELETE', '/api/connections/some-connection'],
  ['GET', '/api/inbox'],
  ['POST', '/api/inbox/read'],
  ['POST', '/api/translate'],
  ['DELETE', '/api/me/links/google'],
];
/** Open to every signed-in account, suspended or not. */
const ANY_ACCOUNT: Route[] = [
  ['GET', '/api/sessions'],
  ['GET', '/api/me/export'],
  ['DELETE', '/api/sessions/current'],
  ['DELETE', '/api/me'],
];
const WITH_BODY = new Set(['POST', 'PATCH']);

describe('a route that needs a token', () => {
  it('answers 401 unauthorized without one, with a malformed header or an unknown token, before looking at the body', async () => {
    const attempts: Array<Record<string, string>> = [{}, { authorization: 'Basic dXNlcjpwYXNz' }, { authorization: 'Bearer' }, { authorization: 'Bearer not-a-token' }];
    for (const [method, path] of [...ACTIVE_ONLY, ...ANY_ACCOUNT]) {
      for (const headers of attempts) {
        const res = await api(server.url, method, path, { headers, body: WITH_BODY.has(method) ? { unknownField: 1 } : undefined });
        expect({ method, path, headers, status: res.status, body: res.body }).toEqual({
          method,
          path,
          headers,
          status: 401,
          body: { error: { code: 'unauthorized', message: expect.any(String) } },
        });
      }
    }
  });
});

describe('a suspended account', () => {
  it('gets 403 suspended on the active-only routes and may list its devices, export, sign out and delete', async () => {
    const user = await signUp(server.url);
    const second = await api<{ token: string }>(server.url, 'POST', '/api/sessions', { body: { recoveryCode: user.recoveryCode } });
    const suspended = await api<{ until: string }>(server.url, 'POST', `/api/admin/accounts/${user.account.id}/suspend`, { token: ADMIN, body: { hours: 2 } });
    expect(suspended.status).toBe(200);
    const { until } = suspended.body;

    for (const [method, path] of ACTIVE_ONLY) {
      const res = await api(server.url, method, path, { token: user.token, body: WITH_BODY.has(method) ? { unknownField: 1 } : undefined });
      expect({ method, path, status: res.status, body: res.body }).toEqual({
        method,
        path,
        status: 403,
        body: { error: { code: 'suspended', message: expect.any(String), until } },
      });
    }

    const devices = await api<{ sessions: Array<{ current: boolean }> }>(server.url, 'GET', '/api/sessions', { token: user.token });
    expect(devices.status).toBe(200);
    expect(devices.body.sessions.map((s) => s.current).sort()).toEqual([false, true]);
    expect((await api(server.url, 'GET', '/api/me/export', { token: user.token })).status).toBe(200);
    expect((await api(server.url, 'DELETE', '/api/sessions/current', { token: second.body.token })).status).toBe(204);
    expect((await api(server.url, 'GET', '/api/sessions', { token: second.body.token })).status).toBe(401);
    expect((await api(server.url, 'DELETE', '/api/me', { token: user.token })).status).toBe(204);
    expect((await api(server.url, 'GET', '/api/sessions', { token: user.token })).status).toBe(401);
  });
});

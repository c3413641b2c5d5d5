import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type SignUp, signUp } from '../helpers/http.js';
import { type Running, serversOnPostgres, startService } from '../helpers/inProcess.js';

serversOnPostgres();

let server: Running;
beforeAll(async () => {
  server = await startService();
});
afterAll(async () => {
  await server.stop();
});

describe('POST /api/accounts', () => {
  it('creates an account with normalised interests, a recovery code and a token', async () => {
    const res = await api<SignUp>(server.url, 'POST', '/api/accounts', {
      body: { nickname: '  Ana  ', interests: ['  Rock   Music ', 'rock music', 'Chess'], adult: true },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('set-cookie')).toBeNull();
    const { account, recoveryCode, token } = res.body;
    expect(account.nickname).toBe('Ana');
    expect(account.interests).toEqual(['rock music', 'chess']);
    expect(account.linked).toEqual({ google: false });
    expect(new Date(account.createdAt).toISOString()).toBe(account.createdAt);
    expect(recoveryCode).toMatch(/^[a-z]+(-[a-z]+){5,}$/);
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
  });

  it('accepts no interests at all', async () => {
    const res = await api<SignUp>(server.url, 'POST', '/api/accounts', { body: { nickname: 'Solo', interests: [], adult: true } });
    expect(res.status).toBe(201);
    expect(res.body.account.interests).toEqual([]);
  });

  it.each([
    [{ nickname: 'x', interests: [], adult: false }, 'age_confirmation_required'],
    [{ nickname: 'x', interests: [] }, 'age_confirmation_required'],
    [{ nickname: 'x', interests: [], adult: 'true' }, 'age_confirmation_required'],
    [{ nickname: '   ', interests: [], adult: true }, 'bad_request'],
    [{ nickname: 'x'.repeat(33), interests: [], adult: true }, 'bad_request'],
    [{ nickname: 'a\u0000b', interests: [], adult: true }, 'bad_request'],
    [{ nickname: 'x', interests: ['x'.repeat(33)], adult: true }, 'bad_request'],
    [{ nickname: 'x', interests: Array.from({ length: 21 }, (_, i) => `i${i}`), adult: true }, 'bad_request'],
    [{ nickname: 'x', interests: [''], adult: true }, 'bad_request'],
    [{ nickname: 'x', interests: 'chess', adult: true }, 'bad_request'],
    [{ nickname: 42, interests: [], adult: true }, 'bad_request'],
    [{ nickname: 'x', interests: [], adult: true, email: 'a@b.c' }, 'bad_request'],
  ])('rejects %j with 400 %s', async (body, code) => {
    const res = await api(server.url, 'POST', '/api/accounts', { body });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code, message: expect.any(String) } });
  });

  it('rejects malformed JSON, a non-object body and a wrong content type', async () => {
    const bad = await api(server.url, 'POST', '/api/accounts', { rawBody: '{"nickname":' });
    expect(bad.status).toBe(400);
    expect((bad.body as { error: { code: string } }).error.code).toBe('bad_request');
    const arr = await api(server.url, 'POST', '/api/accounts', { rawBody: '[1,2]' });
    expect(arr.status).toBe(400);
    const text = await api(server.url, 'POST', '/api/accounts', { rawBody: 'nickname=x', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    expect((text.body as { error: { code: string } }).error.code).toBe('unsupported_media_type');
  });

  it('rejects a body that is too large with 413', async () => {
    const res = await api(server.url, 'POST', '/api/accounts', {
      body: { nickname: 'x', interests: [], adult: true, pad: 'x'.repeat(100_000) },
    });
    expect(res.status).toBe(413);
  });
});

describe('sign-in, me, log out', () => {
  it('signs in with the recovery code, tolerant of case and separators', async () => {
    const created = await signUp(server.url, ['chess']);
    const variants = [
      created.recoveryCode,
      created.recoveryCode.toUpperCase(),
      created.recoveryCode.replaceAll('-', ' '),
      created.recoveryCode.replaceAll('-', '.'),
      created.recoveryCode.replaceAll('-', '_'),
      `  ${created.recoveryCode.replaceAll('-', '  ')}  `,
    ];
    const tokens = new Set<string>();
    for (const recoveryCode of variants) {
      const res = await api<{ account: SignUp['account']; token: string }>(server.url, 'POST', '/api/sessions', { body: { recoveryCode } });
      expect(res.status).toBe(200);
      expect(res.body.account).toEqual(created.account);
      tokens.add(res.body.token);
    }
    expect(tokens.size).toBe(variants.length);
  });

  it('answers a wrong code with 401 invalid_recovery_code', async () => {
    const res = await api(server.url, 'POST', '/api/sessions', { body: { recoveryCode: 'abandon-abandon-abandon-abandon-abandon-about' } });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'invalid_recovery_code', message: expect.any(String) } });
    const missing = await api(server.url, 'POST', '/api/sessions', { body: {} });
    expect(missing.status).toBe(400);
  });

  it('GET /api/me needs a valid token', async () => {
    const created = await signUp(server.url, ['go']);
    const me = await api(server.url, 'GET', '/api/me', { token: created.token });
    expect(me.status).toBe(200);
    expect(me.body).toEqual(created.account);
    for (const token of [undefined, 'nope', created.token + 'x']) {
      const res = await api(server.url, 'GET', '/api/me', { token });
      expect(res.status).toBe(401);
      expect((res.body as { error: { code: string } }).error.code).toBe('unauthorized');
    }
  });

  it('PATCH /api/me edits nickname and interests with the same rules', async () => {
    const created = await signUp(server.url, ['go']);
    const res = await api(server.url, 'PATCH', '/api/me', { token: created.token, body: { nickname: ' New ', interests: ['A  B', 'a b', 'C'] } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: created.account.id, nickname: 'New', interests: ['a b', 'c'] });
    const partial = await api(server.url, 'PATCH', '/api/me', { token: created.token, body: { interests: [] } });
    expect(partial.body).toMatchObject({ nickname: 'New', interests: [] });
    const me = await api(server.url, 'GET', '/api/me', { token: created.token });
    expect(me.body).toMatchObject({ nickname: 'New', interests: [] });
    expect((await api(server.url, 'PATCH', '/api/me', { token: created.token, body: { nickname: '' } })).status).toBe(400);
    expect((await api(server.url, 'PATCH', '/api/me', { token: created.token, body: { adult: true } })).status).toBe(400);
    expect((await api(server.url, 'PATCH', '/api/me', { body: { nickname: 'x' } })).status).toBe(401);
  });

  it('log out revokes only that token', async () => {
    const created = await signUp(server.url);
    const second = await api<{ token: string }>(server.url, 'POST', '/api/sessions', { body: { recoveryCode: created.recoveryCode } });
    const out = await api(server.url, 'DELETE', '/api/sessions/current', { token: created.token });
    expect(out.status).toBe(204);
    expect((await api(server.url, 'GET', '/api/me', { token: created.token })).status).toBe(401);
    expect((await api(server.url, 'GET', '/api/me', { token: second.body.token })).status).toBe(200);
    expect((await api(server.url, 'DELETE', '/api/sessions/current', { token: created.token })).status).toBe(401);
  });
});

describe('public endpoints', () => {
  it('GET /healthz and /api/config', async () => {
    expect((await api(server.url, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
    const config = await api(server.url, 'GET', '/api/config');
    expect(config.status).toBe(200);
    expect(config.body).toMatchObject({ ai: expect.any(Boolean), translation: expect.any(Boolean), google: expect.any(Boolean) });
  });

  it('unknown API routes are a JSON 404 in the error shape', async () => {
    const res = await api(server.url, 'GET', '/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });
});

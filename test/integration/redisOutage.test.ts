/**
 * While Redis is away, what needs it (the per-address and per-account
 * limiters) answers a retryable `unavailable`, never 500 / `internal`; once
 * Redis is back it works again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { api, signUp } from '../helpers/http.js';
import { readinessBecomes, redisServerAvailable, serverWithOwnRedis } from '../helpers/redisServer.js';
import { TestSocket } from '../helpers/wsClient.js';

const WAIT_MS = 10_000;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const signUpBody = { nickname: 'Outage', interests: [], adult: true };

describe.skipIf(!redisServerAvailable())('a Redis outage', () => {
  it('answers unavailable (HTTP 503 with Retry-After, socket error) while Redis is down, and serves again once it is back', async () => {
    const { redis, server } = await serverWithOwnRedis(cleanups);
    const user = await signUp(server.url, ['outage']);
    const socket = await TestSocket.signedIn(server.wsUrl, user.token);
    cleanups.push(async () => socket.close());

    await redis.kill();
    await readinessBecomes(server, 503);

    const signUpRes = await api<{ error: { code: string; retryAfterMs: number } }>(server.url, 'POST', '/api/accounts', { body: signUpBody });
    expect(signUpRes.status).toBe(503);
    expect(signUpRes.body.error).toMatchObject({ code: 'unavailable', retryAfterMs: expect.any(Number) });
    expect(Number(signUpRes.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    const signInRes = await api<{ error: { code: string } }>(server.url, 'POST', '/api/sessions', { body: { recoveryCode: user.recoveryCode } });
    expect(signInRes.status).toBe(503);
    expect(signInRes.body.error.code).toBe('unavailable');

    socket.send({ type: 'find' });
    const refused = await socket.next('error');
    expect(refused).toMatchObject({ code: 'unavailable', retryAfterMs: expect.any(Number) });

    await redis.restart();
    await readinessBecomes(server, 200);
    const deadline = Date.now() + WAIT_MS;
    let status = 0;
    while (status !== 201 && Date.now() < deadline) {
      status = (await api(server.url, 'POST', '/api/accounts', { body: signUpBody })).status;
      if (status !== 201) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe(201);
    socket.send({ type: 'find' });
    await socket.next('searching');
    expect(socket.received('error').map((f) => f.code)).toEqual(['unavailable']);
    expect(server.logs()).not.toContain('unhandled error');
    expect(server.logs()).not.toContain('frame failed');
  });
});

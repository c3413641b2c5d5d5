/** TRUST_PROXY=cloudflare believes CF-* headers only from Cloudflare's addresses (issue 9, finding 4). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/http.js';
import { type Running, startService } from '../helpers/inProcess.js';

const signUpBody = { nickname: 'cf', interests: [], adult: true };

describe('TRUST_PROXY=cloudflare, request from outside CLOUDFLARE_IPS', () => {
  let server: Running;
  beforeAll(async () => {
    // This test connects from 127.0.0.1, which the override leaves out: a peer that is not Cloudflare.
    server = await startService({ TRUST_PROXY: 'cloudflare', CLOUDFLARE_IPS: '192.0.2.0/24', RATE_SIGNUP: '3/3600' });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('a rotated CF-Connecting-IP does not escape the per-address sign-up limit', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 4; i++) {
      const headers = { 'cf-connecting-ip': `198.51.100.${i}`, 'cf-ipcountry': 'PT' };
      statuses.push((await api(server.url, 'POST', '/api/accounts', { body: signUpBody, headers })).status);
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
  });
});

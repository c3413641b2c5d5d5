/** Operators: Prometheus metrics behind METRICS_TOKEN, and nothing personal in them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/http.js';
import { type Running, startService } from '../helpers/inProcess.js';
import { chatting } from '../helpers/people.js';
import { outage, redisServerAvailable, serverWithOwnRedis } from '../helpers/redisServer.js';

const TOKEN = 'metrics-token-0123456789abcdef';
let server: Running;
beforeAll(async () => {
  server = await startService({ METRICS_TOKEN: TOKEN });
});
afterAll(async () => {
  await server.stop();
});

const scrape = async (token?: string) => {
  const res = await fetch(`${server.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, text: await res.text() };
};
const value = (text: string, name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1]);

describe('GET /metrics', () => {
  it('needs the token; without METRICS_TOKEN it does not exist', async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape('wrong-token-0123456789')).status).toBe(401);
    const plain = await startService();
    try {
      expect((await api(plain.url, 'GET', '/metrics')).status).toBe(404);
    } finally {
      await plain.stop();
    }
  });

  it('counts sockets, chats, relayed messages and rejected frames, and holds no text', async () => {
    const before = await scrape(TOKEN);
    expect(before.status).toBe(200);
    const { a, b, chatId } = await chatting(server.url, server.wsUrl);
    for (let i = 0; i < 3; i++) a.socket.send({ type: 'send', chatId, id: `m${i}`, text: `metric-canary-${i}` });
    for (let i = 0; i < 3; i++) await b.socket.next('message');
    a.socket.send('not json');
    await a.socket.next('error');
    // pings beyond their small bucket are throttled
    for (let i = 0; i < 12; i++) a.socket.send({ type: 'ping' });
    await a.socket.next('error', (f) => f.code === 'rate_limited');
    const after = (await scrape(TOKEN)).text;
    expect(value(after, 'metsony_sockets_open')).toBeGreaterThanOrEqual(2);
    expect(value(after, 'metsony_chats_live')).toBeGreaterThanOrEqual(1);
    expect(value(after, 'metsony_messages_relayed_total') - (value(before.text, 'metsony_messages_relayed_total') || 0)).toBe(3);
    expect(value(after, 'metsony_frames_rejected_total')).toBeGreaterThanOrEqual(1);
    expect(value(after, 'metsony_frames_throttled_total')).toBeGreaterThanOrEqual(1);
    expect(after).toContain('metsony_http_responses_total{status="2xx"}');
    expect(after).toContain('metsony_process_');
    expect(after).not.toContain('metric-canary');
    // a dropped connection: its chat waits, and what is held for it is counted nowhere
    a.socket.ws.terminate();
    await b.socket.next('partner_away');
    b.socket.send({ type: 'send', chatId, id: 'held', text: 'metric-canary-held' });
    await b.socket.next('sent');
    const waiting = (await scrape(TOKEN)).text;
    expect(value(waiting, 'metsony_chats_waiting')).toBeGreaterThanOrEqual(1);
    expect(waiting).not.toContain('metric-canary');
    b.socket.close();
  });
});

const labelled = (text: string, name: string, labels: string) => Number(new RegExp(`^${name}\\{${labels}\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);

describe('GET /metrics: what the dashboard and alerts read', () => {
  it('errors by code, over HTTP and on the socket', async () => {
    const before = (await scrape(TOKEN)).text;
    expect((await api(server.url, 'GET', '/api/me')).status).toBe(401);
    expect((await api(server.url, 'GET', '/api/no-such-route')).status).toBe(404);
    const { a, b, chatId } = await chatting(server.url, server.wsUrl);
    a.socket.send({ type: 'leave', chatId: 'not-this-chat' });
    await a.socket.next('error', (f) => f.code === 'not_in_chat');
    const after = (await scrape(TOKEN)).text;
    expect(labelled(after, 'metsony_http_errors_total', 'code="unauthorized"') - labelled(before, 'metsony_http_errors_total', 'code="unauthorized"')).toBe(1);
    expect(labelled(after, 'metsony_http_errors_total', 'code="not_found"') - labelled(before, 'metsony_http_errors_total', 'code="not_found"')).toBe(1);
    expect(labelled(after, 'metsony_socket_errors_total', 'code="not_in_chat"') - labelled(before, 'metsony_socket_errors_total', 'code="not_in_chat"')).toBe(1);
    a.socket.close();
    b.socket.close();
  });

  it('rate-limit hits by limit', async () => {
    const limited = await startService({ METRICS_TOKEN: TOKEN, RATE_SIGNUP: '1/60' });
    try {
      expect((await api(limited.url, 'POST', '/api/accounts', { body: { nickname: 'one', interests: [], adult: true } })).status).toBe(201);
      expect((await api(limited.url, 'POST', '/api/accounts', { body: { nickname: 'two', interests: [], adult: true } })).status).toBe(429);
      const res = await fetch(`${limited.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const text = await res.text();
      expect(labelled(text, 'metsony_rate_limited_total', 'limit="signup"')).toBe(1);
      expect(labelled(text, 'metsony_http_errors_total', 'code="rate_limited"')).toBe(1);
    } finally {
      await limited.stop();
    }
  });

  it('match wait as a histogram; readiness and the database as gauges', async () => {
    const before = (await scrape(TOKEN)).text;
    const { a, b } = await chatting(server.url, server.wsUrl);
    const after = (await scrape(TOKEN)).text;
    expect(after).toContain('# TYPE metsony_match_wait_seconds histogram');
    // Both people of the chat waited: two observations, each under the largest finite bound.
    expect(value(after, 'metsony_match_wait_seconds_count') - (value(before, 'metsony_match_wait_seconds_count') || 0)).toBe(2);
    expect(labelled(after, 'metsony_match_wait_seconds_bucket', 'le="300"')).toBe(value(after, 'metsony_match_wait_seconds_count'));
    expect(value(after, 'metsony_match_wait_seconds_sum')).toBeGreaterThanOrEqual(0);
    expect(value(after, 'metsony_ready')).toBe(1);
    expect(labelled(after, 'metsony_dependency_up', 'dependency="database"')).toBe(1);
    expect(after).not.toContain('dependency="redis"');
    expect(after).toMatch(/^metsony_process_nodejs_eventloop_lag_p99_seconds \S+$/m);
    a.socket.close();
    b.socket.close();
  });

  it.runIf(redisServerAvailable())('readiness lost and Redis down show as 0', async () => {
    const cleanups: Array<() => Promise<void>> = [];
    try {
      const { redis, server: node } = await serverWithOwnRedis(cleanups, { METRICS_TOKEN: TOKEN });
      const read = async () => (await fetch(`${node.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
      const up = await read();
      expect(value(up, 'metsony_ready')).toBe(1);
      expect(labelled(up, 'metsony_dependency_up', 'dependency="redis"')).toBe(1);
      await outage(redis, node);
      const down = await read();
      expect(value(down, 'metsony_ready')).toBe(0);
      expect(labelled(down, 'metsony_dependency_up', 'dependency="redis"')).toBe(0);
      expect(labelled(down, 'metsony_dependency_up', 'dependency="database"')).toBe(1);
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup();
    }
  });
});

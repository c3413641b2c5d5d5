/** Operators: Prometheus metrics behind METRICS_TOKEN, and nothing personal in them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/http.js';
import { type Running, startService } from '../helpers/inProcess.js';
import { chatting } from '../helpers/people.js';

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

/** P11: AI partners (always labelled) and translation, through a local fake of the OpenAI-compatible API. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, XAI_BASE_URL } from '../../src/server/config.js';
import { type FakeOpenAi, startFakeOpenAi } from '../helpers/fakeOpenAi.js';
import { api, signUp } from '../helpers/http.js';
import { type Running, startService } from '../helpers/inProcess.js';
import { freshTopic, person } from '../helpers/people.js';

let fake: FakeOpenAi;
let server: Running;
beforeAll(async () => {
  fake = await startFakeOpenAi();
  server = await startService({
    AI_BASE_URL: fake.url,
    AI_API_KEY: 'test-key-not-secret',
    AI_MODEL: 'fake-model',
    AI_PARTNER_AFTER_MS: '300',
    MATCH_WIDEN_AFTER_MS: '5000',
    RATE_TRANSLATE: '1000/60',
  });
});
afterAll(async () => {
  await server.stop();
  await fake.close();
});
beforeEach(() => {
  fake.failing = false;
});

async function aiChat(interests: string[] = [freshTopic()]) {
  const p = await person(server.url, server.wsUrl, interests);
  p.socket.send({ type: 'find' });
  await p.socket.next('searching');
  const matched = await p.socket.next('matched', undefined, 5000);
  return { ...p, chatId: matched.chat.id, matched };
}

describe('configuration', () => {
  it('GET /api/config says what is on', async () => {
    expect((await api(server.url, 'GET', '/api/config')).body).toEqual({ ai: true, translation: true, google: false, challenge: 'off' });
    const plain = await startService();
    try {
      expect((await api(plain.url, 'GET', '/api/config')).body).toEqual({ ai: false, translation: false, google: false, challenge: 'off' });
    } finally {
      await plain.stop();
    }
  });

  it('XAI_API_KEY selects xAI; AI_BASE_URL any OpenAI-compatible server; neither is off', () => {
    expect(loadConfig({ XAI_API_KEY: 'k' }).ai).toMatchObject({ provider: 'xai', baseUrl: XAI_BASE_URL, apiKey: 'k' });
    expect(loadConfig({ AI_BASE_URL: 'http://127.0.0.1:11434/v1', AI_MODEL: 'llama3' }).ai).toMatchObject({ provider: 'openai-compatible', model: 'llama3' });
    expect(loadConfig({}).ai.provider).toBe('none');
    expect(() => loadConfig({ AI_BASE_URL: 'not a url' })).toThrow(/AI_BASE_URL/);
  });
});

describe('AI partner', () => {
  it('fills in when no human is found soon, labelled as AI, and answers', async () => {
    const topic = freshTopic();
    const { socket, chatId, matched } = await aiChat([topic]);
    expect(matched.chat.partner).toMatchObject({ ai: true, commonInterests: [topic] });
    socket.send({ type: 'send', chatId, id: 'h1', text: 'hello robot 👋' });
    expect(await socket.next('sent')).toEqual({ type: 'sent', chatId, id: 'h1' });
    expect(await socket.next('typing')).toEqual({ type: 'typing', chatId, typing: true });
    const reply = await socket.next('message');
    expect(reply).toMatchObject({ chatId, text: 'AI says: hello robot 👋' });
    const request = fake.requests.at(-1)!;
    expect(request.model).toBe('fake-model');
    expect(request.authorization).toBe('Bearer test-key-not-secret');
    expect(request.messages[0]!.role).toBe('system');
    expect(request.messages[0]!.content).toContain('AI');
    expect(request.messages.at(-1)).toEqual({ role: 'user', content: 'hello robot 👋' });
    // the conversation so far goes with the next request
    socket.send({ type: 'send', chatId, id: 'h2', text: 'second' });
    await socket.next('message', (f) => f.text === 'AI says: second');
    expect(fake.requests.at(-1)!.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(server.logs()).not.toContain('hello robot');
    socket.close();
  });

  it('two humans who fit are paired with each other, not with an AI', async () => {
    const topic = freshTopic();
    const a = await person(server.url, server.wsUrl, [topic]);
    const b = await person(server.url, server.wsUrl, [topic]);
    a.socket.send({ type: 'find' });
    b.socket.send({ type: 'find' });
    expect((await a.socket.next('matched')).chat.partner.ai).toBe(false);
    expect((await a.socket.quiet(500)).filter((f) => f.type === 'matched')).toEqual([]);
    a.socket.close();
    b.socket.close();
  });

  it('cannot become a connection or see a profile; report and block end politely', async () => {
    const { socket, chatId } = await aiChat();
    socket.send({ type: 'connect', chatId });
    expect(await socket.next('error')).toMatchObject({ code: 'bad_request' });
    socket.send({ type: 'reveal', chatId, profile: { firstName: 'Zoe' } });
    expect(await socket.next('error')).toMatchObject({ code: 'bad_request' });
    socket.send({ type: 'report', chatId, reason: 'other' });
    expect(await socket.next('reported')).toEqual({ type: 'reported', chatId });
    socket.send({ type: 'block', chatId });
    expect(await socket.next('ended')).toEqual({ type: 'ended', chatId, reason: 'blocked' });
    socket.close();
  });

  it('a provider failure is a clear error; the chat goes on', async () => {
    const { socket, chatId } = await aiChat();
    fake.failing = true;
    socket.send({ type: 'send', chatId, id: 'f1', text: 'are you there?' });
    expect(await socket.next('error')).toMatchObject({ code: 'ai_unavailable' });
    fake.failing = false;
    socket.send({ type: 'send', chatId, id: 'f2', text: 'again' });
    expect((await socket.next('message')).text).toBe('AI says: again');
    socket.send({ type: 'leave', chatId });
    expect(await socket.next('ended')).toEqual({ type: 'ended', chatId, reason: 'you_left' });
    socket.close();
  });
});

describe('translation', () => {
  it('translates into the reader’s language, naming the source language', async () => {
    const user = await signUp(server.url);
    const res = await api(server.url, 'POST', '/api/translate', { token: user.token, body: { text: 'Olá, como você está hoje? Tudo bem?', to: 'en-US' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ text: '[en] Olá, como você está hoje? Tudo bem?', from: 'pt', to: 'en' });
    expect(fake.requests.at(-1)!.messages[0]!.content).toContain('English');
  });

  it('returns text already in that language without asking the model', async () => {
    const user = await signUp(server.url);
    const before = fake.requests.length;
    const text = 'This sentence is already written in plain English, my friend.';
    const res = await api(server.url, 'POST', '/api/translate', { token: user.token, body: { text, to: 'en' } });
    expect(res.body).toEqual({ text, from: 'en', to: 'en' });
    expect(fake.requests.length).toBe(before);
  });

  it('answers bad input, no token, provider trouble and a disabled server clearly', async () => {
    const user = await signUp(server.url);
    expect((await api(server.url, 'POST', '/api/translate', { body: { text: 'x', to: 'en' } })).status).toBe(401);
    for (const body of [{ text: '', to: 'en' }, { text: 'hi', to: '12' }, { text: 'hi' }, { text: 'hi', to: 'en', extra: 1 }]) {
      expect((await api(server.url, 'POST', '/api/translate', { token: user.token, body })).status).toBe(400);
    }
    expect((await api(server.url, 'POST', '/api/translate', { token: user.token, body: { text: 'x'.repeat(2001), to: 'en' } })).body).toMatchObject({ error: { code: 'too_long' } });
    fake.failing = true;
    const down = await api(server.url, 'POST', '/api/translate', { token: user.token, body: { text: 'Bonjour tout le monde, comment allez-vous?', to: 'de' } });
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ error: { code: 'ai_unavailable' } });
    expect(JSON.stringify(down.body)).not.toContain('boom');
    const plain = await startService();
    try {
      const other = await signUp(plain.url);
      expect((await api(plain.url, 'POST', '/api/translate', { token: other.token, body: { text: 'hi', to: 'en' } })).status).toBe(404);
    } finally {
      await plain.stop();
    }
  });

  it('is rate limited per account', async () => {
    const limited = await startService({ AI_BASE_URL: fake.url, RATE_TRANSLATE: '2/60' });
    try {
      const user = await signUp(limited.url);
      const t = () => api(limited.url, 'POST', '/api/translate', { token: user.token, body: { text: 'Hola amigo, ¿qué tal estás?', to: 'en' } });
      expect((await t()).status).toBe(200);
      expect((await t()).status).toBe(200);
      const third = await t();
      expect(third.status).toBe(429);
      expect(third.headers.get('retry-after')).toBeTruthy();
    } finally {
      await limited.stop();
    }
  });
});

describe('AI cost (issue 9, finding 8)', () => {
  const spanish = 'Hola amigo, ¿qué tal estás hoy? Espero que muy bien.';
  const translate = (base: string, token: string, headers: Record<string, string> = {}, text = spanish) =>
    api<{ error: { code: string; retryAfterMs?: number } }>(base, 'POST', '/api/translate', { token, headers, body: { text, to: 'en' } });

  it('a per-address budget stops translations from one address, whichever account asks', async () => {
    const own = await startService({ AI_BASE_URL: fake.url, RATE_TRANSLATE: '1000/60', RATE_TRANSLATE_IP: '2/60', TRUST_PROXY: '127.0.0.1' });
    try {
      const from = { 'x-forwarded-for': '203.0.113.9' };
      const [a, b, c] = [await signUp(own.url), await signUp(own.url), await signUp(own.url)];
      expect((await translate(own.url, a.token, from)).status).toBe(200);
      expect((await translate(own.url, b.token, from)).status).toBe(200);
      const before = fake.requests.length;
      const third = await translate(own.url, c.token, from);
      expect(third.status).toBe(429);
      expect(third.body.error).toMatchObject({ code: 'rate_limited', retryAfterMs: expect.any(Number) });
      expect(third.headers.get('retry-after')).toBeTruthy();
      expect(fake.requests.length).toBe(before);
      // another address is not affected
      expect((await translate(own.url, c.token, { 'x-forwarded-for': '203.0.113.10' })).status).toBe(200);
    } finally {
      await own.stop();
    }
  });

  it('the node’s overall AI_BUDGET stops translations (503 ai_unavailable) and AI partners (error frame)', async () => {
    const own = await startService({ AI_BASE_URL: fake.url, AI_BUDGET: '3', AI_PARTNER_AFTER_MS: '200', MATCH_WIDEN_AFTER_MS: '5000', RATE_TRANSLATE: '1000/60' });
    try {
      const users = [await signUp(own.url), await signUp(own.url)];
      expect((await translate(own.url, users[0]!.token)).status).toBe(200);
      expect((await translate(own.url, users[1]!.token)).status).toBe(200);
      const p = await person(own.url, own.wsUrl, [freshTopic()]);
      p.socket.send({ type: 'find' });
      const chatId = (await p.socket.next('matched', undefined, 5000)).chat.id;
      p.socket.send({ type: 'send', chatId, id: 'b1', text: 'hi' });
      await p.socket.next('message'); // the third and last call of the hour
      const before = fake.requests.length;
      p.socket.send({ type: 'send', chatId, id: 'b2', text: 'and now?' });
      expect(await p.socket.next('error')).toMatchObject({ code: 'ai_unavailable' });
      const spent = await translate(own.url, users[0]!.token);
      expect(spent.status).toBe(503);
      expect(spent.body.error).toMatchObject({ code: 'ai_unavailable', retryAfterMs: expect.any(Number) });
      expect(spent.body.error.retryAfterMs).toBeLessThanOrEqual(3600_000);
      expect(Number(spent.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(fake.requests.length).toBe(before);
      p.socket.close();
    } finally {
      await own.stop();
    }
  });

  it('asks for output tokens in proportion to the input, within a floor and a cap', async () => {
    const user = await signUp(server.url);
    const maxTokensFor = async (text: string) => {
      expect((await translate(server.url, user.token, {}, text)).status).toBe(200);
      return fake.requests.at(-1)!.maxTokens!;
    };
    const short = await maxTokensFor('Hola, ¿qué tal?');
    const medium = await maxTokensFor(`${spanish} `.repeat(8));
    const long = await maxTokensFor('¿Qué tal? '.repeat(200));
    expect(short).toBe(64);
    expect(medium).toBeGreaterThan(short);
    expect(medium).toBeLessThan(long);
    expect(long).toBe(2048);

    const { socket, chatId } = await aiChat();
    socket.send({ type: 'send', chatId, id: 'm1', text: 'yo' });
    await socket.next('message');
    const small = fake.requests.at(-1)!.maxTokens!;
    socket.send({ type: 'send', chatId, id: 'm2', text: 'Tell me about your favourite places to walk in the autumn, and why. '.repeat(3) });
    await socket.next('message');
    const big = fake.requests.at(-1)!.maxTokens!;
    expect(small).toBeGreaterThanOrEqual(40);
    expect(big).toBeGreaterThan(small);
    expect(big).toBeLessThanOrEqual(200);
    socket.close();
  });

  it('no translation for a suspended account: 403 suspended, no model call', async () => {
    const admin = 'moderator-secret-token-0123456789';
    const own = await startService({ AI_BASE_URL: fake.url, ADMIN_TOKEN: admin });
    try {
      const user = await signUp(own.url);
      expect((await api(own.url, 'POST', `/api/admin/accounts/${user.account.id}/suspend`, { token: admin, body: { hours: 1 } })).status).toBe(200);
      const before = fake.requests.length;
      const res = await translate(own.url, user.token);
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'suspended', until: expect.any(String) });
      expect(fake.requests.length).toBe(before);
    } finally {
      await own.stop();
    }
  });
});

/**
 * The searching screen's facts (docs/protocol.md, "Searching"): `searching` says how many people are
 * online and whether the search is open to anyone yet, again when it widens; `find {aiPartner:false}`
 * keeps AI partners out of that search.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAi, startFakeOpenAi } from '../helpers/fakeOpenAi.js';
import { signUp } from '../helpers/http.js';
import { type Running, startService } from '../helpers/inProcess.js';
import { freshTopic, person } from '../helpers/people.js';
import { TestSocket } from '../helpers/wsClient.js';

const WIDEN_MS = 600;
const AI_MS = 150;

let fake: FakeOpenAi;
let server: Running;
beforeAll(async () => {
  fake = await startFakeOpenAi();
  server = await startService({
    AI_BASE_URL: fake.url,
    AI_API_KEY: 'test-key-not-secret',
    AI_MODEL: 'fake-model',
    AI_PARTNER_AFTER_MS: String(AI_MS),
    MATCH_WIDEN_AFTER_MS: String(WIDEN_MS),
  });
});
afterAll(async () => {
  await server.stop();
  await fake.close();
});

describe('searching', () => {
  it('with interests: narrow first, then searching {widened:true} once the search opens to anyone', async () => {
    const p = await person(server.url, server.wsUrl, [freshTopic()]);
    p.socket.send({ type: 'find', aiPartner: false });
    const first = await p.socket.next('searching');
    expect(first).toEqual({ type: 'searching', online: expect.any(Number), widened: false });
    const started = Date.now();
    expect(await p.socket.next('searching')).toEqual({ type: 'searching', online: expect.any(Number), widened: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(WIDEN_MS - 50);
    p.socket.send({ type: 'cancel' });
    await p.socket.next('idle');
    p.socket.close();
  });

  it('without interests: open to anyone from the start', async () => {
    const p = await person(server.url, server.wsUrl, []);
    p.socket.send({ type: 'find', aiPartner: false });
    expect(await p.socket.next('searching')).toMatchObject({ widened: true });
    p.socket.send({ type: 'cancel' });
    await p.socket.next('idle');
    p.socket.close();
  });

  it('online counts people with a socket open: one more account adds one, a second tab of it none', async () => {
    const p = await person(server.url, server.wsUrl, [freshTopic()]);
    const online = async () => {
      p.socket.send({ type: 'find', aiPartner: false });
      const { online: n } = await p.socket.next('searching');
      p.socket.send({ type: 'cancel' });
      await p.socket.next('idle');
      return n;
    };
    const before = await online();
    expect(before).toBeGreaterThanOrEqual(1);
    const other = await signUp(server.url);
    const tab1 = await TestSocket.signedIn(server.wsUrl, other.token);
    expect(await online()).toBe(before + 1);
    const tab2 = await TestSocket.signedIn(server.wsUrl, other.token);
    expect(await online()).toBe(before + 1);
    tab1.close();
    tab2.close();
    await tab1.closed;
    await tab2.closed;
    // The server notices the close on its own time: ask again, a bounded number of times.
    let after = await online();
    for (let i = 0; i < 50 && after !== before; i++) after = await online();
    expect(after).toBe(before);
    p.socket.close();
  });
});

describe('AI partners and "Only people"', () => {
  it('by default the search says when an AI partner may join, and one does', async () => {
    const p = await person(server.url, server.wsUrl, [freshTopic()]);
    p.socket.send({ type: 'find' });
    expect(await p.socket.next('searching')).toMatchObject({ widened: false, aiAfterMs: AI_MS });
    expect((await p.socket.next('matched')).chat.partner.ai).toBe(true);
    p.socket.close();
  });

  it('find {aiPartner:false}: no aiAfterMs, and no AI partner joins, still none after the search widened', async () => {
    const p = await person(server.url, server.wsUrl, [freshTopic()]);
    p.socket.send({ type: 'find', aiPartner: false });
    const first = await p.socket.next('searching');
    expect(first).not.toHaveProperty('aiAfterMs');
    // The widening comes well after the AI deadline: by then an AI partner would have joined.
    expect(await p.socket.next('searching')).toMatchObject({ widened: true });
    expect(p.socket.received('matched')).toEqual([]);
    // A person who turns up is still matched.
    const human = await person(server.url, server.wsUrl, []);
    human.socket.send({ type: 'find', aiPartner: false });
    expect((await p.socket.next('matched')).chat.partner).toMatchObject({ ai: false });
    p.socket.close();
    human.socket.close();
  });

  it('aiPartner must be a boolean', async () => {
    const p = await person(server.url, server.wsUrl, [freshTopic()]);
    p.socket.send({ type: 'find', aiPartner: 'no' });
    expect(await p.socket.next('error')).toMatchObject({ code: 'bad_request' });
    p.socket.close();
  });
});

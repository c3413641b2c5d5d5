/**
 * Issue 17, behaviour signals: a scripted bot (match, one message, leave, no
 * answer, again) is slowed on `find` (a wait, then a harder proof of work),
 * while two people chatting normally at the same time, and the silent partner
 * the bot kept meeting, are not. Nothing of the signals reaches DATA_DIR or
 * the logs. The signals' clock is the test's (`now`): the wait needs no sleep.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Challenge } from 'altcha-lib';
import { findInFiles } from '../helpers/forensic.js';
import { api, type SignUp, signUp } from '../helpers/http.js';
import { type Running, startService } from '../helpers/inProcess.js';
import { freshTopic } from '../helpers/people.js';
import { fetchChallenge, proofFor, solve } from '../helpers/pow.js';
import { TestSocket } from '../helpers/wsClient.js';

const THRESHOLD = 3;
const WAIT_MS = 30_000;
const FIND_LEVEL = 2;
const ADVERT = 'cheap followers at spam-example dot test';

let clock = Date.now();
let server: Running;

beforeAll(async () => {
  server = await startService(
    {
      SIGNUP_CHALLENGE: 'pow',
      CHALLENGE_WORK: '200',
      BOT_THRESHOLD: String(THRESHOLD),
      BOT_WINDOW: '5',
      BOT_QUICK_MS: '5000',
      BOT_FIND_WAIT_MS: String(WAIT_MS),
      BOT_FIND_LEVEL: String(FIND_LEVEL),
      MATCH_REMATCH_COOLDOWN_MS: '0',
    },
    { now: () => clock },
  );
});
afterAll(async () => {
  await server?.stop();
});

async function member(interests: string[], nickname: string): Promise<{ user: SignUp; socket: TestSocket }> {
  const user = await signUp(server.url, interests, nickname, await proofFor(server.url));
  return { user, socket: await TestSocket.signedIn(server.wsUrl, user.token) };
}

/** a and b search (a first) and meet; returns the chat id. */
async function meet(a: TestSocket, b: TestSocket): Promise<string> {
  a.send({ type: 'find' });
  await a.next('searching');
  b.send({ type: 'find' });
  const chatId = (await a.next('matched')).chat.id;
  await b.next('matched');
  return chatId;
}

describe('behaviour signals', () => {
  it('slow a scripted bot on find, not two people chatting nor its silent partner', async () => {
    const botTopic = freshTopic();
    const peopleTopic = freshTopic();
    const bot = await member([botTopic], 'Promo');
    const victim = await member([botTopic], 'Quiet');
    const alice = await member([peopleTopic], 'Alice');
    const bob = await member([peopleTopic], 'Bob');

    for (let round = 0; round < THRESHOLD; round++) {
      // The bot: match, one message at once, leave, no answer.
      const botChat = await meet(bot.socket, victim.socket);
      bot.socket.send({ type: 'send', chatId: botChat, id: `ad-${round}`, text: ADVERT });
      await victim.socket.next('message');
      clock += 1000;
      bot.socket.send({ type: 'leave', chatId: botChat });
      await bot.socket.next('ended');
      await victim.socket.next('ended');

      // Meanwhile two people: a quick hello both ways, and one leaves soon after (a short chat, answered).
      const chat = await meet(alice.socket, bob.socket);
      alice.socket.send({ type: 'send', chatId: chat, id: `a-${round}`, text: 'hi! chess?' });
      await bob.socket.next('message');
      bob.socket.send({ type: 'send', chatId: chat, id: `b-${round}`, text: 'sure, e4' });
      await alice.socket.next('message');
      bob.socket.send({ type: 'leave', chatId: chat });
      await alice.socket.next('ended');
      await bob.socket.next('ended');
    }

    // The bot must wait...
    bot.socket.send({ type: 'find' });
    const wait = await bot.socket.next('error');
    expect(wait).toMatchObject({ code: 'rate_limited' });
    expect(wait.retryAfterMs).toBeGreaterThan(WAIT_MS - 5000);
    expect(wait.retryAfterMs).toBeLessThanOrEqual(WAIT_MS);
    // ...then solve a harder challenge for each search.
    clock += WAIT_MS;
    bot.socket.send({ type: 'find' });
    expect(await bot.socket.next('error')).toMatchObject({ code: 'challenge_required' });
    bot.socket.send({ type: 'find', proof: await proofFor(server.url) }); // a door's challenge does not open find
    expect(await bot.socket.next('error')).toMatchObject({ code: 'challenge_failed' });
    const hard: Challenge = await fetchChallenge(server.url, { for: 'find', token: bot.user.token });
    expect(hard.parameters.data).toMatchObject({ for: 'find', level: FIND_LEVEL });
    bot.socket.send({ type: 'find', proof: await solve(hard) });
    await bot.socket.next('searching');
    // Nor does a find challenge open a door.
    const atDoor = await api(server.url, 'POST', '/api/accounts', { body: { nickname: 'Sneaky', adult: true, proof: await proofFor(server.url, { for: 'find', token: bot.user.token }) } });
    expect(atDoor.status).toBe(400);
    expect((atDoor.body.error as { code: string }).code).toBe('challenge_failed');
    bot.socket.send({ type: 'cancel' });
    await bot.socket.next('idle');

    // The people and the bot's partner search as before.
    for (const { socket } of [alice, bob, victim]) {
      socket.send({ type: 'find', interests: [freshTopic()] });
      await socket.next('searching');
      socket.send({ type: 'cancel' });
      await socket.next('idle');
      expect(socket.received('error')).toEqual([]);
    }
    for (const { socket } of [bot, victim, alice, bob]) socket.close();

    // Memory only: nothing of it on disk or in the logs (not even the bot's account id in a log line).
    expect(findInFiles(server.dataDir, [ADVERT, 'quick', 'BotSignals'])).toEqual([]);
    const logs = server.logs();
    expect(logs).not.toContain(bot.user.account.id);
    expect(logs).not.toMatch(/quick|slowed|bot-like/i);
  });

  it('count a report of an advert chat once more, and reports of ordinary chats not at all', async () => {
    const topic = freshTopic();
    const bot = await member([topic], 'Promo2');
    const victim = await member([topic], 'Quiet2');
    const talker = await member([topic], 'Talker');
    // THRESHOLD − 1 advert chats, the last one reported by the victim: slowed.
    for (let round = 0; round < THRESHOLD - 1; round++) {
      const chatId = await meet(bot.socket, victim.socket);
      bot.socket.send({ type: 'send', chatId, id: `ad2-${round}`, text: ADVERT });
      await victim.socket.next('message');
      bot.socket.send({ type: 'leave', chatId });
      await bot.socket.next('ended');
      await victim.socket.next('ended');
      if (round === THRESHOLD - 2) {
        victim.socket.send({ type: 'report', chatId, reason: 'spam' });
        await victim.socket.next('reported');
      }
    }
    // The talker chats (answered) and is reported for every chat by the victim: not slowed.
    for (let round = 0; round < THRESHOLD; round++) {
      const chatId = await meet(talker.socket, victim.socket);
      talker.socket.send({ type: 'send', chatId, id: `t-${round}`, text: 'hello there' });
      await victim.socket.next('message');
      victim.socket.send({ type: 'send', chatId, id: `v-${round}`, text: 'hi' });
      await talker.socket.next('message');
      talker.socket.send({ type: 'leave', chatId });
      await talker.socket.next('ended');
      await victim.socket.next('ended');
      victim.socket.send({ type: 'report', chatId, reason: 'other' });
      await victim.socket.next('reported');
    }
    bot.socket.send({ type: 'find' });
    expect(await bot.socket.next('error')).toMatchObject({ code: 'rate_limited' });
    talker.socket.send({ type: 'find', interests: [freshTopic()] });
    await talker.socket.next('searching');
    expect(talker.socket.received('error')).toEqual([]);
    for (const { socket } of [bot, victim, talker]) socket.close();
  });
});

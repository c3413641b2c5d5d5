/**
 * Issue 10 privacy: messages held for a person whose connection dropped live
 * in memory only. Their texts are in no file under DATA_DIR (the database
 * included) and in no output line, while held, after delivery on resume,
 * after the grace ends, after shutdown, and after a kill -9 during the grace.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { filesUnder, findInFiles } from '../helpers/forensic.js';
import { chatting } from '../helpers/people.js';
import { type ServerProcess, startServerProcess } from '../helpers/serverProcess.js';
import { TestSocket } from '../helpers/wsClient.js';

const running: ServerProcess[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.kill();
});

const canary = (label: string) => `held-${label}-${randomBytes(12).toString('hex')}`;

async function server(graceMs: number): Promise<ServerProcess> {
  const s = await startServerProcess({ env: { LOG_LEVEL: 'trace', CHAT_GRACE_MS: String(graceMs) } });
  running.push(s);
  return s;
}

/** The texts are in no file under DATA_DIR and nowhere in the server's output. */
function traceless(s: ServerProcess, texts: string[]): void {
  expect(filesUnder(s.dataDir).length).toBeGreaterThan(0);
  expect(findInFiles(s.dataDir, texts)).toEqual([]);
  expect(texts.filter((t) => s.output().includes(t))).toEqual([]);
}

describe('held messages leave no trace', () => {
  it('while held, once delivered, once dropped at the end of the grace, and after shutdown', async () => {
    const GRACE_MS = 3_000;
    const s = await server(GRACE_MS);
    const { a, b, chatId } = await chatting(s.url, s.wsUrl);
    const [delivered, dropped] = [canary('delivered'), canary('dropped')];

    a.socket.ws.terminate();
    await b.socket.next('partner_away');
    b.socket.send({ type: 'send', chatId, id: 'd1', text: delivered });
    expect(await b.socket.next('sent')).toMatchObject({ queued: true });
    traceless(s, [delivered]);

    const back = await TestSocket.signedIn(s.wsUrl, a.user.token);
    back.send({ type: 'resume', chatId });
    expect((await back.next('resumed')).missed.map((m) => m.text)).toEqual([delivered]);
    await b.socket.next('delivered');

    back.ws.terminate();
    await b.socket.next('partner_away');
    b.socket.send({ type: 'send', chatId, id: 'x1', text: dropped });
    expect(await b.socket.next('sent')).toMatchObject({ queued: true });
    traceless(s, [delivered, dropped]);
    expect(await b.socket.next('ended', undefined, GRACE_MS + 5_000)).toMatchObject({ reason: 'partner_disconnected', undelivered: ['x1'] });
    traceless(s, [delivered, dropped]);

    b.socket.close();
    expect(await s.stop()).toBe(0);
    traceless(s, [delivered, dropped]);
  }, 30_000);

  it('after a kill -9 during the grace', async () => {
    const s = await server(60_000);
    const { a, b, chatId } = await chatting(s.url, s.wsUrl);
    const texts = [canary('one'), canary('two')];
    a.socket.ws.terminate();
    await b.socket.next('partner_away');
    for (const [i, text] of texts.entries()) {
      b.socket.send({ type: 'send', chatId, id: `k${i}`, text });
      expect(await b.socket.next('sent')).toMatchObject({ queued: true });
    }
    await s.kill();
    traceless(s, texts);
  }, 30_000);
});

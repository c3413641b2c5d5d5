/** PROTOCOL §1: SIGTERM tells every client `shutdown` and exits 0 within 10 s; bad config stops start-up clearly. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { signUp } from '../helpers/http.js';
import { startServerProcess } from '../helpers/serverProcess.js';
import { TestSocket } from '../helpers/wsClient.js';

describe('SIGTERM', () => {
  it('ends chats, sends shutdown to every client and exits 0 within 10 s', async () => {
    const server = await startServerProcess();
    try {
      const a = await signUp(server.url, ['bye']);
      const b = await signUp(server.url, ['bye']);
      const c = await signUp(server.url, ['alone']);
      const sa = await TestSocket.signedIn(server.wsUrl, a.token);
      const sb = await TestSocket.signedIn(server.wsUrl, b.token);
      const sc = await TestSocket.signedIn(server.wsUrl, c.token);
      sa.send({ type: 'find' });
      sb.send({ type: 'find' });
      const chatId = (await sa.next('matched')).chat.id;
      sc.send({ type: 'find' });
      await sc.next('searching');
      // A chat waiting for a person whose connection dropped ends the same way, on a single node.
      const d = await signUp(server.url, ['away']);
      const e = await signUp(server.url, ['away']);
      const sd = await TestSocket.signedIn(server.wsUrl, d.token);
      const se = await TestSocket.signedIn(server.wsUrl, e.token);
      sd.send({ type: 'find' });
      se.send({ type: 'find' });
      const waiting = (await sd.next('matched')).chat.id;
      await se.next('matched');
      sd.ws.terminate();
      await se.next('partner_away');
      const started = Date.now();
      const exit = server.stop();
      expect(await sa.next('ended')).toEqual({ type: 'ended', chatId, reason: 'shutdown' });
      expect(await se.next('ended')).toEqual({ type: 'ended', chatId: waiting, reason: 'shutdown' });
      for (const s of [sa, sb, sc, se]) {
        expect(await s.next('shutdown')).toEqual({ type: 'shutdown' });
        await s.closedWithin(10_000);
      }
      expect(await exit).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(server.output()).toContain('"msg":"stopped"');
    } finally {
      await server.kill();
    }
  });
});

/** Starts the server with `env` and expects it to refuse: exit 1 and exactly one line on stderr, naming `variable`. */
function expectRefusal(variable: string, env: Record<string, string>): void {
  // A fresh folder each time: a database left by another checkout may hold migrations this one does not know.
  const dataDir = fs.mkdtempSync(path.join(tmpdir(), 'metsony-startup-'));
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', DATA_DIR: dataDir, PORT: '0', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  fs.rmSync(dataDir, { recursive: true, force: true });
  expect(result.status).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(variable);
}

describe('configuration', () => {
  it.each([
    ['PORT', 'eighty'],
    ['TRUST_PROXY', 'everyone'],
    ['LOG_LEVEL', 'loud'],
    ['DATABASE_URL', 'mysql://x'],
    ['ADMIN_TOKEN', 'aaaaaaaaaaaaaaaaaaaaaaaa'],
    ['CLOUDFLARE_IPS', '173.245.48.0/33'],
    ['CHAT_GRACE_MS', '15s'],
    ['CHAT_HELD_BYTES', '10'],
  ])('a bad %s stops start-up with one line naming it', (name, value) => expectRefusal(name, { [name]: value }));

  it.each([
    ['DATA_DIR', { DATA_DIR: `${import.meta.filename}/not-a-folder` }],
    ['DATABASE_URL', { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }],
    ['REDIS_URL', { REDIS_URL: 'redis://127.0.0.1:1' }],
  ])('an unusable %s stops start-up with one line naming it', (name, env) => expectRefusal(name, env));
});

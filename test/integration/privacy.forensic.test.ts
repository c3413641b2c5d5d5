/**
 * Forensic privacy (DESIGN §2.1, §2.3): live message text, recovery codes and
 * tokens never reach a file under DATA_DIR or the server's output, neither
 * during the chat nor after shutdown.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { findInFiles, filesUnder } from '../helpers/forensic.js';
import { api } from '../helpers/http.js';
import { chatting } from '../helpers/people.js';
import { type ServerProcess, startServerProcess } from '../helpers/serverProcess.js';

let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.kill();
});

describe('live chat leaves no trace', () => {
  it('a unique message, the recovery code and the token are in no file and no log line', async () => {
    server = await startServerProcess({ env: { LOG_LEVEL: 'trace' } });
    const secretText = `canary-${randomBytes(12).toString('hex')}`;
    const chat = await chatting(server.url, server.wsUrl);
    const { chatId } = chat;
    const [a, b] = [chat.a.user, chat.b.user];
    const [sa, sb] = [chat.a.socket, chat.b.socket];
    const signIn = await api<{ token: string }>(server.url, 'POST', '/api/sessions', { body: { recoveryCode: a.recoveryCode.toUpperCase() } });
    sa.send({ type: 'send', chatId, id: 'c1', text: secretText });
    expect((await sb.next('message')).text).toBe(secretText);
    sb.send({ type: 'send', chatId, id: 'c2', text: `${secretText}-reply` });
    expect((await sa.next('message')).text).toBe(`${secretText}-reply`);
    // a message that is rejected still must not be echoed to logs
    sa.send({ type: 'send', chatId, id: 'c3', text: `${secretText}${'x'.repeat(2001)}` });
    await sa.next('error');

    const secrets = [secretText, a.recoveryCode, b.recoveryCode, a.token, b.token, signIn.body.token];
    // Normalised forms of the code a person might type must not leak either.
    secrets.push(a.recoveryCode.replaceAll('-', ' '));
    expect(filesUnder(server.dataDir).length).toBeGreaterThan(0);
    expect(findInFiles(server.dataDir, secrets)).toEqual([]);
    expect(secrets.filter((s) => server!.output().includes(s))).toEqual([]);

    sa.close();
    sb.close();
    expect(await server.stop()).toBe(0);
    expect(findInFiles(server.dataDir, secrets)).toEqual([]);
    expect(secrets.filter((s) => server!.output().includes(s))).toEqual([]);
  });
});

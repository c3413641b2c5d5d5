/**
 * End-to-end encryption on the server (issue 16): between two clients with
 * keys, neither the server's output nor any file under DATA_DIR ever holds the
 * plaintext of a live or an offline message; the relay passes the envelopes
 * untouched (also held ones over a resume); a second device opens a waiting
 * sealed message with the recovery code; after a rotation the old code opens
 * nothing; after Delete everything the wrapped key is gone from every file.
 * A profile revealed in an encrypted chat is relayed as the envelope it came
 * in (also across two nodes), and its plaintext is in no output and no file.
 * The clients here use the web app's own crypto module.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Connection, OfflineMessage } from '../../src/shared/protocol.js';
import { toBase64Url } from '../../src/web/crypto/bytes.js';
import { type Channel, decryptMessage, decryptProfile, encryptMessage, encryptProfile, newEphemeral, openChannel } from '../../src/web/crypto/channel.js';
import { newIdentity, unwrapIdentity, UnwrapError, type WrappedIdentity, wrapIdentity } from '../../src/web/crypto/identity.js';
import { openMessage, sealMessage } from '../../src/web/crypto/sealed.js';
import { twoNodes } from '../helpers/cluster.js';
import { findInFiles } from '../helpers/forensic.js';
import { api } from '../helpers/http.js';
import { chatting, connected, type Person, person } from '../helpers/people.js';
import { type ServerProcess, startServerProcess } from '../helpers/serverProcess.js';
import { TestSocket } from '../helpers/wsClient.js';

const running: ServerProcess[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.kill();
});
const start = async () => {
  const s = await startServerProcess({ env: { LOG_LEVEL: 'trace' } });
  running.push(s);
  return s;
};
const canary = (label: string) => `${label}-${randomBytes(10).toString('hex')}`;
/** Each test starts a server process; those with scrypt runs (about 1 s each alone) get more. */
const TEST_TIMEOUT_MS = 60_000;
const SCRYPT_TEST_TIMEOUT_MS = 240_000;

describe('end-to-end encrypted live chat', () => {
  it('relays keys and envelopes untouched, also held over a resume; no plaintext reaches output or files', async () => {
    const server = await start();
    const { a, b, chatId } = await chatting(server.url, server.wsUrl);
    const ea = newEphemeral(chatId);
    const eb = newEphemeral(chatId);
    a.socket.send({ type: 'key', chatId, publicKey: toBase64Url(ea.publicKey) });
    b.socket.send({ type: 'key', chatId, publicKey: toBase64Url(eb.publicKey) });
    const ca = openChannel(ea, (await a.socket.next('key')).publicKey);
    const cb = openChannel(eb, (await b.socket.next('key')).publicKey);

    const first = canary('live-one');
    const envelope = encryptMessage(ca, first);
    a.socket.send({ type: 'send', chatId, id: 'm1', text: envelope, e2e: true });
    await a.socket.next('sent', (f) => f.id === 'm1');
    const got = await b.socket.next('message');
    expect(got).toMatchObject({ text: envelope, e2e: true });
    expect(decryptMessage(cb, got.text)).toBe(first);

    // B drops; what A sends meanwhile is held as ciphertext and handed over, unchanged, on resume.
    b.socket.close();
    await a.socket.next('partner_away');
    const held = canary('held');
    const heldEnvelope = encryptMessage(ca, held);
    a.socket.send({ type: 'send', chatId, id: 'm2', text: heldEnvelope, e2e: true });
    expect(await a.socket.next('sent', (f) => f.id === 'm2')).toMatchObject({ queued: true });
    const back = await TestSocket.signedIn(server.wsUrl, b.user.token);
    back.send({ type: 'resume', chatId });
    const resumed = await back.next('resumed');
    expect(resumed.missed).toEqual([expect.objectContaining({ id: 'm2', text: heldEnvelope, e2e: true })]);
    expect(decryptMessage(cb, resumed.missed[0]!.text)).toBe(held);
    // The same key again after a reconnect is fine; another one is refused.
    back.send({ type: 'key', chatId, publicKey: toBase64Url(eb.publicKey) });
    await a.socket.next('key');
    back.send({ type: 'key', chatId, publicKey: toBase64Url(newEphemeral(chatId).publicKey) });
    expect(await back.next('error')).toMatchObject({ code: 'bad_request' });

    const reply = canary('reply');
    back.send({ type: 'send', chatId, id: 'r1', text: encryptMessage(cb, reply), e2e: true });
    expect(decryptMessage(ca, (await a.socket.next('message')).text)).toBe(reply);

    a.socket.close();
    back.close();
    expect(await server.stop()).toBe(0);
    expect(findInFiles(server.dataDir, [first, held, reply])).toEqual([]);
    for (const text of [first, held, reply]) expect(server.output()).not.toContain(text);
  }, TEST_TIMEOUT_MS);

  it('checks only the envelope: malformed is bad_request, over the ciphertext size too_long, a plain send still works', async () => {
    const server = await start();
    const { a, b, chatId } = await chatting(server.url, server.wsUrl);
    a.socket.send({ type: 'send', chatId, id: 'x', text: 'not an envelope', e2e: true });
    expect(await a.socket.next('error')).toMatchObject({ code: 'bad_request' });
    a.socket.send({ type: 'send', chatId, id: 'y', text: `e2e1.0.${'A'.repeat(11_200)}`, e2e: true });
    expect(await a.socket.next('error')).toMatchObject({ code: 'too_long' });
    // A full-size ciphertext (2000 four-byte characters) passes, well under the 16 KiB frame cap.
    const ea = newEphemeral(chatId);
    const channel = openChannel(ea, toBase64Url(newEphemeral(chatId).publicKey));
    a.socket.send({ type: 'send', chatId, id: 'z', text: encryptMessage(channel, '😀'.repeat(2000)), e2e: true });
    await a.socket.next('sent', (f) => f.id === 'z');
    expect((await b.socket.next('message')).e2e).toBe(true);
    a.socket.send({ type: 'key', chatId, publicKey: 'short' });
    expect(await a.socket.next('error')).toMatchObject({ code: 'bad_request' });
    a.socket.send({ type: 'send', chatId, id: 'p', text: 'plain as ever' });
    expect(await b.socket.next('message')).toMatchObject({ text: 'plain as ever' });
  }, TEST_TIMEOUT_MS);
});

/** Both sides of a chat offer keys, as the web app does; returns each side's channel. */
async function exchangeKeys(a: Person, b: Person, chatId: string): Promise<{ ca: Channel; cb: Channel }> {
  const ea = newEphemeral(chatId);
  const eb = newEphemeral(chatId);
  a.socket.send({ type: 'key', chatId, publicKey: toBase64Url(ea.publicKey) });
  b.socket.send({ type: 'key', chatId, publicKey: toBase64Url(eb.publicKey) });
  return { ca: openChannel(ea, (await a.socket.next('key')).publicKey), cb: openChannel(eb, (await b.socket.next('key')).publicKey) };
}

describe('Reveal profile in an end-to-end encrypted chat', () => {
  it('is relayed untouched, once, not to an away partner; its plaintext reaches no output and no file', async () => {
    const server = await start();
    const { a, b, chatId } = await chatting(server.url, server.wsUrl);
    const { ca, cb } = await exchangeKeys(a, b, chatId);
    const profile = { firstName: canary('Name'), age: 34, gender: canary('Gender'), location: canary('Town') };
    const secrets = [profile.firstName, profile.gender, profile.location];

    // To a partner who is away: refused, and not counted as revealed.
    b.socket.close();
    await a.socket.next('partner_away');
    a.socket.send({ type: 'reveal', chatId, e2e: true, text: encryptProfile(ca, profile) });
    expect(await a.socket.next('error')).toMatchObject({ code: 'partner_away' });
    const back = await TestSocket.signedIn(server.wsUrl, b.user.token);
    back.send({ type: 'resume', chatId });
    await back.next('resumed');
    await a.socket.next('partner_back');

    const text = encryptProfile(ca, profile);
    a.socket.send({ type: 'reveal', chatId, e2e: true, text });
    expect(await back.next('revealed')).toEqual({ type: 'revealed', chatId, e2e: true, text });
    expect(decryptProfile(cb, text)).toEqual(profile);

    // Once per chat and side, whichever form; the other side may still reveal, in either form.
    a.socket.send({ type: 'reveal', chatId, e2e: true, text: encryptProfile(ca, { firstName: 'Again' }) });
    expect(await a.socket.next('error')).toMatchObject({ code: 'bad_request' });
    a.socket.send({ type: 'reveal', chatId, profile: { firstName: 'Again' } });
    expect(await a.socket.next('error')).toMatchObject({ code: 'bad_request' });
    const reply = encryptProfile(cb, { location: 'Over here' });
    back.send({ type: 'reveal', chatId, e2e: true, text: reply });
    expect(await a.socket.next('revealed')).toEqual({ type: 'revealed', chatId, e2e: true, text: reply });
    await TestSocket.settled(a.socket, back);
    expect(back.received('revealed')).toHaveLength(1);
    expect(a.socket.received('revealed')).toHaveLength(1);

    a.socket.close();
    back.close();
    expect(await server.stop()).toBe(0);
    expect(findInFiles(server.dataDir, [...secrets, text])).toEqual([]);
    for (const value of [...secrets, text]) expect(server.output()).not.toContain(value);
  }, TEST_TIMEOUT_MS);

  it('refuses a profile with e2e, e2e without a well-formed envelope, text without e2e; the plain form still works', async () => {
    const server = await start();
    const { a, b, chatId } = await chatting(server.url, server.wsUrl);
    const { ca } = await exchangeKeys(a, b, chatId);
    const envelope = encryptProfile(ca, { firstName: 'Ann' });
    const refused: unknown[] = [
      { type: 'reveal', chatId, profile: { firstName: 'Ann' }, e2e: true, text: envelope },
      { type: 'reveal', chatId, profile: { firstName: 'Ann' }, e2e: true },
      { type: 'reveal', chatId, e2e: true, text: 'Ann, 31, Ghent' },
      { type: 'reveal', chatId, e2e: true, text: `e2e1.0.${'A'.repeat(11_200)}` },
      { type: 'reveal', chatId, e2e: true },
      { type: 'reveal', chatId, text: envelope },
      { type: 'reveal', chatId, e2e: false, text: envelope },
      { type: 'reveal', chatId },
    ];
    for (const frame of refused) {
      a.socket.send(frame);
      expect(await a.socket.next('error')).toMatchObject({ code: 'bad_request' });
    }
    // None was relayed or counted: the plain form, as PROTOCOL.md has it, goes through now.
    a.socket.send({ type: 'reveal', chatId, profile: { firstName: '  Ann ', age: 31, location: '' } });
    expect(await b.socket.next('revealed')).toEqual({ type: 'revealed', chatId, profile: { firstName: 'Ann', age: 31 } });
    await TestSocket.settled(a.socket, b.socket);
    expect(b.socket.received('revealed')).toHaveLength(1);
  }, TEST_TIMEOUT_MS);
});

const databaseUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;

describe.runIf(databaseUrl && redisUrl)('Reveal profile in an encrypted chat across two nodes', () => {
  const cluster = twoNodes(databaseUrl!, redisUrl!, 'metsony_reveal');

  it('the partner on the other node gets the envelope untouched', async () => {
    const topic = `across-${randomBytes(4).toString('hex')}`;
    const a = await person(cluster.node1.url, cluster.node1.wsUrl, [topic], 'OnOne');
    const b = await person(cluster.node2.url, cluster.node2.wsUrl, [topic], 'OnTwo');
    a.socket.send({ type: 'find' });
    await a.socket.next('searching');
    b.socket.send({ type: 'find' });
    const chatId = (await a.socket.next('matched')).chat.id;
    await b.socket.next('matched');
    const { ca, cb } = await exchangeKeys(a, b, chatId);
    const text = encryptProfile(ca, { firstName: 'Across' });
    a.socket.send({ type: 'reveal', chatId, e2e: true, text });
    expect(await b.socket.next('revealed')).toEqual({ type: 'revealed', chatId, e2e: true, text });
    expect(decryptProfile(cb, text)).toEqual({ firstName: 'Across' });
    const reply = encryptProfile(cb, { age: 40 });
    b.socket.send({ type: 'reveal', chatId, e2e: true, text: reply });
    expect(await a.socket.next('revealed')).toEqual({ type: 'revealed', chatId, e2e: true, text: reply });
    a.socket.close();
    b.socket.close();
  }, TEST_TIMEOUT_MS);
});

describe('sealed offline messages and the identity key', () => {
  it('second device opens a waiting sealed message with the code; rotation leaves the old code nothing; Delete everything erases the wrap', async () => {
    const server = await start();
    const { a, b, connectionId } = await connected(server.url, server.wsUrl);
    const bKeys = newIdentity();
    const bWrap = await wrapIdentity(bKeys, b.user.recoveryCode);
    expect((await api(server.url, 'PUT', '/api/me/keys', { token: b.user.token, body: bWrap })).status).toBe(200);

    const list = await api<{ connections: Connection[] }>(server.url, 'GET', '/api/connections', { token: a.user.token });
    const bPublic = list.body.connections[0]!.publicKey!;
    expect(bPublic).toBe(bWrap.publicKey);

    b.socket.close();
    await a.socket.next('presence', (f) => f.online === false);
    const secret = canary('sealed');
    const envelope = await sealMessage(bPublic, connectionId, secret);
    a.socket.send({ type: 'dm', connectionId, id: 'd1', text: envelope, sealed: true });
    expect(await a.socket.next('dm_sent')).toMatchObject({ stored: true });
    expect(findInFiles(server.dataDir, [secret])).toEqual([]);
    expect(findInFiles(server.dataDir, [envelope]).length).toBeGreaterThan(0); // what waits is the ciphertext

    // A second device: signs in with the code, unwraps the identity key, opens the message.
    const signIn = await api<{ token: string }>(server.url, 'POST', '/api/sessions', { body: { recoveryCode: b.user.recoveryCode } });
    const stored = await api<WrappedIdentity>(server.url, 'GET', '/api/me/keys', { token: signIn.body.token });
    const device = await unwrapIdentity(stored.body, b.user.recoveryCode);
    const inbox = await api<{ messages: OfflineMessage[] }>(server.url, 'GET', '/api/inbox', { token: signIn.body.token });
    expect(inbox.body.messages).toEqual([expect.objectContaining({ text: envelope, sealed: true })]);
    expect(await openMessage(device.privateKey, connectionId, inbox.body.messages[0]!.text)).toBe(secret);

    // Rotation: the wrap made under the old code is dropped in the same step; the device re-wraps.
    const rotated = await api<{ recoveryCode: string; token: string }>(server.url, 'POST', '/api/me/recovery-code', { token: signIn.body.token });
    const afterRotation = await api<{ publicKey: string; wrapped: unknown }>(server.url, 'GET', '/api/me/keys', { token: rotated.body.token });
    expect(afterRotation.body).toEqual({ publicKey: bWrap.publicKey, wrapped: null });
    expect(findInFiles(server.dataDir, [bWrap.wrapped.ciphertext, bWrap.wrapped.salt])).toEqual([]);
    const rewrapped = await wrapIdentity(device, rotated.body.recoveryCode);
    expect((await api(server.url, 'PUT', '/api/me/keys', { token: rotated.body.token, body: rewrapped })).status).toBe(200);
    const now = await api<WrappedIdentity>(server.url, 'GET', '/api/me/keys', { token: rotated.body.token });
    await expect(unwrapIdentity(now.body, b.user.recoveryCode)).rejects.toBeInstanceOf(UnwrapError);
    expect((await unwrapIdentity(now.body, rotated.body.recoveryCode)).publicKey).toEqual(bKeys.publicKey);

    // Export: the public key only.
    const exported = await api<{ identityKey: unknown }>(server.url, 'GET', '/api/me/export', { token: rotated.body.token });
    expect(JSON.stringify(exported.body)).not.toContain(rewrapped.wrapped.ciphertext);
    expect(exported.body.identityKey).toMatchObject({ publicKey: bWrap.publicKey });

    expect((await api(server.url, 'DELETE', '/api/me', { token: rotated.body.token })).status).toBe(204);
    expect(findInFiles(server.dataDir, [rewrapped.wrapped.ciphertext, rewrapped.wrapped.salt, rewrapped.publicKey, envelope])).toEqual([]);
    a.socket.close();
    expect(await server.stop()).toBe(0);
    expect(findInFiles(server.dataDir, [rewrapped.wrapped.ciphertext, rewrapped.publicKey, secret])).toEqual([]);
    expect(server.output()).not.toContain(secret);
  }, SCRYPT_TEST_TIMEOUT_MS);

  it('PUT /api/me/keys checks every field strictly; GET answers 404 before any key', async () => {
    const server = await start();
    const { a } = await chatting(server.url, server.wsUrl);
    const token = a.user.token;
    expect((await api(server.url, 'GET', '/api/me/keys', { token })).status).toBe(404);
    const good = await wrapIdentity(newIdentity(), a.user.recoveryCode);
    const bad: unknown[] = [
      { ...good, publicKey: good.publicKey.slice(1) },
      { ...good, extra: 1 },
      { ...good, wrapped: { ...good.wrapped, logN: 14 } },
      { ...good, wrapped: { ...good.wrapped, r: 1 } },
      { ...good, wrapped: { ...good.wrapped, kdf: 'pbkdf2' } },
      { ...good, wrapped: { ...good.wrapped, salt: `${good.wrapped.salt}AA` } },
      { ...good, wrapped: { ...good.wrapped, nonce: good.wrapped.nonce.replace(/^./u, '+') } },
      { ...good, wrapped: { ...good.wrapped, ciphertext: good.wrapped.ciphertext.slice(2) } },
      { publicKey: good.publicKey },
    ];
    for (const body of bad) expect((await api(server.url, 'PUT', '/api/me/keys', { token, body })).status).toBe(400);
    expect((await api(server.url, 'PUT', '/api/me/keys', { body: good })).status).toBe(401);
    expect((await api(server.url, 'PUT', '/api/me/keys', { token, body: good })).status).toBe(200);
    expect((await api(server.url, 'GET', '/api/me/keys', { token })).body).toEqual(good);
  }, SCRYPT_TEST_TIMEOUT_MS);
});

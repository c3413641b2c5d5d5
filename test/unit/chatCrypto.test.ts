/** The web app's chat encryption state (src/web/store/chatCrypto.ts) against a partner made with the crypto module. */
import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../../src/web/crypto/bytes.js';
import { decryptMessage, decryptProfile, encryptMessage, encryptProfile, newEphemeral, openChannel, safetyCode } from '../../src/web/crypto/channel.js';
import {
  acceptPartnerKey,
  beginChatKeys,
  endChatKeys,
  openIncoming,
  openRevealed,
  sealOutgoing,
  sealProfile,
  UNDECRYPTABLE,
} from '../../src/web/store/chatCrypto.js';

const revealed = (text: string) => ({ type: 'revealed' as const, chatId: 'chat-9', e2e: true as const, text });
const frame = (text: string, e2e: boolean, id = 'm') => ({ type: 'message' as const, chatId: 'chat-9', id, text, at: new Date().toISOString(), ...(e2e ? { e2e: true as const } : {}) });

describe('chat encryption in the web app', () => {
  it('plain before keys; encrypted after; a plain or tampered message once encrypted reads "Could not decrypt"', () => {
    const mine = beginChatKeys('chat-9');
    const partner = newEphemeral('chat-9');
    expect(sealOutgoing('chat-9', 'early')).toEqual({ text: 'early' });
    expect(openIncoming(frame('plain hello', false))).toEqual({ text: 'plain hello' });

    const state = acceptPartnerKey('chat-9', toBase64Url(partner.publicKey));
    const theirs = openChannel(partner, mine);
    expect(state).toEqual({ status: 'on', safetyCode: safetyCode(theirs) });
    // A second, different key from the relay changes nothing.
    expect(acceptPartnerKey('chat-9', toBase64Url(newEphemeral('chat-9').publicKey))).toBeNull();

    const out = sealOutgoing('chat-9', 'secret');
    expect(out.e2e).toBe(true);
    expect(decryptMessage(theirs, out.text)).toBe('secret');

    expect(openIncoming(frame(encryptMessage(theirs, 'hi there'), true, 'a'))).toEqual({ text: 'hi there' });
    expect(openIncoming(frame('downgraded to plain', false, 'b'))).toEqual({ text: UNDECRYPTABLE, undecryptable: true });
    const tampered = encryptMessage(theirs, 'changed').replace(/.$/u, (c) => (c === 'A' ? 'B' : 'A'));
    expect(openIncoming(frame(tampered, true, 'c'))).toEqual({ text: UNDECRYPTABLE, undecryptable: true });
    expect(openIncoming(frame(encryptMessage(theirs, 'still fine'), true, 'd'))).toEqual({ text: 'still fine' });
    endChatKeys();
    expect(openIncoming(frame(encryptMessage(theirs, 'after the end'), true, 'e'))).toEqual({ text: UNDECRYPTABLE, undecryptable: true });
  });

  it('a revealed profile: plain before keys; encrypted after, on the message counters; checked like the plain form; a plain or bad one once encrypted does not open', async () => {
    const mine = beginChatKeys('chat-9');
    const partner = newEphemeral('chat-9');
    expect(sealProfile('chat-9', { firstName: 'Ann' })).toEqual({ profile: { firstName: 'Ann' } });
    expect(await openRevealed({ type: 'revealed', chatId: 'chat-9', profile: { age: 30 } })).toEqual({ age: 30 });

    acceptPartnerKey('chat-9', toBase64Url(partner.publicKey));
    const theirs = openChannel(partner, mine);
    const out = sealProfile('chat-9', { firstName: 'Ann', age: 30 });
    expect(out).toMatchObject({ e2e: true });
    expect(JSON.stringify(out)).not.toContain('Ann');
    const text = 'text' in out ? out.text : '';
    expect(decryptProfile(theirs, text)).toEqual({ firstName: 'Ann', age: 30 });
    // The same counters as messages: the next message does not reuse the profile's.
    expect(decryptMessage(theirs, sealOutgoing('chat-9', 'next').text)).toBe('next');

    const good = encryptProfile(theirs, { firstName: '  Bo  ', gender: ' ', location: 'Ghent' });
    expect(await openRevealed(revealed(good))).toEqual({ firstName: 'Bo', location: 'Ghent' });
    expect(await openRevealed(revealed(good))).toBeNull(); // replayed
    // Downgraded to the plain form by the relay: refused.
    expect(await openRevealed({ type: 'revealed', chatId: 'chat-9', profile: { firstName: 'Forged' } })).toBeNull();
    // Decrypts, but is not what the server would accept as a profile.
    for (const bad of [{ age: 12 }, { age: 30.5 }, { firstName: 'x'.repeat(65) }, { nickname: 'extra' }, { firstName: ' ' }, ['Ann']]) {
      expect(await openRevealed(revealed(encryptProfile(theirs, bad as never)))).toBeNull();
    }
    // A message's envelope does not open as a profile.
    expect(await openRevealed(revealed(encryptMessage(theirs, '{"firstName":"Mallory"}')))).toBeNull();
    expect(await openRevealed(revealed('not an envelope'))).toBeNull();
    expect(await openRevealed(revealed(encryptProfile(theirs, { gender: 'm' })))).toEqual({ gender: 'm' });
    endChatKeys();
  });
});

/** The web app's chat encryption state (src/web/store/chatCrypto.ts) against a partner made with the crypto module. */
import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../../src/web/crypto/bytes.js';
import { decryptMessage, encryptMessage, newEphemeral, openChannel, safetyCode } from '../../src/web/crypto/channel.js';
import { acceptPartnerKey, beginChatKeys, endChatKeys, openIncoming, sealOutgoing, UNDECRYPTABLE } from '../../src/web/store/chatCrypto.js';

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
});

import { x25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { isChatEnvelope, isSealedEnvelope, PUBLIC_KEY_PATTERN } from '../../src/shared/e2e.js';
import { fromBase64Url, toBase64Url } from '../../src/web/crypto/bytes.js';
import {
  decryptMessage,
  decryptProfile,
  encryptMessage,
  encryptProfile,
  newEphemeral,
  openChannel,
  restoreChannel,
  safetyCode,
  saveChannel,
} from '../../src/web/crypto/channel.js';
import { newIdentity, unwrapIdentity, UnwrapError, wrapIdentity } from '../../src/web/crypto/identity.js';
import { openMessage, sealMessage, suite } from '../../src/web/crypto/sealed.js';


describe('X25519 (RFC 7748)', () => {
  it('§5.2: both scalar multiplication vectors', () => {
    const one = x25519.scalarMult(
      hexToBytes('a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4'),
      hexToBytes('e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c'),
    );
    expect(bytesToHex(one)).toBe('c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552');
    const two = x25519.scalarMult(
      hexToBytes('4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d'),
      hexToBytes('e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493'),
    );
    expect(bytesToHex(two)).toBe('95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957');
  });

  it('§6.1: Alice and Bob derive the published public keys and shared secret', () => {
    const alice = hexToBytes('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    const bob = hexToBytes('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
    expect(bytesToHex(x25519.getPublicKey(alice))).toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
    expect(bytesToHex(x25519.getPublicKey(bob))).toBe('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
    const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
    expect(bytesToHex(x25519.getSharedSecret(alice, x25519.getPublicKey(bob)))).toBe(shared);
    expect(bytesToHex(x25519.getSharedSecret(bob, x25519.getPublicKey(alice)))).toBe(shared);
  });
});

describe('HPKE (RFC 9180 A.1.1: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, base mode)', () => {
  const v = {
    info: '4f6465206f6e2061204772656369616e2055726e',
    skEm: '52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736',
    pkEm: '37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431',
    skRm: '4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8',
    pkRm: '3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d',
    pt: '4265617574792069732074727574682c20747275746820626561757479',
    aad0: '436f756e742d30',
    ct0: 'f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a',
    aad1: '436f756e742d31',
    ct1: 'af2d7e9ac9ae7e270f46ba1f975be53c09f8d875bdc8535458c2494e8a6eab251c03d0c22a56b8ca42c2063b84',
  };
  const raw = (hex: string) => hexToBytes(hex).slice().buffer;

  it('the sender with the vector ephemeral key produces enc and the first two ciphertexts', async () => {
    const ekm = { privateKey: await suite.kem.importKey('raw', raw(v.skEm), false), publicKey: await suite.kem.importKey('raw', raw(v.pkEm), true) };
    const recipientPublicKey = await suite.kem.deserializePublicKey(hexToBytes(v.pkRm));
    const sender = await suite.createSenderContext({ recipientPublicKey, info: hexToBytes(v.info), ekm });
    expect(bytesToHex(new Uint8Array(sender.enc))).toBe(v.pkEm);
    expect(bytesToHex(new Uint8Array(await sender.seal(hexToBytes(v.pt), hexToBytes(v.aad0))))).toBe(v.ct0);
    expect(bytesToHex(new Uint8Array(await sender.seal(hexToBytes(v.pt), hexToBytes(v.aad1))))).toBe(v.ct1);
  });

  it('the recipient with skRm opens the vector ciphertext', async () => {
    const recipientKey = await suite.kem.importKey('raw', raw(v.skRm), false);
    const recipient = await suite.createRecipientContext({ recipientKey, enc: hexToBytes(v.pkEm), info: hexToBytes(v.info) });
    expect(bytesToHex(new Uint8Array(await recipient.open(hexToBytes(v.ct0), hexToBytes(v.aad0))))).toBe(v.pt);
  });
});

describe('sealed connection messages', () => {
  it('open with the recipient key; refuse another key, another connection, a flipped bit', async () => {
    const bob = newIdentity();
    const envelope = await sealMessage(toBase64Url(bob.publicKey), 'conn-1', 'hello Bob 👋');
    expect(isSealedEnvelope(envelope)).toBe(true);
    expect(envelope).not.toContain('hello');
    expect(await openMessage(bob.privateKey, 'conn-1', envelope)).toBe('hello Bob 👋');
    await expect(openMessage(newIdentity().privateKey, 'conn-1', envelope)).rejects.toThrow(/decrypt/u);
    await expect(openMessage(bob.privateKey, 'conn-2', envelope)).rejects.toThrow(/decrypt/u);
    const flipped = envelope.slice(0, -3) + (envelope.at(-3) === 'A' ? 'B' : 'A') + envelope.slice(-2);
    await expect(openMessage(bob.privateKey, 'conn-1', flipped)).rejects.toThrow(/decrypt/u);
    await expect(openMessage(bob.privateKey, 'conn-1', 'plain text')).rejects.toThrow(/decrypt/u);
  });

  it('pads: a 1-character and a 200-character text are sealed to the same length', async () => {
    const bob = newIdentity();
    const short = await sealMessage(toBase64Url(bob.publicKey), 'c', 'a');
    const long = await sealMessage(toBase64Url(bob.publicKey), 'c', 'a'.repeat(200));
    expect(short.length).toBe(long.length);
  });

  it('the largest text (2000 four-byte characters) fits the server limit', async () => {
    const bob = newIdentity();
    const envelope = await sealMessage(toBase64Url(bob.publicKey), 'x'.repeat(64), '😀'.repeat(2000));
    expect(isSealedEnvelope(envelope)).toBe(true);
  });
});

/** Five scrypt runs at the real cost (about 1 s each alone); a loaded machine may take many times that. */
const SCRYPT_TEST_TIMEOUT_MS = 180_000;

describe('identity key wrap (scrypt N=2^17, r=8, p=1; XChaCha20-Poly1305)', () => {
  const code = 'maple-orbit-velvet-canyon-harbor-lime';

  it('unwraps with the code in any accepted spelling; refuses a wrong code and a tampered wrap', async () => {
    const keys = newIdentity();
    const stored = await wrapIdentity(keys, code);
    expect(stored.publicKey).toMatch(PUBLIC_KEY_PATTERN);
    expect(JSON.stringify(stored)).not.toContain(toBase64Url(keys.privateKey));
    const back = await unwrapIdentity(stored, 'Maple Orbit.velvet_canyon-harbor-LIME');
    expect(bytesToHex(back.privateKey)).toBe(bytesToHex(keys.privateKey));
    await expect(unwrapIdentity(stored, 'maple-orbit-velvet-canyon-harbor-limb')).rejects.toBeInstanceOf(UnwrapError);
    const c = fromBase64Url(stored.wrapped.ciphertext);
    c[5] = c[5]! ^ 1;
    await expect(unwrapIdentity({ ...stored, wrapped: { ...stored.wrapped, ciphertext: toBase64Url(c) } }, code)).rejects.toBeInstanceOf(UnwrapError);
    // Another public key beside a valid wrap: the AAD no longer matches.
    await expect(unwrapIdentity({ ...stored, publicKey: toBase64Url(newIdentity().publicKey) }, code)).rejects.toBeInstanceOf(UnwrapError);
    // Weaker KDF parameters than the documented ones are refused before any work.
    await expect(unwrapIdentity({ ...stored, wrapped: { ...stored.wrapped, logN: 10 } }, code)).rejects.toBeInstanceOf(UnwrapError);
  }, SCRYPT_TEST_TIMEOUT_MS);
});

describe('live channel', () => {
  function pair() {
    const a = newEphemeral('chat-1');
    const b = newEphemeral('chat-1');
    return { a: openChannel(a, toBase64Url(b.publicKey)), b: openChannel(b, toBase64Url(a.publicKey)), ea: a, eb: b };
  }

  it('both directions decrypt; the envelope hides the text; both sides see one safety code', () => {
    const { a, b } = pair();
    const e1 = encryptMessage(a, 'secret one');
    expect(isChatEnvelope(e1)).toBe(true);
    expect(e1).not.toContain('secret');
    expect(decryptMessage(b, e1)).toBe('secret one');
    expect(decryptMessage(a, encryptMessage(b, 'back'))).toBe('back');
    expect(safetyCode(a)).toMatch(/^\d{5}( \d{5}){4}$/u);
    expect(safetyCode(a)).toBe(safetyCode(b));
    const { a: other } = pair();
    expect(safetyCode(other)).not.toBe(safetyCode(a));
  });

  it('refuses a replayed message, an older one after a newer one, and a tampered one', () => {
    const { a, b } = pair();
    const m0 = encryptMessage(a, 'zero');
    const m1 = encryptMessage(a, 'one');
    const m2 = encryptMessage(a, 'two');
    expect(decryptMessage(b, m1)).toBe('one');
    expect(() => decryptMessage(b, m1)).toThrow(/replayed/u);
    expect(() => decryptMessage(b, m0)).toThrow(/replayed or reordered/u);
    const tampered = m2.replace(/.$/u, (c) => (c === 'A' ? 'B' : 'A'));
    expect(() => decryptMessage(b, tampered)).toThrow(/tampered/u);
    // A counter rewritten by the relay changes the nonce: refused too.
    expect(() => decryptMessage(b, m2.replace('e2e1.2.', 'e2e1.3.'))).toThrow(/tampered/u);
    expect(decryptMessage(b, m2)).toBe('two');
  });

  it('a message from another chat with the same keys does not open (the chat id is bound)', () => {
    const ea = newEphemeral('chat-1');
    const eb = newEphemeral('chat-1');
    const sender = openChannel({ ...ea, chatId: 'chat-2' }, toBase64Url(eb.publicKey));
    const receiver = openChannel(eb, toBase64Url(ea.publicKey));
    expect(() => decryptMessage(receiver, encryptMessage(sender, 'moved'))).toThrow(/tampered/u);
  });

  it('a revealed profile round-trips as an envelope that hides it, on the same counters as messages', () => {
    const { a, b } = pair();
    const profile = { firstName: 'Zoë Vandenberghe', age: 31, location: 'Sint-Amandsberg' };
    expect(decryptMessage(b, encryptMessage(a, 'hello'))).toBe('hello');
    const sealed = encryptProfile(a, profile);
    expect(isChatEnvelope(sealed)).toBe(true);
    expect(sealed.startsWith('e2e1.1.')).toBe(true); // the counter after the message's
    for (const value of ['Vandenberghe', 'Sint-Amandsberg', 'firstName']) expect(sealed).not.toContain(value);
    expect(decryptProfile(b, sealed)).toEqual(profile);
    // The next message goes on from there.
    expect(encryptMessage(a, 'after').startsWith('e2e1.2.')).toBe(true);
  });

  it('a profile never opens as a message, nor a message as a profile (separate associated data)', () => {
    const { a, b } = pair();
    const sealedProfile = encryptProfile(a, { firstName: 'Ann' });
    expect(() => decryptMessage(b, sealedProfile)).toThrow(/tampered/u);
    // A message whose text is a profile's JSON still does not open as a profile.
    const message = encryptMessage(a, JSON.stringify({ firstName: 'Mallory' }));
    expect(() => decryptProfile(b, message)).toThrow(/tampered/u);
    // Neither refusal used up a counter: the genuine ones open in the right reader.
    expect(decryptProfile(b, sealedProfile)).toEqual({ firstName: 'Ann' });
    expect(decryptMessage(b, message)).toBe('{"firstName":"Mallory"}');
  });

  it('refuses a replayed or reordered profile, and a message replayed after it', () => {
    const { a, b } = pair();
    const m0 = encryptMessage(a, 'zero');
    const p1 = encryptProfile(a, { gender: 'f' });
    const m2 = encryptMessage(a, 'two');
    expect(decryptProfile(b, p1)).toEqual({ gender: 'f' });
    expect(() => decryptProfile(b, p1)).toThrow(/replayed/u);
    expect(() => decryptMessage(b, m0)).toThrow(/replayed or reordered/u);
    expect(decryptMessage(b, m2)).toBe('two');
    expect(() => decryptProfile(b, encryptProfile(a, { gender: 'm' }).replace(/^e2e1\.3\./u, 'e2e1.2.'))).toThrow(/replayed/u);
  });

  it('a low-order partner key is refused', () => {
    expect(() => openChannel(newEphemeral('c'), toBase64Url(new Uint8Array(32)))).toThrow();
  });

  it('survives a save and restore (a reload) with its counters', () => {
    const { a, b, eb } = pair();
    decryptMessage(b, encryptMessage(a, 'before'));
    const restored = restoreChannel(JSON.parse(JSON.stringify(saveChannel(eb, b))) as ReturnType<typeof saveChannel>);
    const c = restored.channel!;
    expect(decryptMessage(c, encryptMessage(a, 'after'))).toBe('after');
    expect(decryptMessage(a, encryptMessage(c, 'reply'))).toBe('reply');
    expect(safetyCode(c)).toBe(safetyCode(a));
  });
});

/**
 * Messages to a connection, sealed to its identity public key with HPKE
 * (RFC 9180, base mode): DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM.
 * What the server holds until the message is read is `hpke1.<enc>.<ciphertext>`.
 */
import { Aes128Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { isSealedEnvelope } from '../../shared/e2e.js';
import { LIMITS } from '../../shared/limits.js';
import { concat, field, fromBase64Url, fromUtf8, toBase64Url, utf8 } from './bytes.js';
import { DecryptError } from './channel.js';
import { pad, unpad } from './padding.js';

export const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() });

const INFO = utf8('metsony connection message v1');

/** Binds the message to the connection (its id is the same on both sides), so the server cannot move it to another thread. */
function aadOf(connectionId: string): Uint8Array {
  return concat(utf8('metsony dm v1'), field(utf8(connectionId)));
}

export async function sealMessage(recipientPublicKeyB64: string, connectionId: string, text: string): Promise<string> {
  const recipientPublicKey = await suite.kem.deserializePublicKey(fromBase64Url(recipientPublicKeyB64));
  const { ct, enc } = await suite.seal({ recipientPublicKey, info: INFO }, pad(utf8(text)), aadOf(connectionId));
  return `hpke1.${toBase64Url(new Uint8Array(enc))}.${toBase64Url(new Uint8Array(ct))}`;
}

/** Throws `DecryptError` for anything that does not open. */
export async function openMessage(privateKey: Uint8Array, connectionId: string, envelope: string): Promise<string> {
  if (!isSealedEnvelope(envelope)) throw new DecryptError('not a sealed message');
  const [, enc, body] = envelope.split('.');
  let text: string;
  try {
    const recipientKey = await suite.kem.importKey('raw', privateKey.slice().buffer, false);
    const plain = await suite.open({ recipientKey, enc: fromBase64Url(enc!), info: INFO }, fromBase64Url(body!), aadOf(connectionId));
    text = fromUtf8(unpad(new Uint8Array(plain)));
  } catch {
    throw new DecryptError('tampered or not for this key');
  }
  if (text.length === 0 || [...text].length > LIMITS.textMax) throw new DecryptError('bad length');
  return text;
}

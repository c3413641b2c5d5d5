/**
 * The live chat channel (docs/encryption.md, "Live chats"): an ephemeral
 * X25519 key per side and chat, per-direction keys from HKDF-SHA256 bound to
 * the chat id and both public keys, ChaCha20-Poly1305 with the message counter
 * as nonce. The receiver accepts only counters above the last one it accepted,
 * so a replayed or reordered message is refused like a tampered one.
 * A revealed profile goes through the same channel and counters, under its own
 * associated data, so a profile never opens as a message nor a message as a profile.
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { isChatEnvelope } from '../../shared/e2e.js';
import { LIMITS } from '../../shared/limits.js';
import type { RevealedProfile } from '../../shared/revealProfile.js';
import { compareBytes, concat, field, fromBase64Url, fromUtf8, toBase64Url, utf8 } from './bytes.js';
import { pad, unpad } from './padding.js';

export type Ephemeral = { chatId: string; privateKey: Uint8Array; publicKey: Uint8Array };

export type Channel = {
  chatId: string;
  myPublic: Uint8Array;
  theirPublic: Uint8Array;
  sendKey: Uint8Array;
  receiveKey: Uint8Array;
  /** The counter of the next message this side sends. */
  nextSend: number;
  /** The highest counter accepted from the partner; -1 before the first. */
  lastReceived: number;
};

export class DecryptError extends Error {
  constructor(reason: string) {
    super(`Could not decrypt: ${reason}`);
  }
}

const KDF_SALT = utf8('metsony chat v1');
/** What a ciphertext is: bound into its associated data, so one kind never opens as the other. */
type Kind = 'message' | 'profile';
const AAD_LABELS: Record<Kind, Uint8Array> = { message: utf8('metsony chat message v1'), profile: utf8('metsony chat profile v1') };

export function newEphemeral(chatId: string): Ephemeral {
  const { secretKey, publicKey } = x25519.keygen();
  return { chatId, privateKey: secretKey, publicKey };
}

function directionKey(shared: Uint8Array, chatId: string, from: Uint8Array, to: Uint8Array): Uint8Array {
  return hkdf(sha256, shared, KDF_SALT, concat(field(utf8(chatId)), from, to), 32);
}

/** Throws for a malformed or low-order partner key (an all-zero shared secret). */
export function openChannel(mine: Ephemeral, theirPublicB64: string): Channel {
  const theirPublic = fromBase64Url(theirPublicB64);
  if (theirPublic.length !== 32) throw new DecryptError('bad partner key');
  const shared = x25519.getSharedSecret(mine.privateKey, theirPublic);
  const channel: Channel = {
    chatId: mine.chatId,
    myPublic: mine.publicKey,
    theirPublic,
    sendKey: directionKey(shared, mine.chatId, mine.publicKey, theirPublic),
    receiveKey: directionKey(shared, mine.chatId, theirPublic, mine.publicKey),
    nextSend: 0,
    lastReceived: -1,
  };
  shared.fill(0);
  return channel;
}

function nonceOf(counter: number): Uint8Array {
  const nonce = new Uint8Array(12);
  new DataView(nonce.buffer).setBigUint64(4, BigInt(counter));
  return nonce;
}

function aadOf(kind: Kind, chatId: string): Uint8Array {
  return concat(AAD_LABELS[kind], field(utf8(chatId)));
}

/** Encrypts with the next send counter (shared by messages and profiles); advances it. */
function seal(channel: Channel, kind: Kind, plain: string): string {
  const counter = channel.nextSend++;
  const sealed = chacha20poly1305(channel.sendKey, nonceOf(counter), aadOf(kind, channel.chatId)).encrypt(pad(utf8(plain)));
  return `e2e1.${counter}.${toBase64Url(sealed)}`;
}

/** Decrypts without accepting: the caller checks the plaintext, then sets `lastReceived` to the counter. */
function open(channel: Channel, kind: Kind, envelope: string): { counter: number; plain: string } {
  if (!isChatEnvelope(envelope)) throw new DecryptError('not an encrypted message');
  const [, counterText, body] = envelope.split('.');
  const counter = Number(counterText);
  if (!Number.isSafeInteger(counter)) throw new DecryptError('bad counter');
  if (counter <= channel.lastReceived) throw new DecryptError('replayed or reordered');
  try {
    const plain = chacha20poly1305(channel.receiveKey, nonceOf(counter), aadOf(kind, channel.chatId)).decrypt(fromBase64Url(body!));
    return { counter, plain: fromUtf8(unpad(plain)) };
  } catch {
    throw new DecryptError('tampered');
  }
}

/** Encrypts the next message; advances the channel's send counter. */
export function encryptMessage(channel: Channel, text: string): string {
  return seal(channel, 'message', text);
}

/** Decrypts a partner's message; throws `DecryptError` for tampering, a replay, a reordering or a malformed envelope. */
export function decryptMessage(channel: Channel, envelope: string): string {
  const { counter, plain: text } = open(channel, 'message', envelope);
  if (text.length === 0 || [...text].length > LIMITS.textMax) throw new DecryptError('bad length');
  channel.lastReceived = counter;
  return text;
}

/** Encrypts a profile to reveal (JSON) with the next send counter, under the profile's associated data. */
export function encryptProfile(channel: Channel, profile: RevealedProfile): string {
  return seal(channel, 'profile', JSON.stringify(profile));
}

/**
 * Decrypts a partner's revealed profile: the parsed JSON, for the caller to
 * check as the server checks the plain form (src/shared/revealProfileSchema.ts).
 * Throws `DecryptError` as `decryptMessage` does, and for a plaintext that is not JSON.
 */
export function decryptProfile(channel: Channel, envelope: string): unknown {
  const { counter, plain } = open(channel, 'profile', envelope);
  let profile: unknown;
  try {
    profile = JSON.parse(plain);
  } catch {
    throw new DecryptError('not a profile');
  }
  channel.lastReceived = counter;
  return profile;
}

/**
 * The code both people compare: SHA-256 over the chat id and both ephemeral
 * public keys (sorted, so both sides compute the same), as 5 groups of 5 digits.
 */
export function safetyCode(channel: Pick<Channel, 'chatId' | 'myPublic' | 'theirPublic'>): string {
  const [a, b] = [channel.myPublic, channel.theirPublic].sort(compareBytes);
  const digest = sha256(concat(utf8('metsony safety code v1'), field(utf8(channel.chatId)), a!, b!));
  const view = new DataView(digest.buffer, digest.byteOffset, digest.byteLength);
  const groups: string[] = [];
  for (let i = 0; i < 5; i++) groups.push(String(view.getUint32(i * 4) % 100_000).padStart(5, '0'));
  return groups.join(' ');
}

/** A channel as this tab keeps it over a reload (sessionStorage, see tabMemory.ts): the ephemeral key and the counters. */
export type SavedChannel = { chatId: string; privateKey: string; theirPublic: string | null; nextSend: number; lastReceived: number };

export function saveChannel(mine: Ephemeral, channel: Channel | null): SavedChannel {
  return {
    chatId: mine.chatId,
    privateKey: toBase64Url(mine.privateKey),
    theirPublic: channel ? toBase64Url(channel.theirPublic) : null,
    nextSend: channel?.nextSend ?? 0,
    lastReceived: channel?.lastReceived ?? -1,
  };
}

/** Throws for a malformed saved state. */
export function restoreChannel(saved: SavedChannel): { mine: Ephemeral; channel: Channel | null } {
  const privateKey = fromBase64Url(saved.privateKey);
  if (privateKey.length !== 32) throw new Error('bad saved key');
  const mine: Ephemeral = { chatId: saved.chatId, privateKey, publicKey: x25519.getPublicKey(privateKey) };
  if (saved.theirPublic === null) return { mine, channel: null };
  const channel = openChannel(mine, saved.theirPublic);
  channel.nextSend = saved.nextSend;
  channel.lastReceived = saved.lastReceived;
  return { mine, channel };
}

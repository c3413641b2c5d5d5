/**
 * End-to-end encryption of the current stranger chat (docs/encryption.md,
 * "Live chats"). At match each side sends an ephemeral public key (`key`);
 * once both keys are known every message is encrypted, and the safety code
 * can be compared. The secret state lives here, outside any signal; chat.ts
 * keeps only what the screen shows (`Encryption`). A chat with an AI partner,
 * or with an app that offers no key, is not end-to-end encrypted, and says so.
 *
 * Part of the chunk fetched on demand (cryptoCode.ts): chat.ts reaches it
 * through cryptoLoader.ts.
 */
import type { MessageFrame, RevealedProfile, ServerFrame } from '../../shared/protocol.js';
import { toBase64Url } from '../crypto/bytes.js';
import {
  type Channel,
  decryptMessage,
  decryptProfile,
  type Ephemeral,
  encryptMessage,
  encryptProfile,
  newEphemeral,
  openChannel,
  restoreChannel,
  safetyCode,
  saveChannel,
} from '../crypto/channel.js';
import { forgetChatKeys, loadChatKeys, pruneChatKeys, saveChatKeys } from '../chatKeyStore.js';
import { UNDECRYPTABLE, UNDECRYPTABLE_PROFILE } from './chatLines.js';

/**
 * `pending`: our key went out, the partner's has not come; `on`: encrypted;
 * `off`: not end-to-end encrypted (`why` says which case).
 */
export type Encryption =
  | { status: 'pending' }
  | { status: 'on'; safetyCode: string }
  | { status: 'off'; why: 'ai' | 'no-key' | 'lost-key' };

export { UNDECRYPTABLE, UNDECRYPTABLE_PROFILE };

type State = { chatId: string; mine: Ephemeral; channel: Channel | null };
let state: State | null = null;

function persist(): void {
  if (state) saveChatKeys(saveChannel(state.mine, state.channel));
}

/**
 * Before a counter is used: take the stored counters if another tab of this
 * browser moved them on (it had the chat meanwhile), so no counter is used twice.
 */
function catchUp(s: State): void {
  const stored = loadChatKeys(s.chatId);
  if (!stored || !s.channel) return;
  s.channel.nextSend = Math.max(s.channel.nextSend, stored.nextSend);
  s.channel.lastReceived = Math.max(s.channel.lastReceived, stored.lastReceived);
}

function encryptionOf(s: State): Encryption {
  return s.channel ? { status: 'on', safetyCode: safetyCode(s.channel) } : { status: 'pending' };
}

/** A new chat with a person: a fresh ephemeral key; returns it (base64url) for the `key` frame. */
export function beginChatKeys(chatId: string): string {
  pruneChatKeys();
  state = { chatId, mine: newEphemeral(chatId), channel: null };
  persist();
  return toBase64Url(state.mine.publicKey);
}

/** Our public key for this chat, to send again (after the partner came back, say); null if we have none. */
export function ownChatKey(chatId: string): string | null {
  return state?.chatId === chatId ? toBase64Url(state.mine.publicKey) : null;
}

/** After a reload, or taking over another tab's chat: the keys this browser kept for it, or null when it has none. */
export function restoreChatKeys(chatId: string): Encryption | null {
  if (state?.chatId === chatId) return encryptionOf(state);
  const saved = loadChatKeys(chatId);
  if (!saved) return null;
  try {
    state = { chatId, ...restoreChannel(saved) };
    return encryptionOf(state);
  } catch {
    return null;
  }
}

/**
 * The partner's key. The first one counts for the whole chat: a different one
 * later is ignored (a relay cannot swap keys mid-chat). Returns the new state,
 * or null when nothing changed.
 */
export function acceptPartnerKey(chatId: string, publicKey: string): Encryption | null {
  if (!state || state.chatId !== chatId || state.channel) return null;
  try {
    state.channel = openChannel(state.mine, publicKey);
  } catch {
    return null;
  }
  persist();
  return encryptionOf(state);
}

/** A text to send: encrypted when the channel is up (`e2e: true`), as typed otherwise. */
export function sealOutgoing(chatId: string, text: string): { text: string; e2e?: true } {
  if (!state?.channel || state.chatId !== chatId) return { text };
  catchUp(state);
  const envelope = encryptMessage(state.channel, text);
  persist();
  return { text: envelope, e2e: true };
}

/**
 * A received message as the log shows it. Once the chat is encrypted, a plain
 * message is refused like a tampered one: the relay cannot downgrade a chat.
 */
export function openIncoming(frame: MessageFrame): { text: string; undecryptable?: true } {
  const channel = state?.chatId === frame.chatId ? state.channel : null;
  if (!frame.e2e && !channel) return { text: frame.text };
  if (!channel || !frame.e2e) return { text: UNDECRYPTABLE, undecryptable: true };
  if (state) catchUp(state);
  try {
    const text = decryptMessage(channel, frame.text);
    persist();
    return { text };
  } catch {
    return { text: UNDECRYPTABLE, undecryptable: true };
  }
}

/**
 * A profile to reveal (already trimmed): encrypted when the channel is up
 * (`e2e: true`, with the next message counter), the plain form otherwise.
 */
export function sealProfile(chatId: string, profile: RevealedProfile): { profile: RevealedProfile } | { e2e: true; text: string } {
  if (!state?.channel || state.chatId !== chatId) return { profile };
  catchUp(state);
  const text = encryptProfile(state.channel, profile);
  persist();
  return { e2e: true, text };
}

/**
 * A partner's revealed profile as the log shows it, or `null` when it does not
 * open. As for messages, a plain one in an encrypted chat is refused: the relay
 * cannot slip a profile of its own making into a private chat. A decrypted one
 * is checked with the server's schema for the plain form, loaded only now (it
 * brings zod, which the pages of a first visit do without).
 */
export async function openRevealed(frame: Extract<ServerFrame, { type: 'revealed' }>): Promise<RevealedProfile | null> {
  const channel = state?.chatId === frame.chatId ? state.channel : null;
  if (!('e2e' in frame)) return channel ? null : frame.profile;
  if (!channel) return null;
  let opened: unknown;
  try {
    if (state) catchUp(state);
    opened = decryptProfile(channel, frame.text);
    persist();
  } catch {
    return null;
  }
  try {
    const { parseRevealedProfile } = await import('../../shared/revealProfileSchema.js');
    return parseRevealedProfile(opened);
  } catch {
    return null;
  }
}

/** The chat is over, or the person signed out: forget its keys. */
export function endChatKeys(): void {
  if (state) forgetChatKeys(state.chatId);
  state = null;
}

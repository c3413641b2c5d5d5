/**
 * Stranger chat: searching, the current chat, and every action on it
 * (PROTOCOL.md §3 "Stranger chat"). Screens read `phase` and call the
 * functions below; frames from the socket update `phase`.
 *
 * `phase` is replaced, never mutated, so every change re-renders what reads it.
 */
import { signal } from '@preact/signals';
import type { EndReason, Partner, RevealedProfile, ServerFrame } from '../../shared/protocol.js';
import { LIMITS } from '../../shared/limits.js';
import { newClientId } from '../ids.js';
import { loadRegion, saveRegion, type Region } from '../storage.js';
import { announce } from './announcer.js';
import { showNotice } from './notices.js';
import { isSocketReady, onFrame, sendFrame } from './realtime.js';

export type ChatLine =
  | { kind: 'own'; id: string; text: string; delivered: boolean; at: number }
  | { kind: 'partner'; id: string; text: string; at: number }
  | { kind: 'event'; id: string; text: string }
  | { kind: 'profile'; id: string; from: 'me' | 'partner'; profile: RevealedProfile };

/** Why a chat ended: the server's reasons, or `lost` when our own socket dropped and the chat did not survive. */
export type EndState = EndReason | 'lost';

/** Connect handshake: nobody asked · we asked and wait · they asked · both agreed. */
export type ConnectState = 'none' | 'waiting' | 'asked' | 'connected';

export type ChatSession = {
  id: string;
  partner: Partner;
  lines: ChatLine[];
  ended: EndState | null;
  partnerTyping: boolean;
  connect: ConnectState;
  revealed: boolean;
  reported: boolean;
  blockedByMe: boolean;
};

export type Phase = { kind: 'idle' } | { kind: 'searching' } | { kind: 'chat'; chat: ChatSession };

export const REPORT_REASONS = ['spam', 'harassment', 'underage', 'illegal', 'other'] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];

export const phase = signal<Phase>({ kind: 'idle' });
export const region = signal<Region>(loadRegion());

const LINES_KEPT = 1000;
/** While typing goes on, `typing:true` is repeated this often so the partner's indicator stays up. */
const TYPING_REFRESH_MS = 4000;
/** No key pressed for this long: tell the partner we stopped. */
const TYPING_IDLE_MS = 3000;
/** A partner's indicator goes away by itself if no refresh comes (a lost `typing:false`). */
const PARTNER_TYPING_TIMEOUT_MS = 8000;
/** Next sends `leave`, waits for `ended`, then `find`; this long at most. */
const LEAVE_WAIT_MS = 1500;

let leavingChatId: string | null = null;
let leaveTimer: ReturnType<typeof setTimeout> | undefined;
/** The last of find/cancel we sent, to tell a stale `idle` from a current one. */
let lastSearchCommand: 'find' | 'cancel' | null = null;
let typingActive = false;
let typingLastSent = 0;
let typingIdleTimer: ReturnType<typeof setTimeout> | undefined;
let partnerTypingTimer: ReturnType<typeof setTimeout> | undefined;

export function currentChat(): ChatSession | null {
  const p = phase.value;
  return p.kind === 'chat' ? p.chat : null;
}

/** The current chat, if it is still going on. */
function liveChat(): ChatSession | null {
  const chat = currentChat();
  return chat && !chat.ended ? chat : null;
}

function updateChat(chatId: string, change: (chat: ChatSession) => ChatSession): void {
  const chat = currentChat();
  if (chat && chat.id === chatId) phase.value = { kind: 'chat', chat: change(chat) };
}

function addLine(chat: ChatSession, line: ChatLine): ChatSession {
  const lines = chat.lines.length >= LINES_KEPT ? chat.lines.slice(-LINES_KEPT + 1) : chat.lines;
  return { ...chat, lines: [...lines, line] };
}

function eventLine(text: string): ChatLine {
  return { kind: 'event', id: newClientId(), text };
}

// Searching

export function setRegion(value: Region): void {
  region.value = value;
  saveRegion(value);
}

/** Start chatting / Continue / Next: leave the chat if one is going on, then search. */
export function startSearch(): void {
  const chat = liveChat();
  stopTyping();
  phase.value = { kind: 'searching' };
  lastSearchCommand = 'find';
  if (chat && isSocketReady()) {
    sendFrame({ type: 'leave', chatId: chat.id });
    leavingChatId = chat.id;
    clearTimeout(leaveTimer);
    leaveTimer = setTimeout(finishLeaving, LEAVE_WAIT_MS);
    return;
  }
  // Not ready: `find` goes out on the next `ready` (see onReady).
  sendFind();
}

function sendFind(): void {
  if (phase.value.kind !== 'searching' || leavingChatId) return;
  sendFrame({ type: 'find', region: region.value });
}

function finishLeaving(): void {
  clearTimeout(leaveTimer);
  if (!leavingChatId) return;
  leavingChatId = null;
  sendFind();
}

export function cancelSearch(): void {
  lastSearchCommand = 'cancel';
  leavingChatId = null;
  clearTimeout(leaveTimer);
  phase.value = { kind: 'idle' };
  sendFrame({ type: 'cancel' });
}

// In a chat

/** Stop: leave the chat and stay; pressed again on an ended chat, close it. */
export function stop(): void {
  const p = phase.value;
  if (p.kind === 'searching') return cancelSearch();
  if (p.kind !== 'chat') return;
  if (p.chat.ended) {
    phase.value = { kind: 'idle' };
    return;
  }
  stopTyping();
  sendFrame({ type: 'leave', chatId: p.chat.id });
  endChat(p.chat.id, 'you_left');
}

/** Returns an error sentence, or null when the message went out (or waits for a reconnect). */
export function sendMessage(raw: string): string | null {
  const chat = liveChat();
  if (!chat) return 'This chat has ended.';
  const text = raw.replace(/\s+$/u, '');
  if (!text.trim()) return null;
  if ([...text].length > LIMITS.textMax) return `Messages are at most ${LIMITS.textMax} characters.`;
  stopTyping();
  const id = newClientId();
  updateChat(chat.id, (c) => addLine(c, { kind: 'own', id, text, delivered: false, at: Date.now() }));
  sendFrame({ type: 'send', chatId: chat.id, id, text }, true);
  return null;
}

/** Called on every keystroke in the message box. */
export function noteTyping(): void {
  const chat = liveChat();
  if (!chat) return;
  const now = Date.now();
  if (!typingActive || now - typingLastSent > TYPING_REFRESH_MS) {
    sendFrame({ type: 'typing', chatId: chat.id, typing: true });
    typingActive = true;
    typingLastSent = now;
  }
  clearTimeout(typingIdleTimer);
  typingIdleTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
}

export function stopTyping(): void {
  clearTimeout(typingIdleTimer);
  if (!typingActive) return;
  typingActive = false;
  const chat = liveChat();
  if (chat) sendFrame({ type: 'typing', chatId: chat.id, typing: false });
}

/** Connect: ask, or accept when they asked first. */
export function requestConnect(): void {
  const chat = liveChat();
  if (!chat || chat.partner.ai || chat.connect === 'waiting' || chat.connect === 'connected') return;
  sendFrame({ type: 'connect', chatId: chat.id });
  updateChat(chat.id, (c) => ({ ...c, connect: 'waiting' }));
}

export function revealProfile(profile: RevealedProfile): void {
  const chat = liveChat();
  if (!chat || chat.partner.ai) return;
  sendFrame({ type: 'reveal', chatId: chat.id, profile });
  updateChat(chat.id, (c) =>
    addLine({ ...c, revealed: true }, { kind: 'profile', id: newClientId(), from: 'me', profile }),
  );
}

/** What happens to a chat still going on once it is reported. */
export type AfterReport = 'leave' | 'block';

/** Report, then leave or block (when the chat is still going on). */
export function report(reason: ReportReason, note: string, then: AfterReport): void {
  const chat = currentChat();
  if (!chat) return;
  const trimmed = note.trim();
  sendFrame({ type: 'report', chatId: chat.id, reason, ...(trimmed ? { note: trimmed } : {}) });
  if (chat.ended) return;
  if (then === 'block') block();
  else stop();
}

export function block(): void {
  const chat = currentChat();
  if (!chat) return;
  stopTyping();
  sendFrame({ type: 'block', chatId: chat.id });
  updateChat(chat.id, (c) => ({ ...c, blockedByMe: true }));
}

function endChat(chatId: string, reason: EndState): void {
  clearTimeout(partnerTypingTimer);
  const chat = currentChat();
  if (!chat || chat.id !== chatId || chat.ended) return;
  const ended = { ...chat, ended: reason, partnerTyping: false };
  phase.value = { kind: 'chat', chat: ended };
  if (reason !== 'you_left') announce(endedText(ended));
}

/** "Matched with Sam. You both like music." */
export function matchedText(partner: Partner): string {
  const common = partner.commonInterests;
  return `Matched with ${partner.nickname}.${common.length > 0 ? ` You both like ${common.join(', ')}.` : ''}`;
}

/** Sign-out: forget the chat and every timer. */
export function resetChat(): void {
  clearTimeout(leaveTimer);
  clearTimeout(typingIdleTimer);
  clearTimeout(partnerTypingTimer);
  leavingChatId = null;
  lastSearchCommand = null;
  typingActive = false;
  phase.value = { kind: 'idle' };
}

// Frames from the server

function onReady(): void {
  const p = phase.value;
  // A reconnect loses the server's search queue entry: search again.
  if (p.kind === 'searching') {
    if (leavingChatId) finishLeaving();
    else sendFind();
  }
  // Did the chat survive the reconnect? A harmless frame tells: `not_in_chat` if not.
  if (p.kind === 'chat' && !p.chat.ended) {
    typingActive = false;
    sendFrame({ type: 'typing', chatId: p.chat.id, typing: false });
  }
}

function onChatFrame(frame: ServerFrame): void {
  switch (frame.type) {
    case 'ready':
      onReady();
      return;
    case 'idle':
      if (lastSearchCommand === 'cancel' && phase.value.kind === 'searching') phase.value = { kind: 'idle' };
      return;
    case 'matched': {
      clearTimeout(leaveTimer);
      leavingChatId = null;
      typingActive = false;
      clearTimeout(typingIdleTimer);
      clearTimeout(partnerTypingTimer);
      phase.value = {
        kind: 'chat',
        chat: {
          id: frame.chat.id,
          partner: frame.chat.partner,
          lines: [],
          ended: null,
          partnerTyping: false,
          connect: 'none',
          revealed: false,
          reported: false,
          blockedByMe: false,
        },
      };
      announce(matchedText(frame.chat.partner));
      // Elsewhere (Settings, Connections…) the person is not pulled away: MatchBanner offers "Go to chat".
      return;
    }
    case 'message':
      clearTimeout(partnerTypingTimer);
      updateChat(frame.chatId, (c) =>
        c.lines.some((l) => l.kind === 'partner' && l.id === frame.id)
          ? c
          : addLine({ ...c, partnerTyping: false }, { kind: 'partner', id: frame.id, text: frame.text, at: Date.parse(frame.at) || Date.now() }),
      );
      return;
    case 'sent':
      updateChat(frame.chatId, (c) => ({
        ...c,
        lines: c.lines.map((l) => (l.kind === 'own' && l.id === frame.id ? { ...l, delivered: true } : l)),
      }));
      return;
    case 'typing':
      clearTimeout(partnerTypingTimer);
      if (frame.typing) {
        partnerTypingTimer = setTimeout(
          () => updateChat(frame.chatId, (c) => ({ ...c, partnerTyping: false })),
          PARTNER_TYPING_TIMEOUT_MS,
        );
      }
      updateChat(frame.chatId, (c) => (c.ended ? c : { ...c, partnerTyping: frame.typing }));
      return;
    case 'ended':
      if (frame.chatId === leavingChatId) finishLeaving();
      endChat(frame.chatId, frame.reason);
      return;
    case 'revealed':
      updateChat(frame.chatId, (c) =>
        addLine(c, { kind: 'profile', id: newClientId(), from: 'partner', profile: frame.profile }),
      );
      return;
    case 'connect_requested':
      updateChat(frame.chatId, (c) => (c.connect === 'none' ? { ...c, connect: 'asked' } : c));
      return;
    case 'connected':
      updateChat(frame.chatId, (c) =>
        addLine(
          { ...c, connect: 'connected' },
          eventLine(`You can now find ${c.partner.nickname} any time under Connections.`),
        ),
      );
      return;
    case 'reported':
      updateChat(frame.chatId, (c) => ({ ...c, reported: true }));
      showNotice('Thank you. Your report was sent to the moderators.', 'info');
      return;
    case 'shutdown':
      showNotice('METSONY is restarting. You will be reconnected in a moment.', 'info');
      return;
    default:
      return;
  }
}

onFrame(onChatFrame);

/**
 * Chat-specific readings of `error` frames. Returns true when the error is
 * fully handled here and needs no notice.
 */
export function handleChatError(frame: Extract<ServerFrame, { type: 'error' }>): boolean {
  switch (frame.code) {
    case 'not_in_chat': {
      if (leavingChatId) {
        finishLeaving();
        return true;
      }
      const chat = liveChat();
      if (chat) {
        endChat(chat.id, 'lost');
        return true;
      }
      return false;
    }
    case 'suspended':
      if (phase.value.kind === 'searching') phase.value = { kind: 'idle' };
      return false;
    default:
      return false;
  }
}

/** The line shown when a chat ended, from this person's point of view. */
export function endedText(chat: ChatSession): string {
  // Once connected, the partner is no stranger: their name is known.
  const who = chat.connect === 'connected' ? chat.partner.nickname : 'Stranger';
  switch (chat.ended) {
    case 'you_left':
      return 'You left.';
    case 'partner_left':
      return chat.partner.ai ? 'The AI partner left.' : `${who} left.`;
    case 'partner_disconnected':
      return chat.partner.ai ? 'The AI partner disconnected.' : `${who} disconnected.`;
    case 'blocked':
      if (chat.partner.ai) return chat.blockedByMe ? 'You blocked this AI partner.' : 'The AI partner left.';
      return chat.blockedByMe ? 'You blocked this person.' : `${who} left.`;
    case 'shutdown':
      return 'The chat ended because METSONY is restarting.';
    case 'lost':
      return 'Your connection dropped and the chat ended.';
    default:
      return '';
  }
}

/**
 * Stranger chat: searching, the current chat, and every action on it
 * (PROTOCOL.md §3 "Stranger chat"). Screens read `phase` and call the
 * functions below; frames from the socket update `phase`.
 *
 * A chat outlives a dropped connection or a reload (docs/protocol.md, "Resume
 * after a dropped connection"): the tab remembers the chat id (tabMemory.ts)
 * and sends `resume` after every `ready`; messages typed meanwhile wait here
 * and go out once `resumed` arrives (chatLines.ts says how each one moves).
 *
 * `phase` is replaced, never mutated, so every change re-renders what reads it.
 *
 * The chat's keys (chatCrypto.ts) come with the encryption code, which is
 * fetched on demand (cryptoLoader.ts): a search starts fetching it, and a
 * frame that needs it (`key`, `resumed`, an encrypted `message`) waits for it,
 * in a queue with every chat frame after it, so they are all handled in the
 * order they came. Until our key has gone out the chat's encryption is
 * `pending`, and messages typed meanwhile wait as they do for the partner's key.
 */
import { signal } from '@preact/signals';
import type { EndReason, MessageFrame, Partner, RevealedProfile, ServerFrame } from '../../shared/protocol.js';
import { LIMITS } from '../../shared/limits.js';
import type { AttachedMessage } from '../../shared/moderation.js';
import { normaliseProfile } from '../../shared/revealProfile.js';
import { newClientId } from '../ids.js';
import { href, navigate } from '../router.js';
import { loadOnlyPeople, loadRegion, saveOnlyPeople, saveRegion, type Region } from '../storage.js';
import { clearTabChat, loadTabChat, saveTabChat } from '../tabMemory.js';
import {
  acknowledge,
  addMissed,
  failOldestSending,
  failPending,
  frameTime,
  markDelivered,
  markFailed,
  releaseLocal,
  retryLine,
  settleAfterResume,
  type ChatLine,
  type OwnLine,
  UNDECRYPTABLE,
} from './chatLines.js';
import { announce } from './announcer.js';
import type { Encryption } from './chatCrypto.js';
import { loadCrypto, loadedCrypto, warmUpCrypto } from './cryptoLoader.js';
import { showNotice } from './notices.js';
import { fitAttached, type ReportFrame } from './reportAttachment.js';
import { findProof } from './proof.js';
import { isSocketReady, onFrame, sendFrame } from './realtime.js';

export type { ChatLine, Encryption };

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
  /** The partner's connection dropped: the server keeps the chat until `until` (ms since the epoch). */
  partnerAway: { until: number; graceMs: number } | null;
  /** End-to-end encryption of this chat (chatCrypto.ts). */
  encryption: Encryption;
};

/**
 * `resuming`: this tab asks for a chat back that it has no log of (after a
 * reload, or a chat another tab of the account dropped out of).
 * `resumeOffer`: a search was refused because such a chat waits; the person chooses.
 */
export type Phase =
  | { kind: 'idle' }
  | { kind: 'searching' }
  | { kind: 'chat'; chat: ChatSession }
  | { kind: 'resuming'; chatId: string; from: ResumeSource }
  | { kind: 'resumeOffer'; chatId: string };

type ResumeSource = 'reload' | 'other-tab';

export const REPORT_REASONS = ['spam', 'harassment', 'underage', 'illegal', 'other'] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];

const storedChat = loadTabChat();
export const phase = signal<Phase>(storedChat ? { kind: 'resuming', chatId: storedChat, from: 'reload' } : { kind: 'idle' });
// A reload in the middle of a chat: its keys are needed as soon as `resumed` comes.
if (storedChat) warmUpCrypto();
/** The chat a `resume` was sent for, until `resumed` or `not_in_chat` answers it. */
export const resumePending = signal<string | null>(null);
export const region = signal<Region>(loadRegion());
/** "Only people": `find {aiPartner:false}`, so no AI partner joins. */
export const onlyPeople = signal<boolean>(loadOnlyPeople());

const LINES_KEPT = 1000;
/** While typing goes on, `typing:true` is repeated this often so the partner's indicator stays up. */
const TYPING_REFRESH_MS = 4000;
/** No key pressed for this long: tell the partner we stopped. */
const TYPING_IDLE_MS = 3000;
/** A partner's indicator goes away by itself if no refresh comes (a lost `typing:false`). */
const PARTNER_TYPING_TIMEOUT_MS = 8000;
/** Next sends `leave`, waits for `ended`, then `find`; this long at most. */
const LEAVE_WAIT_MS = 1500;
/**
 * How long a new chat waits for the partner's key before it goes on without
 * end-to-end encryption (an app that offers none); messages typed meanwhile
 * wait. The web app's key comes within a round trip.
 */
const KEY_WAIT_MS = 2000;
let keyWaitTimer: ReturnType<typeof setTimeout> | undefined;
/**
 * A profile revealed while the chat could not send yet (its keys not settled,
 * the connection down): it goes out, encrypted if the chat is, as soon as it can.
 */
let heldReveal: { chatId: string; profile: RevealedProfile } | null = null;

let leavingChatId: string | null = null;
let leaveTimer: ReturnType<typeof setTimeout> | undefined;
/** The last of find/cancel we sent, to tell a stale `idle` from a current one. */
let lastSearchCommand: 'find' | 'cancel' | null = null;
let typingActive = false;
let typingLastSent = 0;
let typingIdleTimer: ReturnType<typeof setTimeout> | undefined;
let partnerTypingTimer: ReturnType<typeof setTimeout> | undefined;

// The chat's keys, once the encryption code is here (without it there are none: nothing to seal, open or forget)

function acceptPartnerKey(chatId: string, publicKey: string): Encryption | null {
  return loadedCrypto()?.acceptPartnerKey(chatId, publicKey) ?? null;
}

function endChatKeys(): void {
  loadedCrypto()?.endChatKeys();
}

function openIncoming(frame: MessageFrame): { text: string; undecryptable?: true } {
  const code = loadedCrypto();
  if (code) return code.openIncoming(frame);
  return frame.e2e ? { text: UNDECRYPTABLE, undecryptable: true } : { text: frame.text };
}

function ownChatKey(chatId: string): string | null {
  return loadedCrypto()?.ownChatKey(chatId) ?? null;
}

function restoreChatKeys(chatId: string): Encryption | null {
  return loadedCrypto()?.restoreChatKeys(chatId) ?? null;
}

function sealOutgoing(chatId: string, text: string): { text: string; e2e?: true } {
  return loadedCrypto()?.sealOutgoing(chatId, text) ?? { text };
}

function sealProfile(chatId: string, profile: RevealedProfile): { profile: RevealedProfile } | { e2e: true; text: string } {
  return loadedCrypto()?.sealProfile(chatId, profile) ?? { profile };
}

/** Without the code there are no keys: a plain profile shows as it is, an encrypted one cannot open. */
function openRevealed(frame: Extract<ServerFrame, { type: 'revealed' }>): Promise<RevealedProfile | null> {
  const code = loadedCrypto();
  if (code) return code.openRevealed(frame);
  return Promise.resolve('e2e' in frame ? null : frame.profile);
}

/** What waits for the encryption code, in order: frames from the server, and our key for a new chat. */
const waitingForCrypto: Array<() => void> = [];
let drainingCrypto = false;
/** Bumped when the queue is dropped (sign-out), so an older fetch's answer does not run a newer queue early. */
let cryptoQueue = 0;

/**
 * Runs `task` now if the encryption code is here and nothing waits before it;
 * otherwise once it is (or once fetching it failed: then without it).
 */
function withCrypto(task: () => void): void {
  if (drainingCrypto || (loadedCrypto() && waitingForCrypto.length === 0)) {
    task();
    return;
  }
  waitingForCrypto.push(task);
  if (waitingForCrypto.length > 1) return;
  const queue = cryptoQueue;
  loadCrypto()
    .then(
      () => undefined,
      () => showNotice('End-to-end encryption could not be loaded. Reload the page to try again.'),
    )
    .then(() => queue === cryptoQueue && runWaiting());
}

function runWaiting(): void {
  drainingCrypto = true;
  try {
    while (waitingForCrypto.length > 0) {
      try {
        waitingForCrypto.shift()!();
      } catch (error) {
        // One failing task must not hold back the ones after it.
        reportError(error);
      }
    }
  } finally {
    drainingCrypto = false;
  }
}

/** Frames that cannot be handled without the encryption code. */
function needsCrypto(frame: ServerFrame): boolean {
  return (
    frame.type === 'key' ||
    frame.type === 'resumed' ||
    (frame.type === 'message' && frame.e2e === true) ||
    (frame.type === 'revealed' && 'e2e' in frame)
  );
}

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
  if (region.value === value) return;
  region.value = value;
  saveRegion(value);
  refreshSearch();
}

export function setOnlyPeople(value: boolean): void {
  if (onlyPeople.value === value) return;
  onlyPeople.value = value;
  saveOnlyPeople(value);
  refreshSearch();
}

/** A choice changed while searching: search again with it (the server keeps no way to change a search). */
function refreshSearch(): void {
  if (phase.value.kind !== 'searching' || leavingChatId || !isSocketReady()) return;
  sendFrame({ type: 'cancel' });
  lastSearchCommand = 'find';
  sendFind();
}

/** Start chatting / Continue / Next: leave the chat if one is going on, then search. */
export function startSearch(): void {
  const chat = liveChat();
  stopTyping();
  clearTabChat();
  warmUpCrypto();
  phase.value = { kind: 'searching' };
  lastSearchCommand = 'find';
  if (chat) {
    leavingChatId = chat.id;
    // Not ready: the server keeps the chat waiting for us, so `leave` goes first on the next `ready` (see onReady).
    if (isSocketReady()) sendLeave();
    return;
  }
  // Not ready: `find` goes out on the next `ready` (see onReady).
  sendFind();
}

function sendLeave(): void {
  if (!leavingChatId) return;
  sendFrame({ type: 'leave', chatId: leavingChatId });
  clearTimeout(leaveTimer);
  leaveTimer = setTimeout(finishLeaving, LEAVE_WAIT_MS);
}

function sendFind(proof?: string): void {
  clearTimeout(findRetryTimer);
  if (phase.value.kind !== 'searching' || leavingChatId) return;
  sendFrame({ type: 'find', region: region.value, ...(onlyPeople.value ? { aiPartner: false } : {}), ...(proof ? { proof } : {}) });
}

/** Where chat.ts gets the token for a `find` challenge (set by session.ts). */
let tokenOf: () => string | null = () => null;
export function setChatTokenSource(source: () => string | null): void {
  tokenOf = source;
}

let findRetryTimer: ReturnType<typeof setTimeout> | undefined;

/**
 * The server slows this account's searches (docs/protocol.md, "Challenges"):
 * wait as told and search again, or solve the harder challenge it asks for.
 * The person keeps seeing the searching screen.
 */
function slowedSearch(frame: Extract<ServerFrame, { type: 'error' }>): boolean {
  if (phase.value.kind !== 'searching' || lastSearchCommand !== 'find') return false;
  if (frame.code === 'rate_limited') {
    clearTimeout(findRetryTimer);
    findRetryTimer = setTimeout(() => sendFind(), frame.retryAfterMs ?? 1000);
    return false;
  }
  const token = tokenOf();
  if (!token) return false;
  findProof(token).then(
    (proof) => sendFind(proof),
    () => showNotice('The anti-bot check before searching could not finish. Press Cancel and try again.'),
  );
  return true;
}

function finishLeaving(): void {
  clearTimeout(leaveTimer);
  if (!leavingChatId) return;
  leavingChatId = null;
  sendFind();
}

export function cancelSearch(): void {
  lastSearchCommand = 'cancel';
  clearTimeout(findRetryTimer);
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
  // Kept for the next `ready` if the connection is down: the server would otherwise keep the chat waiting for us.
  sendFrame({ type: 'leave', chatId: p.chat.id }, true);
  endChat(p.chat.id, 'you_left');
}

/** The chat another tab dropped out of: take it over in this tab. */
export function continueChatHere(chatId: string): void {
  warmUpCrypto();
  phase.value = { kind: 'resuming', chatId, from: 'other-tab' };
  sendResume(chatId);
}

/** The chat another tab dropped out of: end it, and search for someone new. */
export function leaveWaitingChat(chatId: string): void {
  warmUpCrypto();
  phase.value = { kind: 'searching' };
  lastSearchCommand = 'find';
  leavingChatId = chatId;
  sendLeave();
}

function sendResume(chatId: string): void {
  resumePending.value = chatId;
  sendFrame({ type: 'resume', chatId });
}

/** Sends now, or keeps it `local` while the connection is down, the chat is being resumed or its keys are not settled. */
function canSendIn(chatId: string): boolean {
  const chat = currentChat();
  const keysSettled = !chat || chat.id !== chatId || chat.encryption.status !== 'pending';
  return isSocketReady() && resumePending.value !== chatId && keysSettled;
}

/** Encrypted when the chat is (a retry is encrypted again, with a new counter). */
function sendOwn(chatId: string, line: OwnLine): void {
  sendFrame({ type: 'send', chatId, id: line.id, ...sealOutgoing(chatId, line.text) });
}

/** The chat's encryption changed: show it, and send what waited for it. */
function setEncryption(chatId: string, encryption: Encryption): void {
  if (encryption.status !== 'pending') clearTimeout(keyWaitTimer);
  updateChat(chatId, (c) => ({ ...c, encryption }));
  if (encryption.status === 'pending' || !canSendIn(chatId)) return;
  const chat = liveChat();
  if (!chat || chat.id !== chatId) return;
  const { lines, toSend } = releaseLocal(chat.lines);
  updateChat(chatId, (c) => ({ ...c, lines }));
  for (const line of toSend) sendOwn(chatId, line);
  releaseReveal(chatId);
}

/**
 * A chat with a person begins: our key goes out (once the encryption code is
 * here); without theirs in time, or without the code, the chat goes on unencrypted.
 */
function startChatKeys(chatId: string): void {
  withCrypto(() => {
    if (liveChat()?.id !== chatId) return;
    const code = loadedCrypto();
    if (code) sendKey(chatId, code.beginChatKeys(chatId));
    else setEncryption(chatId, { status: 'off', why: 'no-key' });
  });
}

function sendKey(chatId: string, publicKey: string): void {
  sendFrame({ type: 'key', chatId, publicKey });
  clearTimeout(keyWaitTimer);
  keyWaitTimer = setTimeout(() => {
    const chat = currentChat();
    if (chat?.id === chatId && chat.encryption.status === 'pending') setEncryption(chatId, { status: 'off', why: 'no-key' });
  }, KEY_WAIT_MS);
}

/** Returns an error sentence, or null when the message went out (or waits for a reconnect). */
export function sendMessage(raw: string): string | null {
  const chat = liveChat();
  if (!chat) return 'This chat has ended.';
  const text = raw.replace(/\s+$/u, '');
  if (!text.trim()) return null;
  if ([...text].length > LIMITS.textMax) return `Messages are at most ${LIMITS.textMax} characters.`;
  stopTyping();
  const line: OwnLine = { kind: 'own', id: newClientId(), text, state: canSendIn(chat.id) ? 'sending' : 'local', at: Date.now() };
  updateChat(chat.id, (c) => addLine(c, line));
  if (line.state === 'sending') sendOwn(chat.id, line);
  return null;
}

/** "Not sent · Retry": the message goes again, in this chat, with its own id (the partner's app shows it once). */
export function retryMessage(id: string): void {
  const chat = liveChat();
  if (!chat) return;
  const { lines, line } = retryLine(chat.lines, id, canSendIn(chat.id) ? 'sending' : 'local');
  if (!line) return;
  updateChat(chat.id, (c) => ({ ...c, lines }));
  if (line.state === 'sending') sendOwn(chat.id, line);
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

/**
 * Reveal profile: once per chat. In an end-to-end encrypted chat the profile
 * goes through the chat's channel (`reveal {e2e:true, text}`); otherwise in
 * the plain form. Pressed before the partner's key came (or while the
 * connection is down), it is shown at once and goes out once the chat can send.
 */
export function revealProfile(raw: RevealedProfile): void {
  const chat = liveChat();
  if (!chat || chat.partner.ai || chat.revealed) return;
  // The server refuses a reveal to an away partner (`partner_away`); say so here, so that error means a message.
  if (chat.partnerAway) {
    showNotice(`${chat.partner.nickname} is away just now: reveal your profile once they are back.`, 'info');
    return;
  }
  // Trimmed here as the server trims the plain form, so both see the same.
  const profile = normaliseProfile(raw);
  if (!profile) return;
  updateChat(chat.id, (c) =>
    addLine({ ...c, revealed: true }, { kind: 'profile', id: newClientId(), from: 'me', profile }),
  );
  if (canSendIn(chat.id)) sendReveal(chat.id, profile);
  else heldReveal = { chatId: chat.id, profile };
}

function sendReveal(chatId: string, profile: RevealedProfile): void {
  sendFrame({ type: 'reveal', chatId, ...sealProfile(chatId, profile) });
}

/** The held reveal of this chat, if any, goes out now. */
function releaseReveal(chatId: string): void {
  if (!heldReveal) return;
  const { chatId: heldFor, profile } = heldReveal;
  if (heldFor !== chatId) return;
  heldReveal = null;
  sendReveal(chatId, profile);
}

/** What happens to a chat still going on once it is reported. */
export type AfterReport = 'leave' | 'block';

/** The report frame without attached messages: what `lastMessages` measures against. */
export function reportFrame(chatId: string, reason: ReportReason, note: string): Omit<ReportFrame, 'attached'> {
  const trimmed = note.trim();
  return { type: 'report', chatId, reason, ...(trimmed ? { note: trimmed } : {}) };
}

/**
 * Report, then leave or block (when the chat is still going on). `attached`:
 * the messages the person saw listed and agreed to attach (never more).
 */
export function report(reason: ReportReason, note: string, then: AfterReport, attached: readonly AttachedMessage[] = []): void {
  const chat = currentChat();
  if (!chat) return;
  const frame = reportFrame(chat.id, reason, note);
  const fitting = fitAttached(frame, attached);
  sendFrame(fitting.length > 0 ? { ...frame, attached: fitting } : frame);
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

function endChat(chatId: string, reason: EndState, undelivered: readonly string[] = []): void {
  clearTimeout(partnerTypingTimer);
  clearTimeout(keyWaitTimer);
  if (heldReveal?.chatId === chatId) heldReveal = null;
  endChatKeys();
  if (loadTabChat() === chatId) clearTabChat();
  if (resumePending.value === chatId) resumePending.value = null;
  const before = currentChat();
  if (!before || before.id !== chatId || before.ended) return;
  const ended: ChatSession = {
    ...before,
    ended: reason,
    partnerTyping: false,
    partnerAway: null,
    lines: failPending(markFailed(before.lines, undelivered)),
  };
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
  clearTimeout(keyWaitTimer);
  endChatKeys();
  // Frames of the signed-out session that waited for the encryption code are no use any more.
  waitingForCrypto.length = 0;
  cryptoQueue += 1;
  heldReveal = null;
  leavingChatId = null;
  lastSearchCommand = null;
  typingActive = false;
  resumePending.value = null;
  clearTabChat();
  phase.value = { kind: 'idle' };
}

// Frames from the server

function onReady(): void {
  const p = phase.value;
  // A reconnect loses the server's search queue entry: search again.
  if (p.kind === 'searching') {
    if (leavingChatId) sendLeave();
    else sendFind();
  }
  // After a reload or any reconnect, ask for the chat back: `resumed`, or `not_in_chat` if it did not survive.
  if (p.kind === 'resuming') sendResume(p.chatId);
  if (p.kind === 'chat' && !p.chat.ended) {
    typingActive = false;
    sendResume(p.chat.id);
  }
}

function newSession(id: string, partner: Partner, lines: ChatLine[], encryption: Encryption): ChatSession {
  return {
    id,
    partner,
    lines,
    encryption,
    ended: null,
    partnerTyping: false,
    connect: 'none',
    revealed: false,
    reported: false,
    blockedByMe: false,
    partnerAway: null,
  };
}

const FORGOTTEN_LOG: Record<ResumeSource, string> = {
  reload: 'Earlier messages are not kept after a reload.',
  'other-tab': 'Earlier messages of this chat stay in the tab that had it.',
};

function onResumed(frame: Extract<ServerFrame, { type: 'resumed' }>): void {
  const { id, partner } = frame.chat;
  if (resumePending.value === id) resumePending.value = null;
  const p = phase.value;
  if (p.kind === 'chat' && p.chat.id === id && !p.chat.ended) {
    saveTabChat(id);
    // Back on a new connection with the log still in memory.
    const { lines, toSend } = settleAfterResume(addMissed(p.chat.lines, frame.missed, openIncoming));
    phase.value = { kind: 'chat', chat: { ...p.chat, partner, lines } };
    for (const line of toSend) sendOwn(id, line);
    if (p.chat.encryption.status !== 'pending') releaseReveal(id);
    return;
  }
  // An answer to a resume this tab has moved on from (Next meanwhile, say): the `leave` sent since ends it.
  if (p.kind !== 'resuming' || p.chatId !== id) return;
  saveTabChat(id);
  // After a reload this tab kept the chat's keys (tabMemory.ts); a chat taken over from another tab has none.
  const encryption: Encryption = partner.ai ? { status: 'off', why: 'ai' } : (restoreChatKeys(id) ?? { status: 'off', why: 'lost-key' });
  const lines = addMissed([eventLine(FORGOTTEN_LOG[p.from])], frame.missed, openIncoming);
  phase.value = { kind: 'chat', chat: newSession(id, partner, lines, encryption) };
  if (encryption.status === 'pending') {
    const key = ownChatKey(id);
    if (key) sendKey(id, key);
  }
  navigate(href.chat);
}

/** `not_in_chat` for our `resume`: the chat ended while we were away. */
function resumeRefused(chatId: string): void {
  resumePending.value = null;
  const p = phase.value;
  if (p.kind === 'resuming' && p.chatId === chatId) {
    clearTabChat();
    phase.value = { kind: 'idle' };
    showNotice('Your chat ended while you were away.', 'info');
    return;
  }
  endChat(chatId, 'lost');
}

function onChatFrame(frame: ServerFrame): void {
  if (waitingForCrypto.length > 0 || (needsCrypto(frame) && !loadedCrypto())) {
    withCrypto(() => handleChatFrame(frame));
    return;
  }
  handleChatFrame(frame);
}

function handleChatFrame(frame: ServerFrame): void {
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
      saveTabChat(frame.chat.id);
      endChatKeys();
      heldReveal = null;
      const ai = frame.chat.partner.ai;
      phase.value = { kind: 'chat', chat: newSession(frame.chat.id, frame.chat.partner, [], ai ? { status: 'off', why: 'ai' } : { status: 'pending' }) };
      if (!ai) startChatKeys(frame.chat.id);
      announce(matchedText(frame.chat.partner));
      // Elsewhere (Settings, Connections…) the person is not pulled away: MatchBanner offers "Go to chat".
      return;
    }
    case 'resumed':
      onResumed(frame);
      return;
    case 'message':
      clearTimeout(partnerTypingTimer);
      updateChat(frame.chatId, (c) => receive(c, frame));
      return;
    case 'sent':
      updateChat(frame.chatId, (c) => ({ ...c, lines: acknowledge(c.lines, frame.id, frame.queued === true) }));
      return;
    case 'delivered':
      updateChat(frame.chatId, (c) => ({ ...c, lines: markDelivered(c.lines, frame.ids) }));
      return;
    case 'partner_away':
      clearTimeout(partnerTypingTimer);
      updateChat(frame.chatId, (c) =>
        c.ended ? c : { ...c, partnerTyping: false, partnerAway: { until: Date.now() + frame.graceMs, graceMs: frame.graceMs } },
      );
      return;
    case 'partner_back': {
      updateChat(frame.chatId, (c) =>
        c.ended || !c.partnerAway ? c : addLine({ ...c, partnerAway: null }, eventLine(`${c.partner.nickname} is back.`)),
      );
      // Our key may have been refused while they were away: it goes again (the same key is relayed again).
      const key = currentChat()?.encryption.status === 'pending' ? ownChatKey(frame.chatId) : null;
      if (key) sendFrame({ type: 'key', chatId: frame.chatId, publicKey: key });
      return;
    }
    case 'key': {
      const encryption = acceptPartnerKey(frame.chatId, frame.publicKey);
      if (encryption) setEncryption(frame.chatId, encryption);
      return;
    }
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
      endChat(frame.chatId, frame.reason, frame.undelivered);
      return;
    case 'revealed':
      // An encrypted profile that does not open shows "Could not decrypt this profile" (profile: null).
      void openRevealed(frame).then((profile) =>
        updateChat(frame.chatId, (c) => addLine(c, { kind: 'profile', id: newClientId(), from: 'partner', profile })),
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
      // With `reconnect`, another node takes over at once and the chat is resumed there: nothing to say.
      if (!frame.reconnect) showNotice('METSONY is restarting. You will be reconnected in a moment.', 'info');
      return;
    default:
      return;
  }
}

function receive(chat: ChatSession, frame: MessageFrame): ChatSession {
  if (chat.lines.some((l) => l.kind === 'partner' && l.id === frame.id)) return chat;
  return addLine({ ...chat, partnerTyping: false }, { kind: 'partner', id: frame.id, at: frameTime(frame.at), ...openIncoming(frame) });
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
      if (resumePending.value) {
        resumeRefused(resumePending.value);
        return true;
      }
      const chat = currentChat();
      if (chat) {
        // A frame that crossed the end of the chat on the wire needs no words; a live chat is gone.
        endChat(chat.id, 'lost');
        return true;
      }
      return false;
    }
    case 'partner_away': {
      const chat = liveChat();
      if (!chat) return false;
      updateChat(chat.id, (c) => ({ ...c, lines: failOldestSending(c.lines) }));
      showNotice(`${chat.partner.nickname} is away and cannot take more messages for now. Try again when they are back.`, 'info');
      return true;
    }
    case 'resume_pending':
      if (!frame.chatId) return false;
      lastSearchCommand = null;
      phase.value = { kind: 'resumeOffer', chatId: frame.chatId };
      return true;
    case 'suspended':
      if (phase.value.kind === 'searching') phase.value = { kind: 'idle' };
      return false;
    case 'rate_limited':
    case 'challenge_required':
    case 'challenge_failed':
      return slowedSearch(frame);
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
      return 'The chat ended while you were reconnecting.';
    default:
      return '';
  }
}

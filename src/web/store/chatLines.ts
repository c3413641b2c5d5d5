/**
 * The lines of a chat log and how the server's answers move one's own
 * messages along (docs/protocol.md, "Resume after a dropped connection"):
 *
 *   local     typed while the connection was down or the chat was being
 *             resumed; goes out once `resumed` arrives
 *   sending   written to the socket, no answer yet
 *   waiting   `sent {queued:true}`: the partner is away, the server holds it
 *   delivered `sent`, or `delivered` after the partner came back
 *   failed    never acknowledged, or listed in `ended.undelivered`: "Not sent · Retry"
 *
 * Pure functions over arrays, replaced never mutated.
 */
import type { MessageFrame, RevealedProfile } from '../../shared/protocol.js';

/** What the log shows for a message that does not open (here, not with the cryptography, so the first page needs none of it). */
export const UNDECRYPTABLE = 'Could not decrypt this message';
/** What the log shows for a revealed profile that does not open. */
export const UNDECRYPTABLE_PROFILE = 'Could not decrypt this profile';

export type OwnState = 'local' | 'sending' | 'waiting' | 'delivered' | 'failed';

/** `at`: when the line was made (ms since the epoch), shown as its time. */
export type OwnLine = { kind: 'own'; id: string; text: string; state: OwnState; at: number };

export type ChatLine =
  | OwnLine
  /** `undecryptable`: an encrypted message that did not open; `text` then says so (chatCrypto.ts). */
  | { kind: 'partner'; id: string; text: string; at: number; undecryptable?: true }
  | { kind: 'event'; id: string; text: string }
  /** `profile: null`: the partner's encrypted profile did not open (chatCrypto.ts). */
  | { kind: 'profile'; id: string; from: 'me' | 'partner'; profile: RevealedProfile | null };

function moveOwn(lines: ChatLine[], pick: (line: OwnLine) => OwnState | null): ChatLine[] {
  let changed = false;
  const next = lines.map((line) => {
    if (line.kind !== 'own') return line;
    const state = pick(line);
    if (state === null || state === line.state) return line;
    changed = true;
    return { ...line, state };
  });
  return changed ? next : lines;
}

/** `sent`: delivered, or waiting for an away partner. A later answer never moves a line back. */
export function acknowledge(lines: ChatLine[], id: string, queued: boolean): ChatLine[] {
  return moveOwn(lines, (l) => {
    if (l.id !== id || l.state === 'delivered') return null;
    return queued ? 'waiting' : 'delivered';
  });
}

/** `delivered {ids}`: the away partner came back and got them. */
export function markDelivered(lines: ChatLine[], ids: readonly string[]): ChatLine[] {
  const set = new Set(ids);
  return moveOwn(lines, (l) => (set.has(l.id) ? 'delivered' : null));
}

/** `ended {undelivered}`: these never reached the partner. */
export function markFailed(lines: ChatLine[], ids: readonly string[]): ChatLine[] {
  const set = new Set(ids);
  return moveOwn(lines, (l) => (set.has(l.id) && l.state !== 'delivered' ? 'failed' : null));
}

/**
 * `error partner_away` answers the oldest `send` not answered yet (the server
 * answers in order): that one was refused.
 */
export function failOldestSending(lines: ChatLine[]): ChatLine[] {
  const oldest = lines.find((l): l is OwnLine => l.kind === 'own' && l.state === 'sending');
  return oldest ? moveOwn(lines, (l) => (l === oldest ? 'failed' : null)) : lines;
}

/**
 * `resumed`: what went out on the dropped connection without an answer is
 * unknown, so it shows "Not sent · Retry"; what was typed meanwhile goes
 * out now. Returns the new lines and the messages to send, in order.
 */
export function settleAfterResume(lines: ChatLine[]): { lines: ChatLine[]; toSend: OwnLine[] } {
  const toSend = lines.filter((l): l is OwnLine => l.kind === 'own' && l.state === 'local');
  const next = moveOwn(lines, (l) => (l.state === 'sending' ? 'failed' : l.state === 'local' ? 'sending' : null));
  return { lines: next, toSend: toSend.map((l) => ({ ...l, state: 'sending' })) };
}

/** The chat's encryption is settled (or the wait for it is over): what was typed meanwhile goes out, in order. */
export function releaseLocal(lines: ChatLine[]): { lines: ChatLine[]; toSend: OwnLine[] } {
  const toSend = lines.filter((l): l is OwnLine => l.kind === 'own' && l.state === 'local');
  const next = moveOwn(lines, (l) => (l.state === 'local' ? 'sending' : null));
  return { lines: next, toSend: toSend.map((l) => ({ ...l, state: 'sending' })) };
}

/** The chat did not survive: nothing not yet answered will be. */
export function failPending(lines: ChatLine[]): ChatLine[] {
  return moveOwn(lines, (l) => (l.state === 'local' || l.state === 'sending' ? 'failed' : null));
}

/** Retry: the failed message goes to the end of the log, to be sent again with the same id. */
export function retryLine(lines: ChatLine[], id: string, state: 'local' | 'sending'): { lines: ChatLine[]; line: OwnLine | null } {
  const line = lines.find((l): l is OwnLine => l.kind === 'own' && l.id === id && l.state === 'failed');
  if (!line) return { lines, line: null };
  const again: OwnLine = { ...line, state };
  return { lines: [...lines.filter((l) => l !== line), again], line: again };
}

/** A frame's `at` (an ISO time) as a line's time; now if it cannot be read. */
export function frameTime(at: string): number {
  return Date.parse(at) || Date.now();
}

/** How a received message reads: as it came, or decrypted (chatCrypto.ts `openIncoming`). */
export type OpenMessage = (m: MessageFrame) => { text: string; undecryptable?: true };
const asItCame: OpenMessage = (m) => ({ text: m.text });

/** The partner's messages held for us while we were away, each once (opened in order, after the duplicates are dropped). */
export function addMissed(lines: ChatLine[], missed: readonly MessageFrame[], open: OpenMessage = asItCame): ChatLine[] {
  const seen = new Set(lines.filter((l) => l.kind === 'partner').map((l) => l.id));
  const fresh: ChatLine[] = [];
  for (const m of missed) {
    if (seen.has(m.id)) continue;
    seen.add(m.id);
    fresh.push({ kind: 'partner', id: m.id, at: frameTime(m.at), ...open(m) });
  }
  return fresh.length > 0 ? [...lines, ...fresh] : lines;
}

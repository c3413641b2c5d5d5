/**
 * The wire format of /ws (PROTOCOL.md §3), in one place.
 * Client frames are zod schemas: the gateway validates every frame before
 * domain code sees it. Server frames are plain types (the server builds them).
 * The web app imports only types from here (`import type`), so zod stays out
 * of its bundle.
 */
import { z } from 'zod';
import { isChatEnvelope, PUBLIC_KEY_PATTERN } from './e2e.js';
import type { SocketErrorCode } from './errors.js';
import { LIMITS } from './limits.js';
import { type RevealedProfile, RevealProfileSchema } from './revealProfileSchema.js';

const clientId = z.string().min(1).max(LIMITS.clientIdMax);
const chatId = z.string().min(1).max(64);
/** Length is checked separately so an over-long text gets `too_long`, not `bad_request`. */
const text = z.string().min(1);

export { REVEAL_FIELD_MAX, type RevealedProfile } from './revealProfileSchema.js';

/** A message attached to a report (docs/protocol.md): 1..textMax characters, counted as code points like a message. */
const attachedMessage = z.strictObject({
  from: z.enum(['me', 'partner']),
  text: z
    .string()
    .min(1)
    .refine((s) => !isTextTooLong(s), `at most ${LIMITS.textMax} characters`),
});

export const ClientFrame = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('hello'), token: z.string().min(1).max(256) }),
  z.strictObject({
    type: z.literal('find'),
    interests: z.array(z.string().max(256)).max(LIMITS.interestsMax).optional(),
    region: z.enum(['anywhere', 'near']).optional(),
    /** `false`: only people; no AI partner joins this search (docs/protocol.md, "Searching"). */
    aiPartner: z.boolean().optional(),
    /** Only when the server asked for it (`challenge_required`): a solved `GET /api/challenge?for=find`. */
    proof: z.string().max(LIMITS.proofMax).optional(),
  }),
  z.strictObject({ type: z.literal('cancel') }),
  /** `e2e: true`: `text` is a chat envelope (`e2e1.…`, docs/encryption.md), relayed untouched; its plaintext is ≤ 2000 characters. */
  z.strictObject({ type: z.literal('send'), chatId, id: clientId, text, e2e: z.literal(true).optional() }),
  /** This side's ephemeral public key for the chat, relayed once to the partner (docs/encryption.md). */
  z.strictObject({ type: z.literal('key'), chatId, publicKey: z.string().regex(PUBLIC_KEY_PATTERN) }),
  z.strictObject({ type: z.literal('typing'), chatId, typing: z.boolean() }),
  z.strictObject({ type: z.literal('leave'), chatId }),
  /**
   * Either the plain form, `profile`, or (in an end-to-end encrypted chat) `e2e: true` with
   * `text`, the profile encrypted like a chat message (docs/encryption.md), relayed untouched.
   */
  z
    .strictObject({
      type: z.literal('reveal'),
      chatId,
      profile: z.optional(RevealProfileSchema),
      e2e: z.literal(true).optional(),
      text: z.string().refine(isChatEnvelope, 'That is not a well-formed encrypted profile.').optional(),
    })
    // `e2e` exactly when `text`, and `text` exactly when no `profile`.
    .refine((f) => (f.e2e === true) === (f.text !== undefined) && (f.text !== undefined) === (f.profile === undefined), {
      message: 'A reveal carries either a profile, or an encrypted one in text with e2e: true.',
    }),
  z.strictObject({ type: z.literal('connect'), chatId }),
  z.strictObject({
    type: z.literal('report'),
    chatId,
    reason: z.enum(['spam', 'harassment', 'underage', 'illegal', 'other']),
    note: z.string().max(500).optional(),
    /** The reporter's last messages of this chat, from their own screen, with consent; they reach the moderators in clear. */
    attached: z.array(attachedMessage).max(LIMITS.reportAttachedMax).optional(),
  }),
  z.strictObject({ type: z.literal('block'), chatId }),
  /** `sealed: true`: `text` is an HPKE envelope (`hpke1.…`) sealed to the recipient's identity key; stored and delivered as is. */
  z.strictObject({ type: z.literal('dm'), connectionId: z.string().min(1).max(64), id: clientId, text, sealed: z.literal(true).optional() }),
  z.strictObject({ type: z.literal('read'), ids: z.array(z.string().min(1).max(64)).max(LIMITS.readIdsMax) }),
  /** Read receipt: every message from this connection up to `at` (a server time it sent) has been read. */
  z.strictObject({ type: z.literal('dm_read'), connectionId: z.string().min(1).max(64), at: z.iso.datetime() }),
  z.strictObject({ type: z.literal('ping') }),
  /** Take back a chat this account's socket dropped out of, within CHAT_GRACE_MS (docs/protocol.md, "Resume"). */
  z.strictObject({ type: z.literal('resume'), chatId }),
]);
export type ClientFrame = z.infer<typeof ClientFrame>;
export type ClientFrameType = ClientFrame['type'];
export type ClientFrameOf<T extends ClientFrameType> = Extract<ClientFrame, { type: T }>;

export type Me = {
  id: string;
  nickname: string;
  interests: string[];
  createdAt: string;
  linked: { google: boolean };
};

export type Connection = {
  id: string;
  nickname: string;
  online: boolean;
  unread: number;
  since: string;
  /** The connection's identity public key (base64url X25519), when it has one: seal `dm`s to it (docs/encryption.md). */
  publicKey?: string;
};

/** `sealed: true`: `text` is an HPKE envelope for the recipient's device to open. */
export type OfflineMessage = { id: string; connectionId: string; text: string; at: string; sealed?: true };

export type Partner = { nickname: string; commonInterests: string[]; ai: boolean };

export const END_REASONS = ['you_left', 'partner_left', 'partner_disconnected', 'blocked', 'shutdown'] as const;
export type EndReason = (typeof END_REASONS)[number];

/** Error codes come from the one catalogue (src/shared/errors.ts); docs/protocol.md lists them. */
export { ERROR_CODES, type ErrorCode, SOCKET_ERROR_CODES, type SocketErrorCode } from './errors.js';

/** A chat message as the reader receives it (also the items of `resumed.missed`). */
export type MessageFrame = { type: 'message'; chatId: string; id: string; text: string; at: string; e2e?: true };

export type ServerFrame =
  | { type: 'ready'; account: Me }
  | { type: 'inbox'; messages: OfflineMessage[] }
  /**
   * Sent on `find`, and again with `widened: true` when the search opens to anyone.
   * `online`: people signed in right now (an aggregate count); `aiAfterMs`: an AI partner
   * may join this long after the search began (absent when none will).
   */
  | { type: 'searching'; online: number; widened: boolean; aiAfterMs?: number }
  | { type: 'idle' }
  | { type: 'matched'; chat: { id: string; partner: Partner } }
  /** `queued: true`: the partner is away; the text waits in memory and `delivered` follows if they come back. */
  | { type: 'sent'; chatId: string; id: string; queued?: true }
  | MessageFrame
  | { type: 'typing'; chatId: string; typing: boolean }
  /** `undelivered`: ids of this side's messages held for an away partner who never came back. */
  | { type: 'ended'; chatId: string; reason: EndReason; undelivered?: string[] }
  | { type: 'partner_away'; chatId: string; graceMs: number }
  | { type: 'partner_back'; chatId: string }
  | { type: 'resumed'; chat: { id: string; partner: Partner }; missed: MessageFrame[] }
  /** Messages that were acknowledged `sent {queued:true}` reached the partner. */
  | { type: 'delivered'; chatId: string; ids: string[] }
  | { type: 'revealed'; chatId: string; profile: RevealedProfile }
  /** An encrypted reveal, as its sender sent it (docs/encryption.md). */
  | { type: 'revealed'; chatId: string; e2e: true; text: string }
  | { type: 'connect_requested'; chatId: string }
  | { type: 'connected'; chatId: string; connection: Connection }
  | { type: 'reported'; chatId: string }
  /** `at`: the server's time of the message, the one a later `dm_read` refers to. */
  | { type: 'dm_sent'; connectionId: string; id: string; stored: boolean; at: string }
  /** The other side read every message of this connection sent up to `at`. */
  | { type: 'dm_read'; connectionId: string; at: string }
  | { type: 'dm'; connectionId: string; id: string; text: string; at: string; sealed?: true }
  /** The partner's ephemeral public key for this chat (docs/encryption.md). */
  | { type: 'key'; chatId: string; publicKey: string }
  | { type: 'presence'; connectionId: string; online: boolean }
  | { type: 'connection_removed'; connectionId: string }
  | { type: 'pong' }
  /** `reconnect: true`: this node goes away but the service stays; reconnect at once and `resume`. */
  | { type: 'shutdown'; reconnect?: true }
  /** `chatId` with `resume_pending`: the chat another socket of this account dropped out of. */
  | { type: 'error'; code: SocketErrorCode; message: string; retryAfterMs?: number; until?: string; chatId?: string };

function countCodePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** Texts are limited in characters (code points), so an emoji counts as one. */
export function isTextTooLong(s: string): boolean {
  // Fast path: no string of ≤ textMax UTF-16 units can exceed textMax code points.
  return s.length > LIMITS.textMax && countCodePoints(s) > LIMITS.textMax;
}

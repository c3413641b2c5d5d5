/**
 * The error catalogue: every code the server sends, in HTTP error bodies
 * (`{"error":{code,message}}`) and in `error` frames, with its default
 * message, its HTTP status when it is an HTTP error, and whether it is a
 * socket error. `ErrorCode`, `ERROR_CODES`, AppError and frame errors all
 * derive from this table; docs/protocol.md lists it. Codes and statuses are
 * the wire contract: add, never change.
 *
 * The web app imports only types from here, so this table stays out of its bundle.
 */
import { LIMITS } from './limits.js';

type ErrorSpec = { readonly message: string; readonly http?: number; readonly socket?: true };

export const ERRORS = {
  bad_request: { message: 'The request is malformed.', http: 400, socket: true },
  unauthorized: { message: 'Sign in first: the token is missing, invalid or revoked.', http: 401, socket: true },
  rate_limited: { message: 'Slow down a little and try again shortly.', http: 429, socket: true },
  not_in_chat: { message: 'You are not in that chat.', socket: true },
  inbox_full: { message: 'Their inbox is full; try again after they have read some messages.', socket: true },
  too_long: { message: `Messages are at most ${LIMITS.textMax} characters.`, http: 400, socket: true },
  not_found: { message: 'Not found.', http: 404, socket: true },
  suspended: { message: 'This account is suspended.', http: 403, socket: true },
  too_many_connections: { message: 'Too many open connections.', socket: true },
  ai_unavailable: { message: 'The AI is unavailable just now; try again later.', http: 503, socket: true },
  internal: { message: 'Something went wrong on our side.', http: 500, socket: true },
  age_confirmation_required: { message: 'METSONY is for adults: confirm that you are 18 or older.', http: 400 },
  invalid_recovery_code: { message: 'That recovery code does not match any account.', http: 401 },
  forbidden: { message: 'This is not yours to do.', http: 403 },
  already_linked: { message: 'That Google account is already linked to another account.', http: 409 },
  request_timeout: { message: 'The request did not arrive in time.', http: 408 },
  payload_too_large: { message: 'The body is too large.', http: 413 },
  unsupported_media_type: { message: 'Send JSON with Content-Type: application/json.', http: 415 },
  upgrade_required: { message: 'Connect with a WebSocket.', http: 426 },
  headers_too_large: { message: 'The request headers are too large.', http: 431 },
  provider_unavailable: { message: 'Sign-in with that provider is unavailable just now; try again later.', http: 503 },
  unavailable: { message: 'This is unavailable just now; try again shortly.', http: 503, socket: true },
  partner_away: { message: 'They are away and too many messages are waiting for them; wait until they are back.', socket: true },
  challenge_required: { message: 'Solve the challenge first (GET /api/challenge), then send its solution as `proof`.', http: 400, socket: true },
  challenge_failed: { message: 'That challenge solution is wrong, expired or already used; get a new challenge.', http: 400, socket: true },
  resume_pending: {
    message: 'Your chat on another tab or device is waiting for you: resume it (chatId) or leave it first.',
    socket: true,
  },
} as const satisfies Record<string, ErrorSpec>;

type Catalogue = typeof ERRORS;

/** Every code the server sends. */
export type ErrorCode = keyof Catalogue;
/** Codes of HTTP error bodies. */
export type HttpErrorCode = { [C in ErrorCode]: Catalogue[C] extends { http: number } ? C : never }[ErrorCode];
/** Codes of `error` frames on /ws. */
export type SocketErrorCode = { [C in ErrorCode]: Catalogue[C] extends { socket: true } ? C : never }[ErrorCode];

const codes = Object.keys(ERRORS) as ErrorCode[];
export const ERROR_CODES: readonly ErrorCode[] = codes;
export const SOCKET_ERROR_CODES: readonly SocketErrorCode[] = codes.filter((c): c is SocketErrorCode => 'socket' in ERRORS[c]);

export function httpStatus(code: HttpErrorCode): number {
  return ERRORS[code].http;
}

export function defaultMessage(code: ErrorCode): string {
  return ERRORS[code].message;
}

/**
 * The two ways a failure leaves the server, both from the catalogue in
 * src/shared/errors.ts: an HTTP error (AppError, answered with the code's
 * status) and a refusal of a socket frame (answered with an `error` frame).
 */
import { defaultMessage, httpStatus, type HttpErrorCode, type SocketErrorCode } from '../shared/errors.js';
import type { ServerFrame } from '../shared/protocol.js';

/** A failure with a stable code and a human message, answered over HTTP with the code's status. */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: HttpErrorCode,
    message: string = defaultMessage(code),
    /** Only where the status is not the catalogue's: a client error Fastify already classified. */
    status?: number,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.status = status ?? httpStatus(code);
  }

  toBody(): { error: Record<string, unknown> } {
    return { error: { code: this.code, message: this.message, ...this.extra } };
  }
}

/** An HTTP error from the catalogue, with the code's status. */
export const httpError = (code: HttpErrorCode, message?: string, extra: Record<string, unknown> = {}) => new AppError(code, message, undefined, extra);

export const badRequest = (message: string) => httpError('bad_request', message);
export const unauthorized = (message?: string) => httpError('unauthorized', message);
export const notFound = (message?: string) => httpError('not_found', message);

/** Fields an `error` frame may carry beside its code and message. */
export type ErrorDetails = { retryAfterMs?: number; until?: string; chatId?: string };

/** Domain code refusing a frame: a code from the catalogue and, if not the default, a message; never an HTTP status. */
export type Refusal = { readonly ok: false; readonly code: SocketErrorCode; readonly message?: string } & Readonly<ErrorDetails>;

/** A frame that took effect, with the answer for the socket that sent it, if any. */
export type Done = { readonly ok: true; readonly reply?: ServerFrame };

/** What domain code returns to the gateway for one frame. */
export type FrameOutcome = Done | Refusal;

export const DONE: Done = { ok: true };

export function refuse(code: SocketErrorCode, message?: string, details?: ErrorDetails): Refusal {
  return { ok: false, code, ...(message === undefined ? {} : { message }), ...details };
}

/** The `error` frame for a code, with the code's default message unless another is given. */
export function errorFrame(code: SocketErrorCode, message?: string, details: ErrorDetails = {}): ServerFrame {
  return { type: 'error', code, message: message ?? defaultMessage(code), ...details };
}

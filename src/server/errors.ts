import type { ErrorCode } from '../shared/protocol.js';

/** A failure with a stable code, a human message and an HTTP status. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode | 'invalid_recovery_code' | 'age_confirmation_required' | 'unsupported_media_type' | 'payload_too_large' | 'ai_unavailable' | 'provider_unavailable' | 'forbidden' | 'already_linked',
    message: string,
    readonly status: number,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  toBody(): { error: Record<string, unknown> } {
    return { error: { code: this.code, message: this.message, ...this.extra } };
  }
}

export const badRequest = (message: string) => new AppError('bad_request', message, 400);
export const unauthorized = (message = 'Sign in first: the token is missing, invalid or revoked.') =>
  new AppError('unauthorized', message, 401);
export const notFound = (message = 'Not found.') => new AppError('not_found', message, 404);

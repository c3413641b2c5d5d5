/**
 * Structured logs (pino). Nothing here may carry message text, a profile, a
 * recovery code, a token or an IP: request logs print method, route and
 * status only, and known secret-bearing keys are redacted as a second line
 * of defence.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import { stdoutSink } from './logSink.js';

/**
 * Errors are logged by kind and place, not by content: a database error's
 * `detail` (PostgreSQL puts offending values there) is dropped.
 */
export function safeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { type: typeof err };
  const code = (err as { code?: unknown }).code;
  return { type: err.name, message: err.message.slice(0, 200), ...(typeof code === 'string' ? { code } : {}), stack: err.stack };
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      serializers: { err: safeError },
      redact: {
        paths: [
          'token',
          'recoveryCode',
          'text',
          'profile',
          'ip',
          'req.headers',
          'req.remoteAddress',
          'req.remotePort',
          'headers.authorization',
          '*.token',
          '*.recoveryCode',
          '*.text',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? stdoutSink(),
  );
}

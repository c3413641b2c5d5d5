/**
 * Structured logs (pino). Nothing here may carry message text, a profile, a
 * recovery code, a token or an IP: request logs print method, route and
 * status only, and known secret-bearing keys are redacted as a second line
 * of defence.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
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
    destination,
  );
}

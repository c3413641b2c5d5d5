/**
 * Answers to requests Node could not parse or that did not arrive in time
 * (its `clientError` event), in the API's error shape instead of Fastify's.
 * Written straight to the socket, which is then closed.
 */
import type { Socket } from 'node:net';
import type { HttpErrorCode } from '../../shared/errors.js';

type ClientError = Error & { code?: string };

const ANSWERS: Record<string, { status: number; reason: string; code: HttpErrorCode; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: 'Request Timeout', code: 'request_timeout', message: 'The request did not arrive in time.' },
  HPE_HEADER_OVERFLOW: { status: 431, reason: 'Request Header Fields Too Large', code: 'headers_too_large', message: 'The request headers are too large.' },
};
const MALFORMED = { status: 400, reason: 'Bad Request', code: 'bad_request' as HttpErrorCode, message: 'The request is malformed.' };

export function clientErrorHandler(error: ClientError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const answer = (error.code && ANSWERS[error.code]) || MALFORMED;
  if (socket.writable) {
    const body = JSON.stringify({ error: { code: answer.code, message: answer.message } });
    socket.write(
      `HTTP/1.1 ${answer.status} ${answer.reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Cache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/**
 * Takes WebSocket upgrades for /ws straight from the HTTP server, with `ws`
 * in noServer mode. (Routing upgrades through Fastify kept its request,
 * reply and logger alive for the socket's whole life: ~2 KiB per socket,
 * see bench/README.md.) A plain GET /ws answers 426. A node that is
 * stopping refuses new upgrades with 503 (PROTOCOL: "SIGTERM: stop
 * accepting"): a proxy in front (deploy/nginx, `proxy_next_upstream http_503`)
 * then hands the upgrade to another node at once, and a client that connected
 * directly retries as after any failed connect.
 */
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import { WebSocketServer } from 'ws';
import { LIMITS } from '../../shared/limits.js';
import { httpError } from '../errors.js';

function destroySocket(this: Duplex): void {
  this.destroy();
}

/** The raw HTTP answer to an upgrade on a stopping node, in the API's error shape. */
function refusedWhileStopping(): string {
  const refusal = httpError('unavailable');
  const body = JSON.stringify(refusal.toBody());
  return [
    `HTTP/1.1 ${refusal.status} Service Unavailable`,
    'Retry-After: 1',
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

export function acceptUpgrades(
  app: FastifyInstance,
  onSocket: (ws: WebSocket, request: IncomingMessage) => void,
  stopping: () => boolean,
): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.frameBytesMax, perMessageDeflate: false, clientTracking: false });
  app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', destroySocket);
    if (request.url !== '/ws' && !request.url?.startsWith('/ws?')) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (stopping()) {
      socket.end(refusedWhileStopping());
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      socket.removeListener('error', destroySocket);
      onSocket(ws, request);
    });
  });
  app.get('/ws', async (_request, reply) => {
    const refusal = httpError('upgrade_required');
    return reply.code(refusal.status).header('upgrade', 'websocket').send(refusal.toBody());
  });
  return wss;
}

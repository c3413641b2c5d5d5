/**
 * Takes WebSocket upgrades for /ws straight from the HTTP server, with `ws`
 * in noServer mode. (Routing upgrades through Fastify kept its request,
 * reply and logger alive for the socket's whole life: ~2 KiB per socket,
 * see bench/README.md.) A plain GET /ws answers 426.
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

export function acceptUpgrades(app: FastifyInstance, onSocket: (ws: WebSocket, request: IncomingMessage) => void): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.frameBytesMax, perMessageDeflate: false, clientTracking: false });
  app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', destroySocket);
    if (request.url !== '/ws' && !request.url?.startsWith('/ws?')) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
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

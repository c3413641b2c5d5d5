/**
 * How long the HTTP server waits for a client, as Fastify/Node server options.
 * None of these reach a WebSocket: ws clears the socket's idle timeout on
 * upgrade, and an upgraded socket is no longer a request being received.
 */
import type { ServerOptions } from 'node:http';
import type { Config } from '../config.js';

export type HttpTimeouts = {
  requestTimeout: number;
  connectionTimeout: number;
  keepAliveTimeout: number;
  http: ServerOptions;
};

export function httpTimeouts(config: Config['http']): HttpTimeouts {
  return {
    // The whole request, headers and body, from its first byte.
    requestTimeout: config.requestTimeoutMs,
    // A socket silent this long (no byte either way) is closed.
    connectionTimeout: config.idleTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    http: {
      headersTimeout: config.headersTimeoutMs,
      // Node checks the two timeouts above on this period (30 s by default, which would double them).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(config.headersTimeoutMs / 4))),
    },
  };
}

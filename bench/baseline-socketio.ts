/**
 * The cluster baseline: what people build for a chat over several nodes,
 * Socket.IO 4.8 with `@socket.io/redis-adapter`, one process per node, all
 * nodes on the same Redis. It is the least such a relay needs:
 *
 * - `find`: a Lua script on Redis either takes the oldest waiting socket id
 *   (first come, first served: no interests, no policy) or queues this one
 *   and answers `searching`. On a match both sockets get `matched {room}` through
 *   the adapter (whichever node holds them), and each joins the room with
 *   `join room` (acknowledged by `joined room`).
 * - `send (room, id, text)` from a socket in that room → `message (text)` to
 *   the room's other socket, on whatever node (the adapter publishes it to
 *   Redis), and `sent (id)` to the sender: the shapes of METSONY's
 *   `message` / `sent`, so the same generators measure both.
 *
 * No auth, no validation beyond room membership, no limits, no logging.
 * Env: PORT (0 = any), HOST (127.0.0.1), REDIS_URL. Answers GET /healthz.
 * `startSocketIoRelay` is also used by the test that checks this baseline
 * relays every message exactly once (test/integration/socketIoBaseline.test.ts).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';

/** Takes the oldest waiting socket id, or queues this one; atomic, so a socket is taken by one finder at most. */
const TAKE_OR_WAIT = `
local other = redis.call('LPOP', KEYS[1])
if other then return other end
redis.call('RPUSH', KEYS[1], ARGV[1])
return false`;

export type SocketIoRelay = { port: number; close(): Promise<void> };

/** `prefix` names the queue key and the adapter's channels (tests sharing a Redis pick their own). */
export async function startSocketIoRelay(opts: { redisUrl: string; port?: number; host?: string; prefix?: string }): Promise<SocketIoRelay> {
  const prefix = opts.prefix ?? 'sio-bench';
  const queueKey = `${prefix}:waiting`;
  const pub = new Redis(opts.redisUrl);
  const sub = pub.duplicate();
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end('{"status":"ok"}');
      return;
    }
    res.writeHead(404).end();
  });
  const io = new Server(server, { adapter: createAdapter(pub, sub, { key: prefix }), transports: ['websocket'], serveClient: false });

  io.on('connection', (socket) => {
    socket.on('find', () => {
      pub.eval(TAKE_OR_WAIT, 1, queueKey, socket.id).then(
        (other) => {
          if (typeof other !== 'string') {
            socket.emit('searching');
            return;
          }
          const room = randomBytes(12).toString('base64url');
          // Both sockets' own rooms: the adapter delivers to the node that holds each.
          io.to([other, socket.id]).emit('matched', room);
        },
        () => socket.emit('error_frame', 'unavailable'),
      );
    });
    socket.on('join', (room: unknown) => {
      if (typeof room !== 'string') return;
      socket.join(room);
      socket.emit('joined', room);
    });
    socket.on('send', (room: unknown, id: unknown, text: unknown) => {
      if (typeof room !== 'string' || !socket.rooms.has(room)) {
        socket.emit('error_frame', 'not_in_chat');
        return;
      }
      socket.to(room).emit('message', text);
      socket.emit('sent', id);
    });
    socket.on('disconnect', () => {
      void pub.lrem(queueKey, 0, socket.id).catch(() => undefined);
    });
  });

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    close: async () => {
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      pub.disconnect();
      sub.disconnect();
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const redisUrl = process.env.REDIS_URL;
  if (!redisUrl) throw new Error('REDIS_URL is required');
  const relay = await startSocketIoRelay({ redisUrl, port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? '127.0.0.1' });
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port: relay.port })}\n`);
  const stop = () => {
    void relay.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 1000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

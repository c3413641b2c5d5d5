/**
 * The Socket.IO baseline of `npm run bench -- cluster` (bench/baseline-socketio.ts)
 * must be a correct relay, or beating it means nothing: two of its nodes on one
 * Redis, pairs made by its `find` (half of them across the nodes), and every
 * message reaches the partner exactly once, in order, and is acknowledged to
 * its sender. Runs when REDIS_URL is set; uses the real socket.io-client.
 */
import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SocketIoRelay, startSocketIoRelay } from '../../bench/baseline-socketio.js';

const redisUrl = process.env.REDIS_URL;
const PAIRS = 6;
const MESSAGES = 50;
const WAIT_MS = 10_000;

function next(socket: Socket, event: string): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${WAIT_MS} ms`)), WAIT_MS);
    socket.once(event, (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args);
    });
  });
}

async function connect(relay: SocketIoRelay): Promise<Socket> {
  const socket = io(`http://127.0.0.1:${relay.port}`, { transports: ['websocket'], forceNew: true, reconnection: false });
  await next(socket, 'connect');
  return socket;
}

describe.runIf(redisUrl)('the Socket.IO cluster baseline', () => {
  const relays: SocketIoRelay[] = [];
  const sockets: Socket[] = [];

  beforeAll(async () => {
    const prefix = `sio-test-${randomBytes(4).toString('hex')}`;
    for (let i = 0; i < 2; i++) relays.push(await startSocketIoRelay({ redisUrl: redisUrl!, prefix }));
  });

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    for (const r of relays) await r.close();
  });

  it('pairs sockets on either node and relays every message exactly once, in order, to the partner only', async () => {
    // Pair k: its first socket on node 1, its second on node 1 (k even) or node 2 (k odd).
    const pairs: Array<{ a: Socket; b: Socket; room: string }> = [];
    for (let k = 0; k < PAIRS; k++) {
      const a = await connect(relays[0]!);
      const b = await connect(relays[k % 2]!);
      sockets.push(a, b);
      const searching = next(a, 'searching');
      a.emit('find');
      await searching;
      const matched = Promise.all([next(a, 'matched'), next(b, 'matched')]);
      b.emit('find');
      const [[roomA], [roomB]] = await matched;
      expect(roomA).toBe(roomB);
      const joined = Promise.all([next(a, 'joined'), next(b, 'joined')]);
      a.emit('join', roomA);
      b.emit('join', roomB);
      await joined;
      pairs.push({ a, b, room: roomA as string });
    }

    const received = new Map<Socket, string[]>();
    const acked = new Map<Socket, number[]>();
    const done: Array<Promise<unknown>> = [];
    for (const [k, { a, b }] of pairs.entries()) {
      for (const [self, label] of [
        [a, `p${k}a`],
        [b, `p${k}b`],
      ] as const) {
        received.set(self, []);
        acked.set(self, []);
        self.on('message', (text: string) => received.get(self)!.push(text));
        self.on('sent', (id: number) => acked.get(self)!.push(id));
        // The last message from the partner ends this socket's wait; anything after it would be a duplicate or a stray.
        const partnerLabel = self === a ? `p${k}b` : `p${k}a`;
        done.push(
          new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`${label}: partner's last message not received within ${WAIT_MS} ms`)), WAIT_MS);
            self.on('message', (text: string) => {
              if (text === `${partnerLabel}:${MESSAGES - 1}`) {
                clearTimeout(timer);
                resolve();
              }
            });
          }),
        );
      }
    }
    for (let i = 0; i < MESSAGES; i++) {
      for (const [k, { a, b, room }] of pairs.entries()) {
        a.emit('send', room, i, `p${k}a:${i}`);
        b.emit('send', room, i, `p${k}b:${i}`);
      }
    }
    await Promise.all(done);
    // One more message each way: it travels the same path after the last one, so a late duplicate would land before it.
    await Promise.all(
      pairs.flatMap(({ a, b, room }, k) =>
        [
          [a, `p${k}a`, `p${k}b`],
          [b, `p${k}b`, `p${k}a`],
        ].map(async ([s, label, partner]) => {
          const socket = s as Socket;
          const flushed = new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`${String(label)}: no flush within ${WAIT_MS} ms`)), WAIT_MS);
            socket.on('message', (text: string) => {
              if (text === `${String(partner)}:flush`) {
                clearTimeout(timer);
                resolve();
              }
            });
          });
          socket.emit('send', room, MESSAGES, `${String(label)}:flush`);
          await flushed;
        }),
      ),
    );
    const sequence = (label: string) => Array.from({ length: MESSAGES }, (_, i) => `${label}:${i}`);
    for (const [k, { a, b }] of pairs.entries()) {
      expect(received.get(a)).toEqual([...sequence(`p${k}b`), `p${k}b:flush`]);
      expect(received.get(b)).toEqual([...sequence(`p${k}a`), `p${k}a:flush`]);
      // The flush's own `sent` may still be on its way; every message before it is acknowledged once, in order.
      expect(acked.get(a)!.filter((id) => id < MESSAGES)).toEqual([...Array(MESSAGES).keys()]);
      expect(acked.get(b)!.filter((id) => id < MESSAGES)).toEqual([...Array(MESSAGES).keys()]);
    }
  });

  it('refuses a send to a room the socket is not in', async () => {
    const stranger = await connect(relays[1]!);
    sockets.push(stranger);
    const refused = next(stranger, 'error_frame');
    stranger.emit('send', 'someone-elses-room', 0, 'hello');
    expect(await refused).toEqual(['not_in_chat']);
  });
});

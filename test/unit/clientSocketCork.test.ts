/**
 * What one turn of the event loop sends to a socket leaves in one write: the
 * connection is corked at the turn's first frame and uncorked once the turn's
 * callbacks (promise continuations included) are done.
 */
import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ClientSocket } from '../../src/server/realtime/clientSocket.js';
import { Tally } from '../../src/server/tally.js';

type Wire = Pick<Duplex, 'cork' | 'uncork'>;

/** A ws stand-in that records each frame with whether the wire was corked when it went. */
function socketPair() {
  let corks = 0;
  const log: string[] = [];
  const wire: Wire = {
    cork: () => void (corks++, log.push('cork')),
    uncork: () => void (corks--, log.push('uncork')),
  };
  const ws = { readyState: WebSocket.OPEN, bufferedAmount: 0, send: (data: string) => void log.push(`${corks > 0 ? 'corked' : 'bare'} ${(JSON.parse(data) as { chatId: string }).chatId}`) };
  const socket = new ClientSocket(ws as unknown as WebSocket, wire, undefined, undefined, undefined, 1 << 20, setTimeout(() => {}, 0), new Tally());
  return { socket, log };
}

const typing = (chatId: string) => ({ type: 'typing' as const, chatId, typing: true });
/** Runs `work` as the server's frames run: in a callback of the event loop (as I/O is), not inside a promise chain. */
const inATurn = (work: () => void) =>
  new Promise<void>((resolve, reject) =>
    setImmediate(() => {
      try {
        work();
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      setImmediate(resolve);
    }),
  );

describe('a socket corked per turn', () => {
  it('frames sent in one turn go out in one write once it ends', async () => {
    const { socket, log } = socketPair();
    await inATurn(() => {
      socket.send(typing('a'));
      socket.send(typing('b'));
      expect(log).toEqual(['cork', 'corked a', 'corked b']);
    });
    expect(log).toEqual(['cork', 'corked a', 'corked b', 'uncork']);
  });

  it("a frame sent from the turn's promise callbacks is corked too, and nothing stays corked", async () => {
    const { socket, log } = socketPair();
    await inATurn(() => {
      socket.send(typing('a'));
      void Promise.resolve().then(() => socket.send(typing('c')));
    });
    expect(log.filter((l) => l.startsWith('corked'))).toEqual(['corked a', 'corked c']);
    expect(log.filter((l) => l === 'cork').length).toBe(log.filter((l) => l === 'uncork').length);
    expect(log.at(-1)).toBe('uncork');
  });

  it('the next turn corks again, so nothing waits longer than its own turn', async () => {
    const { socket, log } = socketPair();
    await inATurn(() => socket.send(typing('a')));
    await inATurn(() => socket.send(typing('b')));
    expect(log).toEqual(['cork', 'corked a', 'uncork', 'cork', 'corked b', 'uncork']);
  });

  it('two sockets written in one turn are each uncorked once', async () => {
    const [one, two] = [socketPair(), socketPair()];
    await inATurn(() => {
      one.socket.send(typing('a'));
      two.socket.send(typing('b'));
      one.socket.send(typing('c'));
    });
    expect(one.log).toEqual(['cork', 'corked a', 'corked c', 'uncork']);
    expect(two.log).toEqual(['cork', 'corked b', 'uncork']);
  });
});

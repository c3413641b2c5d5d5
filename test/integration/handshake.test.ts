/**
 * The hello can be interrupted at any of its awaits: a socket that closes
 * while its token, its block list, its subscription or its inbox is being
 * fetched leaves nothing behind (no socket slot, no seat in the lobby, no
 * subscription), and never becomes ready. Each await is held open by a gate
 * so the close lands exactly there.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBroker } from '../../src/server/broker/memory.js';
import type { Broker } from '../../src/server/broker/broker.js';
import type { Store } from '../../src/server/store/store.js';
import { api, signUp } from '../helpers/http.js';
import { type Running, startService } from '../helpers/inProcess.js';
import { storeFactories } from '../helpers/stores.js';
import { TestSocket } from '../helpers/wsClient.js';

/** Holds the next call of one method until released; tells when that call arrives. */
class Gate {
  private armed: { arrived: () => void; opened: Promise<void> } | undefined;

  /** The next call waits; `arrived` resolves when it comes (or fails after `timeoutMs`), `release` lets it go on. */
  arm(timeoutMs = 5_000): { arrived: Promise<void>; release: () => void } {
    let release = () => {};
    const opened = new Promise<void>((resolve) => (release = resolve));
    let arrived = () => {};
    const arrival = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the gated call did not come within ${timeoutMs} ms`)), timeoutMs);
      arrived = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.armed = { arrived, opened };
    return { arrived: arrival, release };
  }

  /** `target` with `method` held by this gate when armed. */
  wrap<T extends object>(target: T, method: string): T {
    return new Proxy(target, {
      get: (obj, prop) => {
        const value: unknown = Reflect.get(obj, prop);
        if (typeof value !== 'function') return value;
        const fn = value as (...args: unknown[]) => unknown;
        if (prop !== method) return fn.bind(obj);
        return async (...args: unknown[]) => {
          const armed = this.armed;
          if (armed) {
            this.armed = undefined;
            armed.arrived();
            await armed.opened;
          }
          return fn.apply(obj, args);
        };
      },
    });
  }
}

/** Waits (bounded) for what the test cannot be told about by an event: the server noticing a closed socket. */
async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const STEPS: Array<{ step: string; on: 'store' | 'broker'; method: string }> = [
  { step: 'the token check', on: 'store', method: 'sessionByTokenHash' },
  { step: 'the block list', on: 'store', method: 'blockedPairsOf' },
  { step: 'the subscription', on: 'broker', method: 'subscribe' },
  { step: 'the inbox', on: 'store', method: 'inbox' },
];

describe('a socket that closes during its hello', () => {
  let server: Running | undefined;
  let disposeStore: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await server?.stop();
    await disposeStore?.();
  });

  it.each(STEPS)('while waiting on $step: holds no slot, no seat and no subscription', async ({ on, method }) => {
    const gate = new Gate();
    const opened = await storeFactories[0]!.open();
    disposeStore = opened.dispose;
    const store: Store = on === 'store' ? gate.wrap(opened.store, method) : opened.store;
    const memory = new MemoryBroker();
    const broker: Broker = on === 'broker' ? gate.wrap(memory, method) : memory;
    server = await startService({ MAX_SOCKETS_PER_ACCOUNT: '1', LOG_LEVEL: 'warn' }, { store, broker });
    const user = await signUp(server.url);

    const hold = gate.arm();
    const early = await TestSocket.open(server.wsUrl);
    early.send({ type: 'hello', token: user.token });
    await hold.arrived;
    early.close();
    await early.closed;
    await until(() => server!.service.gateway.size === 0);
    hold.release();

    // The account's one slot is free: a new socket signs in.
    const later = await TestSocket.open(server.wsUrl);
    later.send({ type: 'hello', token: user.token });
    const answer = await later.next(undefined, (f) => f.type === 'ready' || f.type === 'error');
    expect(answer.type).toBe('ready');
    later.send({ type: 'ping' });
    await later.next('pong');
    // Only the new socket sits in the lobby, and once it closes the account is offline.
    expect(server.service.lobby.seatsOf(user.account.id).size).toBe(1);
    expect(early.frames.map((f) => f.type)).not.toContain('ready');
    later.close();
    await later.closed;
    await until(() => server!.service.gateway.size === 0);
    await until(() => server!.service.lobby.seatsOf(user.account.id).size === 0);
    expect(await memory.online(user.account.id)).toBe(false);
  });

  it('signed out while its hello waits on the block list: unauthorized and 4401, never ready', async () => {
    const gate = new Gate();
    const opened = await storeFactories[0]!.open();
    disposeStore = opened.dispose;
    server = await startService({ LOG_LEVEL: 'warn' }, { store: gate.wrap(opened.store, 'blockedPairsOf') });
    const user = await signUp(server.url);

    const hold = gate.arm();
    const socket = await TestSocket.open(server.wsUrl);
    socket.send({ type: 'hello', token: user.token });
    await hold.arrived;
    expect((await api(server.url, 'DELETE', '/api/sessions/current', { token: user.token })).status).toBe(204);
    const error = await socket.next('error');
    expect(error.code).toBe('unauthorized');
    hold.release();
    expect((await socket.closed).code).toBe(4401);
    expect(socket.frames.map((f) => f.type)).not.toContain('ready');
  });

  it('frames sent during the hello are handled before frames sent while the account is announced online', async () => {
    const whileChecking = new Gate();
    const whileAnnouncing = new Gate();
    const opened = await storeFactories[0]!.open();
    disposeStore = opened.dispose;
    const store = whileAnnouncing.wrap(whileChecking.wrap(opened.store, 'blockedPairsOf'), 'connectionsOf');
    server = await startService({ LOG_LEVEL: 'warn' }, { store });
    const user = await signUp(server.url);

    const checking = whileChecking.arm();
    const announcing = whileAnnouncing.arm();
    const socket = await TestSocket.open(server.wsUrl);
    socket.send({ type: 'hello', token: user.token });
    await checking.arrived;
    socket.send({ type: 'find' });
    await socket.flushed(); // the server holds the find, waiting for the hello
    checking.release();
    await socket.next('ready');
    await announcing.arrived;
    socket.send({ type: 'cancel' });
    await socket.next('idle');
    announcing.release();
    // `find` was sent first, so it answered first: searching, then idle.
    const order = socket.frames.map((f) => f.type).filter((t) => t === 'searching' || t === 'idle');
    expect(order).toEqual(['searching', 'idle']);
  });
});

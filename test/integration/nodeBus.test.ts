/**
 * The node bus's batches (cluster/nodeBus.ts): what one turn of the event loop
 * says to a node goes in one PUBLISH, in order, but only to a node that said
 * it reads batches; a node of an older version (one envelope per message) is
 * still sent one message per PUBLISH. Runs when REDIS_URL is set.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeBus } from '../../src/server/cluster/nodeBus.js';
import type { NodeMessage, NodeMessageOf } from '../../src/server/cluster/nodeMessages.js';
import { Unavailable } from '../../src/server/domain/unavailable.js';

const redisUrl = process.env.REDIS_URL;
const WAIT_MS = 5000;

const frame = (n: number): NodeMessageOf<'frame'> => ({ t: 'frame', to: 'seat', frame: { type: 'typing', chatId: `chat-${n}`, typing: true } });

/** Resolves once `count()` reaches `n`, checked on each call of the returned `tick`; fails after WAIT_MS. */
function reaching(n: number, count: () => number, what: string): { tick(): void; done: Promise<void> } {
  let resolve!: () => void;
  const done = new Promise<void>((r, reject) => {
    resolve = r;
    setTimeout(() => reject(new Error(`${what}: ${count()} of ${n} within ${WAIT_MS} ms`)), WAIT_MS).unref();
  });
  return { tick: () => count() >= n && resolve(), done };
}

describe.runIf(redisUrl)('node bus: batches between nodes (Redis)', () => {
  const closers: Array<() => Promise<unknown>> = [];

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  async function bus(): Promise<NodeBus> {
    const b = await NodeBus.open(redisUrl!, 60_000);
    closers.push(() => b.close());
    return b;
  }

  /** Counts this bus's PUBLISH commands (its own client only). */
  function countPublishes(b: NodeBus): () => number {
    let n = 0;
    const publish = b.client.publish.bind(b.client);
    b.client.publish = ((...args: Parameters<typeof publish>) => {
      n++;
      return publish(...args);
    }) as typeof publish;
    return () => n;
  }

  /** `from` learns that `to` reads batches (a message from it carries the sign), and `to` collects frames. */
  async function introduced(from: NodeBus, to: NodeBus): Promise<NodeMessage[]> {
    const got: NodeMessage[] = [];
    const hello = reaching(1, () => got.length, 'the introduction');
    from.handle('frame', (m) => {
      got.push(m);
      hello.tick();
    });
    await to.deliver(from.nodeId, frame(0));
    await hello.done;
    const received: NodeMessage[] = [];
    to.handle('frame', (m) => void received.push(m));
    return received;
  }

  it("a turn's messages to a node that reads batches go in one PUBLISH, in order, and each deliver learns it arrived", async () => {
    const [one, two] = [await bus(), await bus()];
    const received = await introduced(one, two);
    const publishes = countPublishes(one);
    const all = reaching(10, () => received.length, 'frames');
    two.handle('frame', (m) => {
      received.push(m);
      all.tick();
    });
    const delivered = Array.from({ length: 10 }, (_, i) => one.deliver(two.nodeId, frame(i + 1)));
    await Promise.all(delivered);
    await all.done;
    expect(publishes()).toBe(1);
    expect(received).toEqual(Array.from({ length: 10 }, (_, i) => frame(i + 1)));
  });

  it('to a node that never said it reads batches (an older node), each message goes alone, in the envelope it knows', async () => {
    const one = await bus();
    // An older node: it reads `{from, m}` envelopes on its channel and never signs `b`.
    const older = new Redis(redisUrl!, { lazyConnect: true });
    closers.push(async () => older.disconnect());
    await older.connect();
    const payloads: string[] = [];
    const all = reaching(3, () => payloads.length, 'envelopes');
    older.on('message', (_channel: string, payload: string) => {
      payloads.push(payload);
      all.tick();
    });
    await older.subscribe('metsony:node:older-node');
    const publishes = countPublishes(one);
    await Promise.all([1, 2, 3].map((i) => one.deliver('older-node', frame(i))));
    await all.done;
    expect(publishes()).toBe(3);
    const envelopes = payloads.map((p) => JSON.parse(p) as { from: string; m: NodeMessage });
    expect(envelopes.map((e) => e.m)).toEqual([frame(1), frame(2), frame(3)]);
    expect(envelopes.every((e) => e.from === one.nodeId)).toBe(true);
  });

  it('a batch that reaches no node (that node has stopped) fails every deliver in it as unavailable', async () => {
    const [one, two] = [await bus(), await bus()];
    await introduced(one, two);
    await two.close();
    const outcomes = await Promise.allSettled([1, 2, 3].map((i) => one.deliver(two.nodeId, frame(i))));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const o of outcomes) expect((o as PromiseRejectedResult).reason).toBeInstanceOf(Unavailable);
  });

  it('questions and their answers travel in batches too, each answer reaching its own question', async () => {
    const [one, two] = [await bus(), await bus()];
    await introduced(one, two);
    await introduced(two, one);
    two.handle('offer', (m) => m.to === 'yes');
    const publishes = countPublishes(one);
    const offer = (to: string): NodeMessage => ({ t: 'offer', chatId: to, to, from: { key: 'k', node: one.nodeId, account: 'a', nickname: 'A', interests: [], country: '', near: false, blocked: [], since: 1, wide: true }, common: [] });
    const answers = await Promise.all(['yes', 'no', 'yes', 'no'].map((to) => one.ask(two.nodeId, offer(to))));
    expect(answers).toEqual([true, false, true, false]);
    expect(publishes()).toBe(1);
  });

  it('a handler that throws loses only its own message: the rest of the batch arrives, its question is answered no, the error is reported', async () => {
    const [one, two] = [await bus(), await bus()];
    const received = await introduced(one, two);
    await introduced(two, one);
    const reported: string[] = [];
    two.onHandlerError = (_err, type) => void reported.push(type);
    const after = reaching(1, () => received.length, 'the frame after the failing one');
    two.handle('frame', (m) => {
      if ((m.frame as { chatId: string }).chatId === 'chat-1') throw new Error('broken handler');
      received.push(m);
      after.tick();
    });
    two.handle('offer', () => {
      throw new Error('broken handler');
    });
    const offer: NodeMessage = { t: 'offer', chatId: 'c', to: 'k', from: { key: 'k', node: one.nodeId, account: 'a', nickname: 'A', interests: [], country: '', near: false, blocked: [], since: 1, wide: true }, common: [] };
    const [, , answer] = await Promise.all([one.deliver(two.nodeId, frame(1)), one.deliver(two.nodeId, frame(2)), one.ask(two.nodeId, offer)]);
    await after.done;
    expect(received).toEqual([frame(2)]);
    expect(answer).toBe(false);
    expect(reported).toEqual(['frame', 'offer']);
  });

  it('a malformed batch or a message of a kind this node does not know is left alone; what follows still arrives', async () => {
    const [one, two] = [await bus(), await bus()];
    const received = await introduced(one, two);
    const next = reaching(1, () => received.length, 'the frame after');
    two.handle('frame', (m) => {
      received.push(m);
      next.tick();
    });
    const channel = `metsony:node:${two.nodeId}`;
    await one.client.publish(channel, JSON.stringify({ from: 'x', batch: 'not a list' }));
    await one.client.publish(channel, JSON.stringify({ from: 'x', batch: [{ m: { t: 'from-the-future' } }, { nothing: true }] }));
    await one.client.publish(channel, JSON.stringify({ from: 'x', m: { t: 'from-the-future' } }));
    await one.deliver(two.nodeId, frame(7));
    await next.done;
    expect(received).toEqual([frame(7)]);
  });
});

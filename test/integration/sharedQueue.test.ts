/**
 * What only the shared search queue (several nodes) does, beyond the policy
 * that matchingPolicy.contract.test.ts checks on both queues: a claim across
 * two nodes is offered to the other node and starts the chat on both; a
 * searcher whose node stopped its heartbeat is never claimed. Runs when
 * REDIS_URL is set.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NodeBus } from '../../src/server/cluster/nodeBus.js';
import type { QueueEntry } from '../../src/server/cluster/nodeMessages.js';
import { RedisSearchQueue } from '../../src/server/cluster/redisSearchQueue.js';
import { PUT } from '../../src/server/cluster/sharedQueueScripts.js';
import type { Pairing, Seeker } from '../../src/server/domain/searchQueue.js';

const redisUrl = process.env.REDIS_URL;

type Across = { seeker: Seeker; chatId: string; partner: QueueEntry; common: string[] };
type Node = { bus: NodeBus; queue: RedisSearchQueue; pairs: Pairing[]; across: Across[] };

describe.runIf(redisUrl)('shared search queue across nodes (Redis)', () => {
  const prefix = `metsony:test-mq-${Math.random().toString(36).slice(2, 10)}:`;
  const nodes: Node[] = [];
  let n = 0;

  afterEach(async () => {
    for (const node of nodes.splice(0)) {
      node.queue.clear();
      await node.queue.settled();
      const keys = await node.bus.client.keys(`${prefix}*`);
      if (keys.length > 0) await node.bus.client.del(...keys);
      await node.bus.close();
    }
  });

  async function node(): Promise<Node> {
    const bus = await NodeBus.open(redisUrl!, 60_000);
    const pairs: Pairing[] = [];
    const across: Across[] = [];
    const queue = new RedisSearchQueue(bus, { widenAfterMs: 60_000, prefix }, { matched: (p) => void pairs.push(p) }, (seeker, chatId, partner, common) =>
      across.push({ seeker, chatId, partner, common }),
    );
    const made = { bus, queue, pairs, across };
    nodes.push(made);
    return made;
  }

  const seeker = (accountId: string, interests: string[]): Seeker => ({
    key: `seat-${++n}`,
    accountId,
    nickname: accountId,
    interests: new Set(interests),
    near: false,
    country: undefined,
    since: Date.now() + n,
    blocked: new Set(),
  });

  it('a claim of someone on another node is offered there: both nodes start the same chat, the queue lets go of both', async () => {
    const [one, two] = [await node(), await node()];
    const a = seeker('a', ['chess', 'go']);
    one.queue.add(a);
    await one.queue.settled();
    const b = seeker('b', ['go', 'tea']);
    two.queue.add(b);
    await two.queue.settled();

    expect(one.across).toHaveLength(1);
    expect(two.across).toHaveLength(1);
    const [here, there] = [one.across[0]!, two.across[0]!];
    expect(here.chatId).toBe(there.chatId);
    expect([here.seeker.accountId, here.partner.account, here.partner.node]).toEqual(['a', 'b', two.bus.nodeId]);
    expect([there.seeker.accountId, there.partner.account, there.partner.node]).toEqual(['b', 'a', one.bus.nodeId]);
    expect(here.common).toEqual(['go']);
    expect([one.pairs, two.pairs]).toEqual([[], []]);
    expect([one.queue.size, two.queue.size]).toEqual([0, 0]);
  });

  it('a cooldown written by a node of an older version (the account alone) still keeps the two apart', async () => {
    const one = await node();
    await one.bus.client.set(`${prefix}recent:old-a`, 'old-b', 'PX', 60_000);
    one.queue.add(seeker('old-a', ['chess']));
    one.queue.add(seeker('old-b', ['chess']));
    await one.queue.settled();
    expect(one.pairs).toEqual([]);
    one.queue.add(seeker('c', ['chess']));
    await one.queue.settled();
    expect(one.pairs.map((p) => [p.a.accountId, p.b.accountId])).toEqual([['old-a', 'c']]);
  });

  it('a searcher on a node that stopped its heartbeat is never claimed; one on a live node is', async () => {
    const [one, two] = [await node(), await node()];
    const ghost: QueueEntry = {
      key: 'ghost-seat',
      node: 'a-node-that-died',
      account: 'ghost',
      nickname: 'ghost',
      interests: ['chess'],
      country: '',
      near: false,
      blocked: [],
      since: 1,
      wide: false,
    };
    await one.bus.client.eval(PUT, 0, prefix, JSON.stringify(ghost), 0, 60_000);
    two.queue.add(seeker('alive', ['chess']));
    await two.queue.settled();
    one.queue.add(seeker('me', ['chess']));
    await one.queue.settled();
    expect(one.across.map((m) => m.partner.account)).toEqual(['alive']);
    // Never claimed (a claim takes the entry out of the queue): it waits for its entry to expire.
    expect(await one.bus.client.exists(`${prefix}e:ghost-seat`)).toBe(1);
  });

  it('works when Redis has forgotten its scripts (a restart): the script text goes again, and after that only its SHA1', async () => {
    const one = await node();
    await one.bus.client.script('FLUSH');
    const calls: string[] = [];
    const sent = one.bus.client.sendCommand.bind(one.bus.client);
    one.bus.client.sendCommand = ((command: { name: string }) => {
      calls.push(command.name);
      return sent(command as Parameters<typeof sent>[0]);
    }) as typeof one.bus.client.sendCommand;
    one.queue.add(seeker('first', ['chess']));
    await one.queue.settled();
    one.queue.add(seeker('second', ['chess']));
    await one.queue.settled();
    expect(one.pairs.map((p) => [p.a.accountId, p.b.accountId])).toEqual([['first', 'second']]);
    // The first search met NOSCRIPT and sent the text; the second ran by SHA1 alone.
    expect(calls.filter((c) => c === 'evalsha' || c === 'eval')).toEqual(['evalsha', 'eval', 'evalsha']);
  });
});

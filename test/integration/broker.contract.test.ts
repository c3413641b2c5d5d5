/** One suite, every Broker: account-addressed delivery and presence, across two nodes where the broker allows. */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Broker } from '../../src/server/broker/broker.js';
import type { ServerFrame } from '../../src/shared/protocol.js';
import { brokerFactories } from '../helpers/brokers.js';

const until = async (check: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
};
const account = () => `acct-${randomBytes(6).toString('hex')}`;

describe.each(brokerFactories)('Broker contract: $name', (factory) => {
  let a: Broker;
  let b: Broker;
  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ a, b, close } = await factory.open());
  });
  afterEach(async () => {
    await close();
  });

  it('delivers a frame to every socket of the account, on any node, exactly once', async () => {
    const id = account();
    const onA: ServerFrame[] = [];
    const onB: ServerFrame[] = [];
    await a.subscribe(id, (f) => onA.push(f));
    await b.subscribe(id, (f) => onB.push(f));
    const frame: ServerFrame = { type: 'presence', connectionId: 'c1', online: true };
    a.publish(id, frame);
    await until(() => onA.length >= 1 && onB.length >= 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(onA).toEqual([frame]);
    expect(onB).toEqual([frame]);
  });

  it('does not deliver to other accounts or after unsubscribing', async () => {
    const id = account();
    const other = account();
    const got: ServerFrame[] = [];
    const sub = await b.subscribe(id, (f) => got.push(f));
    await b.subscribe(other, () => got.push({ type: 'pong' }));
    a.publish(id, { type: 'idle' });
    await until(() => got.length >= 1);
    await sub.unsubscribe();
    a.publish(id, { type: 'searching', online: 1, widened: false });
    await new Promise((r) => setTimeout(r, 150));
    expect(got).toEqual([{ type: 'idle' }]);
  });

  it('presence: first socket anywhere comes online, last socket anywhere goes offline', async () => {
    const id = account();
    expect(await a.online(id)).toBe(false);
    const s1 = await a.subscribe(id, () => {});
    expect(s1.firstSocket).toBe(true);
    const s2 = await b.subscribe(id, () => {});
    expect(s2.firstSocket).toBe(false);
    expect(await a.online(id)).toBe(true);
    expect(await b.online(id)).toBe(true);
    expect((await s1.unsubscribe()).lastSocket).toBe(false);
    expect(await a.online(id)).toBe(true);
    expect((await s2.unsubscribe()).lastSocket).toBe(true);
    expect(await a.online(id)).toBe(false);
    expect(await b.online(id)).toBe(false);
    expect((await s2.unsubscribe()).lastSocket).toBe(false); // twice is harmless
  });
});

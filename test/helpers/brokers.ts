/** Every Broker the contract suite runs against: in-process always, Redis when REDIS_URL is set. */
import type { Broker } from '../../src/server/broker/broker.js';
import { MemoryBroker } from '../../src/server/broker/memory.js';
import { RedisBroker } from '../../src/server/broker/redis.js';

export type BrokerFactory = {
  name: string;
  /** Two nodes sharing one backplane; for the in-process broker, the same instance twice. */
  open(): Promise<{ a: Broker; b: Broker; close(): Promise<void> }>;
};

export const brokerFactories: BrokerFactory[] = [
  {
    name: 'memory',
    async open() {
      const broker = new MemoryBroker();
      return { a: broker, b: broker, close: () => broker.close() };
    },
  },
];

const redisUrl = process.env.REDIS_URL;
if (redisUrl) {
  brokerFactories.push({
    name: 'redis',
    async open() {
      const a = await RedisBroker.connect(redisUrl);
      const b = await RedisBroker.connect(redisUrl);
      return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
    },
  });
}

/**
 * Cluster mode (REDIS_URL set): everything a node shares with the others
 * through Redis, opened together. context.ts takes this or the in-process
 * versions, from the config alone.
 */
import type { Logger } from 'pino';
import { RedisBroker } from '../broker/redis.js';
import { RedisOutages } from '../broker/redisOutages.js';
import type { Handshakes } from '../domain/handshakes.js';
import type { SecretSource } from '../domain/ipKeys.js';
import type { LimiterFactory } from '../domain/rateLimits.js';
import type { SpentProofs } from '../domain/challenges.js';
import type { Clock } from '../domain/ipKeys.js';
import { RedisHandshakes, redisLimiter, redisSecrets, redisSpent } from './redisAdapters.js';
import { SharedMatching } from './sharedMatching.js';

export type Cluster = {
  broker: RedisBroker;
  /** The shared search queue, cross-node chats and revocations. */
  shared: SharedMatching;
  outages: RedisOutages;
  handshakes: Handshakes;
  limiterFactory: LimiterFactory;
  secrets: SecretSource;
  spentProofs: (now: Clock) => SpentProofs;
};

export async function openCluster(redisUrl: string, options: { widenAfterMs: number; nodeTtlMs: number }, log: Logger): Promise<Cluster> {
  const broker = await RedisBroker.connect(redisUrl, options.nodeTtlMs);
  // One identity per node: its presence entries, heartbeat, node channel and queue entries all carry it.
  const shared = await SharedMatching.start(broker.client, { ...options, nodeId: broker.nodeId });
  const outages = new RedisOutages(log);
  for (const client of [...broker.connections, ...shared.connections]) outages.watch(client);
  // Back after an outage (Redis may have lost everything): presence first, then the queue and the cross-node chats.
  outages.onRecovery(() => broker.recover());
  outages.onRecovery(() => shared.recover());
  return {
    broker,
    shared,
    outages,
    handshakes: new RedisHandshakes(broker.client),
    limiterFactory: redisLimiter(broker.client),
    secrets: redisSecrets(broker.client),
    spentProofs: (now) => redisSpent(broker.client, now),
  };
}

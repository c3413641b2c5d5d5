/**
 * Cluster mode (REDIS_URL set): everything a node shares with the others
 * through Redis, opened together on one node bus (one identity, one
 * heartbeat, one subscriber). context.ts takes this or the in-process
 * versions, from the config alone.
 */
import type { Logger } from 'pino';
import { RedisBroker } from '../broker/redis.js';
import { RedisOutages } from '../broker/redisOutages.js';
import type { Handshakes } from '../domain/handshakes.js';
import type { Clock, SecretSource } from '../domain/ipKeys.js';
import type { Matching } from '../domain/lobbyNodeSide.js';
import type { LimiterFactory } from '../domain/rateLimits.js';
import type { SpentProofs } from '../domain/challenges.js';
import { type Revocation, Revocations } from '../domain/revocations.js';
import { CrossNodeChats } from './crossNodeChats.js';
import { NodeBus } from './nodeBus.js';
import { RedisHandshakes, redisLimiter, redisSecrets, redisSpent } from './redisAdapters.js';
import { RedisSearchQueue } from './redisSearchQueue.js';

export type Cluster = {
  bus: NodeBus;
  broker: RedisBroker;
  outages: RedisOutages;
  /** The shared search queue and the chats across nodes, for the lobby to build with itself. */
  matching: Matching;
  /** Tells every node that a sign-in ended (log out, new code, deletion, suspension). */
  broadcastRevocation(revocation: Revocation): void;
  /** Sign-ins ended on another node: this node's sockets of them close too. */
  revokedElsewhere: Revocations;
  handshakes: Handshakes;
  limiterFactory: LimiterFactory;
  secrets: SecretSource;
  spentProofs: (now: Clock) => SpentProofs;
  /** Stops the heartbeat and this node's share of the shared state; the connections stay for the broker's goodbye. */
  stop(): Promise<void>;
  close(): Promise<void>;
};

export async function openCluster(redisUrl: string, options: { widenAfterMs: number; nodeTtlMs: number }, log: Logger): Promise<Cluster> {
  const bus = await NodeBus.open(redisUrl, options.nodeTtlMs);
  bus.onHandlerError = (err, type) => log.error({ err, type }, 'a message from another node could not be handled');
  const broker = new RedisBroker(bus);
  const outages = new RedisOutages(log);
  for (const client of bus.connections) outages.watch(client);
  // Back after an outage (Redis may have lost everything): presence first, then the queue and the cross-node chats.
  outages.onRecovery(() => bus.recover());
  outages.onRecovery(() => broker.announce());
  const revokedElsewhere = new Revocations();
  bus.handle('revoke', ({ revocation }) => revokedElsewhere.emit(revocation));
  let chats: CrossNodeChats | undefined;
  const matching: Matching = (lobby, events) => {
    const across = new CrossNodeChats(bus, lobby);
    const queue = new RedisSearchQueue(bus, { widenAfterMs: options.widenAfterMs }, events, (seeker, chatId, partner, common) =>
      across.startAcross(seeker, chatId, partner, common),
    );
    outages.onRecovery(async () => {
      queue.recover();
      await across.recover();
    });
    chats = across;
    return { queue, nodes: across };
  };
  return {
    bus,
    broker,
    outages,
    matching,
    broadcastRevocation: (revocation) => bus.post('all', { t: 'revoke', revocation }),
    revokedElsewhere,
    handshakes: new RedisHandshakes(bus.client),
    limiterFactory: redisLimiter(bus.client),
    secrets: redisSecrets(bus.client),
    spentProofs: (now) => redisSpent(bus.client, now),
    async stop() {
      outages.stop();
      await chats?.close();
      await bus.stop();
    },
    async close() {
      outages.stop();
      await broker.close();
      await bus.close();
    },
  };
}

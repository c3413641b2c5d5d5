/**
 * Two in-process nodes sharing a PostgreSQL schema of their own and a Redis of
 * their own (a redis-server started for the block, so that suites running at
 * the same time never see each other's searchers; the shared REDIS_URL when
 * redis-server is not installed), for
 * a describe block: started before its tests, stopped (and the schema dropped)
 * after. Several nodes share one recovery pepper, as they must.
 */
import { afterAll, beforeAll } from 'vitest';
import { type Running, startService } from './inProcess.js';
import { RedisServer, redisServerAvailable } from './redisServer.js';
import { postgresSchema } from './stores.js';

export type TwoNodes = { node1: Running; node2: Running; env: Record<string, string> };

export function twoNodes(databaseUrl: string, redisUrl: string, schemaPrefix: string, extraEnv: Record<string, string> = {}): TwoNodes {
  const nodes = {} as TwoNodes;
  let schema: Awaited<ReturnType<typeof postgresSchema>> | undefined;
  let redis: RedisServer | undefined;
  beforeAll(async () => {
    schema = await postgresSchema(databaseUrl, schemaPrefix);
    if (redisServerAvailable()) redis = await RedisServer.start();
    nodes.env = { DATABASE_URL: schema.url, REDIS_URL: redis?.url ?? redisUrl, RECOVERY_PEPPER: 'cluster-test-pepper-0123456789abcdef', ...extraEnv };
    nodes.node1 = await startService(nodes.env);
    nodes.node2 = await startService(nodes.env);
  });
  afterAll(async () => {
    await nodes.node1?.stop();
    await nodes.node2?.stop();
    await schema?.drop();
    await redis?.kill();
  });
  return nodes;
}

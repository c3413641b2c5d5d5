/**
 * Two in-process nodes sharing a PostgreSQL schema of their own and Redis, for
 * a describe block: started before its tests, stopped (and the schema dropped)
 * after. Several nodes share one recovery pepper, as they must.
 */
import { afterAll, beforeAll } from 'vitest';
import { type Running, startService } from './inProcess.js';
import { postgresSchema } from './stores.js';

export type TwoNodes = { node1: Running; node2: Running; env: Record<string, string> };

export function twoNodes(databaseUrl: string, redisUrl: string, schemaPrefix: string, extraEnv: Record<string, string> = {}): TwoNodes {
  const nodes = {} as TwoNodes;
  let schema: Awaited<ReturnType<typeof postgresSchema>> | undefined;
  beforeAll(async () => {
    schema = await postgresSchema(databaseUrl, schemaPrefix);
    nodes.env = { DATABASE_URL: schema.url, REDIS_URL: redisUrl, RECOVERY_PEPPER: 'cluster-test-pepper-0123456789abcdef', ...extraEnv };
    nodes.node1 = await startService(nodes.env);
    nodes.node2 = await startService(nodes.env);
  });
  afterAll(async () => {
    await nodes.node1?.stop();
    await nodes.node2?.stop();
    await schema?.drop();
  });
  return nodes;
}

/**
 * GET /readyz, for load balancers: 200 while this node can serve, 503 with
 * what fails otherwise (its database, Redis, or the node is draining).
 * /healthz stays pure liveness.
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/store.js';

/** A database that does not answer within this long counts as unreachable. */
const STORE_TIMEOUT_MS = 1000;

export type ReadinessDeps = {
  store: Store;
  /** Whether Redis is connected; undefined without REDIS_URL. */
  redisReady: (() => boolean) | undefined;
  draining: () => boolean;
};

async function storeReachable(store: Store): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), STORE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([store.ping().then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export type Failing = 'draining' | 'database' | 'redis';

/** What keeps this node from serving now: empty when it is ready (also read by /metrics). */
export async function readinessFailures(deps: ReadinessDeps): Promise<Failing[]> {
  const failing: Failing[] = [];
  if (deps.draining()) failing.push('draining');
  if (!(await storeReachable(deps.store))) failing.push('database');
  if (deps.redisReady && !deps.redisReady()) failing.push('redis');
  return failing;
}

export function registerReadiness(app: FastifyInstance, deps: ReadinessDeps): void {
  app.get('/readyz', async (_request, reply) => {
    const failing = await readinessFailures(deps);
    if (failing.length === 0) return { status: 'ready' };
    return reply.code(503).send({ status: 'unavailable', failing });
  });
}

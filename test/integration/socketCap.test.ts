/**
 * Issue 9 finding 12: simultaneous hellos of one account cannot all pass the
 * cap. The slot is taken as soon as the token is checked, so exactly
 * MAX_SOCKETS_PER_ACCOUNT sockets get `ready`, on every store (the race showed
 * on PostgreSQL, where the awaits between the check and the attach are real).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../helpers/http.js';
import { type Running, startService } from '../helpers/inProcess.js';
import { postgresSchema } from '../helpers/stores.js';
import { TestSocket } from '../helpers/wsClient.js';

const databaseUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;

type Setup = { name: string; env(): Promise<{ env: Record<string, string>; dispose(): Promise<void> }> };

const setups: Setup[] = [{ name: 'embedded', env: async () => ({ env: {}, dispose: async () => {} }) }];
if (databaseUrl) {
  setups.push({
    name: redisUrl ? 'PostgreSQL and Redis' : 'PostgreSQL',
    async env() {
      const schema = await postgresSchema(databaseUrl);
      return { env: { DATABASE_URL: schema.url, ...(redisUrl ? { REDIS_URL: redisUrl } : {}) }, dispose: schema.drop };
    },
  });
}

const CAP = 10;
const HELLOS = 30;

/** Waits (bounded) for a condition the test cannot be told about by an event: the server noticing closed sockets. */
async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Opens `n` sockets, then sends all their hellos at once; resolves with each socket's first answer. */
async function helloAll(wsUrl: string, token: string, n: number) {
  const sockets = await Promise.all(Array.from({ length: n }, () => TestSocket.open(wsUrl)));
  for (const s of sockets) s.send({ type: 'hello', token });
  const outcomes = await Promise.all(
    sockets.map(async (socket) => {
      const first = await socket.next(undefined, (f) => f.type === 'ready' || f.type === 'error');
      if (first.type === 'ready') return { socket, ready: true as const };
      return { socket, ready: false as const, code: first.code, close: (await socket.closed).code };
    }),
  );
  return outcomes;
}

describe.each(setups)('socket cap per account ($name)', (setup) => {
  let server: Running;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    const prepared = await setup.env();
    dispose = prepared.dispose;
    server = await startService({ ...prepared.env, MAX_SOCKETS_PER_ACCOUNT: String(CAP), LOG_LEVEL: 'warn' });
  });
  afterAll(async () => {
    await server?.stop();
    await dispose?.();
  });

  it(`${HELLOS} simultaneous hellos of one account: exactly ${CAP} ready, the rest too_many_connections and 4429`, async () => {
    const user = await signUp(server.url);
    const outcomes = await helloAll(server.wsUrl, user.token, HELLOS);
    const ready = outcomes.filter((o) => o.ready);
    const refused = outcomes.filter((o) => !o.ready);
    expect(ready).toHaveLength(CAP);
    expect(refused).toHaveLength(HELLOS - CAP);
    for (const o of refused) expect(o).toMatchObject({ code: 'too_many_connections', close: 4429 });

    // closing sockets gives their slots back, and the refused ones held none
    for (const o of ready) o.socket.close();
    await until(() => server.service.gateway.size === 0);
    const again = await helloAll(server.wsUrl, user.token, HELLOS);
    expect(again.filter((o) => o.ready)).toHaveLength(CAP);
    for (const o of again) o.socket.close();
  });
});

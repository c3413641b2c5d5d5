/**
 * Scenario "accounts": the HTTP API under a closed-loop keep-alive load
 * (`concurrency` requests in flight), the database on disk:
 * 1. GET /healthz: the baseline, same server, same connections, no database;
 * 2. POST /api/accounts: sign-ups (a SQLite transaction, fsync'd);
 * 3. POST /api/sessions: sign-ins with recovery codes from step 2.
 * Each phase runs for `phaseMs` or `maxRequests`, whichever comes first.
 */
import { HttpClient, runHttpLoad } from '../lib/http.js';
import { finish, log, main, params, setLabel } from '../lib/loadgen.js';
import { rng } from '../lib/stats.js';
import { CpuMeter, sleep } from '../lib/sys.js';

type Params = { concurrency: number; phaseMs: number; maxRequests: number; dataDirFs: string };

const TOPICS = ['music', 'films', 'books', 'travel', 'cooking', 'chess', 'hiking', 'art', 'science', 'games'];

main(async () => {
  const p = params<Params>();
  setLabel(`accounts/${p.target}`);
  const http = new HttpClient(p.url, p.concurrency);
  const random = rng(7);

  const phase = async (name: string, run: () => ReturnType<typeof runHttpLoad>) => {
    const cpu = new CpuMeter([p.pid]);
    const result = await run();
    const usage = cpu.stop();
    log(`${name}: ${result.perSecond}/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms${result.failed ? `, failed ${JSON.stringify(result.failures)}` : ''}`);
    await sleep(300);
    return { ...result, cpu: { target: usage.pids[0], generator: usage.self, others: usage.others } };
  };

  const health = await phase('GET /healthz', () =>
    runHttpLoad({
      client: http,
      concurrency: p.concurrency,
      durationMs: p.phaseMs,
      maxRequests: p.maxRequests,
      next: () => ({ method: 'GET', path: '/healthz' }),
      ok: (reply) => reply.status === 200,
    }),
  );

  const codes: string[] = [];
  const signUps = await phase('POST /api/accounts', () =>
    runHttpLoad({
      client: http,
      concurrency: p.concurrency,
      durationMs: p.phaseMs,
      maxRequests: p.maxRequests,
      next: (i) => ({
        method: 'POST',
        path: '/api/accounts',
        body: {
          nickname: `bench-${i}`,
          interests: [TOPICS[Math.floor(random() * TOPICS.length)]!, TOPICS[Math.floor(random() * TOPICS.length)]!],
          adult: true,
        },
      }),
      ok: (reply) => {
        if (reply.status !== 201) return false;
        codes.push((JSON.parse(reply.body) as { recoveryCode: string }).recoveryCode);
        return true;
      },
    }),
  );
  if (codes.length === 0) throw new Error('no sign-up succeeded');

  const signIns = await phase('POST /api/sessions', () =>
    runHttpLoad({
      client: http,
      concurrency: p.concurrency,
      durationMs: p.phaseMs,
      maxRequests: p.maxRequests,
      next: (i) => ({ method: 'POST', path: '/api/sessions', body: { recoveryCode: codes[(i * 7919) % codes.length]! } }),
      ok: (reply) => reply.status === 200,
    }),
  );
  http.close();
  finish({ concurrency: p.concurrency, phaseMs: p.phaseMs, dataDirFs: p.dataDirFs, health, signUps, signIns });
});

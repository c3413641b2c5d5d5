/**
 * Scenario "signup": sign-ups over HTTP keep-alive with the gate the server
 * has on (GET /api/config → challenge).
 *
 * Gate off: POST /api/accounts alone (the baseline).
 * Proof of work:
 * 1. end to end: GET /api/challenge, a solve here (the web app's synchronous
 *    SHA-256 path, the fastest client there is), POST with the proof;
 *    sign-ups/s and the client's CPU per sign-up;
 * 2. the server's own cost, in phases long enough to be warm and measurable
 *    (step 1 is bounded by solving, a few sign-ups a second): GET
 *    /api/challenge alone (CPU per challenge issued), and POST with proofs
 *    already spent (CPU per proof checked: decoding, both HMACs, the spent
 *    set, without the database write a sign-up has anyway), beside GET
 *    /healthz (what any request costs).
 */
import type { Challenge } from 'altcha-lib';
import { fits, solveFast } from '../../src/web/powSha256.js';
import { HttpClient, type LoadResult, runHttpLoad } from '../lib/http.js';
import { finish, log, main, params, setLabel } from '../lib/loadgen.js';
import { CpuMeter, sleep } from '../lib/sys.js';

type Params = { concurrency: number; phaseMs: number; maxRequests: number };

main(async () => {
  const p = params<Params>();
  const http = new HttpClient(p.url, p.concurrency);
  const config = JSON.parse((await http.request({ method: 'GET', path: '/api/config' })).body) as { challenge?: string };
  const pow = config.challenge === 'pow';
  setLabel(`signup/${pow ? 'pow' : 'off'}`);

  const phase = async (name: string, load: Omit<Parameters<typeof runHttpLoad>[0], 'client' | 'concurrency' | 'durationMs' | 'maxRequests'>) => {
    const cpu = new CpuMeter([p.pid]);
    const started = performance.now();
    const result: LoadResult = await runHttpLoad({ client: http, concurrency: p.concurrency, durationMs: p.phaseMs, maxRequests: p.maxRequests, ...load });
    const seconds = (performance.now() - started) / 1000;
    const usage = cpu.stop();
    const perOkMs = (pct: number) => (result.ok ? Math.round(((pct / 100) * seconds * 1e6) / result.ok) / 1000 : NaN);
    log(`${name}: ${result.perSecond}/s, server ${usage.pids[0]}% of a core, generator ${usage.self}%${result.failed ? `, failed ${JSON.stringify(result.failures)}` : ''}`);
    await sleep(300);
    return { ...result, cpu: { target: usage.pids[0], generator: usage.self, others: usage.others }, serverMsEach: perOkMs(usage.pids[0]!), generatorMsEach: perOkMs(usage.self) };
  };
  const signUp = (i: number, proof?: string) => ({ method: 'POST', path: '/api/accounts', body: { nickname: `bench-${i}`, interests: [], adult: true, proof } });

  if (!pow) {
    const signUps = await phase('sign-ups', { next: (i) => signUp(i), ok: (reply) => reply.status === 201 });
    http.close();
    finish({ pow, signUps });
  }

  // 1. End to end, as a scripted client would do it.
  const solved: string[] = [];
  let solveMs = 0;
  const solveOne = async (): Promise<void> => {
    const reply = await http.request({ method: 'GET', path: '/api/challenge' });
    const challenge = JSON.parse(reply.body) as Challenge;
    if (!fits(challenge)) throw new Error('the server issued a challenge the fast solver does not fit');
    const started = performance.now();
    const solution = solveFast(challenge);
    solveMs += performance.now() - started;
    solved.push(Buffer.from(JSON.stringify({ challenge: { parameters: challenge.parameters, signature: challenge.signature }, solution })).toString('base64'));
  };
  const spent: string[] = [];
  const signUps = await phase('sign-ups with a solved challenge', {
    before: solveOne,
    next: (i) => {
      const proof = solved.pop()!;
      spent.push(proof);
      return signUp(i, proof);
    },
    ok: (reply) => reply.status === 201,
  });
  // 2. The server's cost of the gate alone, beside a bare request's (GET /healthz).
  const floor = await phase('GET /healthz', { next: () => ({ method: 'GET', path: '/healthz' }), ok: (reply) => reply.status === 200 });
  const challenges = await phase('GET /api/challenge', { next: () => ({ method: 'GET', path: '/api/challenge' }), ok: (reply) => reply.status === 200 });
  const checks = await phase('POST with a spent proof', {
    next: (i) => signUp(i, spent[i % spent.length]),
    ok: (reply) => reply.status === 400 && reply.body.includes('challenge_failed'),
  });
  http.close();
  finish({ pow, signUps, solveMsPerSignUp: signUps.ok ? Math.round((solveMs / signUps.ok) * 100) / 100 : NaN, floor, challenges, checks });
});

/**
 * The second generator of the `burst` scenario (started by burst.ts, not by
 * the orchestrator): sign-ups and sign-ins, alternately, as fast as the
 * server answers (closed loop, `concurrency` in flight) for `durationMs`.
 * A sign-in uses a recovery code from an earlier sign-up of this run.
 */
import { HttpClient, runHttpLoad } from '../lib/http.js';
import { finish, log, main, params, setLabel } from '../lib/loadgen.js';
import { CpuMeter } from '../lib/sys.js';

type Params = { url: string; concurrency: number; durationMs: number };

main(async () => {
  const p = params<Params>();
  setLabel('burst/sign-ups');
  const http = new HttpClient(p.url, p.concurrency);
  const codes: string[] = [];
  const ok = { signUps: 0, signIns: 0 };
  // Until a sign-up has answered there is no code to sign in with: sign up instead.
  const isSignIn = (i: number) => i % 2 === 1 && codes.length > 0;
  const kinds = new Map<number, 'signUp' | 'signIn'>();
  const cpu = new CpuMeter([]);
  log('started');
  const result = await runHttpLoad({
    client: http,
    concurrency: p.concurrency,
    durationMs: p.durationMs,
    maxRequests: 10_000_000,
    next: (i) => {
      if (isSignIn(i)) {
        kinds.set(i, 'signIn');
        return { method: 'POST', path: '/api/sessions', body: { recoveryCode: codes[(i * 7919) % codes.length]! } };
      }
      kinds.set(i, 'signUp');
      return { method: 'POST', path: '/api/accounts', body: { nickname: `burst-${i}`, interests: ['music', 'chess'], adult: true } };
    },
    ok: (reply, i) => {
      const kind = kinds.get(i);
      kinds.delete(i);
      if (kind === 'signUp' && reply.status === 201) {
        codes.push((JSON.parse(reply.body) as { recoveryCode: string }).recoveryCode);
        ok.signUps++;
        return true;
      }
      if (kind === 'signIn' && reply.status === 200) {
        ok.signIns++;
        return true;
      }
      return false;
    },
  });
  const usage = cpu.stop();
  http.close();
  const perSecond = (n: number) => Math.round(n / result.seconds);
  log(`${perSecond(ok.signUps)} sign-ups/s and ${perSecond(ok.signIns)} sign-ins/s over ${result.seconds} s${result.failed ? `, failed ${JSON.stringify(result.failures)}` : ''}`);
  finish({
    seconds: result.seconds,
    signUpsPerSecond: perSecond(ok.signUps),
    signInsPerSecond: perSecond(ok.signIns),
    failed: result.failed,
    failures: result.failures,
    latencyMs: result.latencyMs,
    cpu: usage.self,
  });
});

/**
 * Scenario "burst": does a burst of sign-ups and sign-ins slow the relay?
 * `pairs` matched pairs under the open-loop load of `latency`
 * (bench/lib/openLoop.ts) at `rate` msg/s, twice on the same server and the
 * same sockets: first alone ("quiet"), then while a second generator process
 * (burstSignups.ts) signs up and signs in as fast as the server answers.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeAll } from '../lib/clients.js';
import { finish, log, main, params, setLabel } from '../lib/loadgen.js';
import { OpenLoop, type OpenLoopTiming } from '../lib/openLoop.js';
import { openPairs } from '../lib/setup.js';
import { sleep } from '../lib/sys.js';

type Params = OpenLoopTiming & { pairs: number; rate: number; burstConcurrency: number };
export type BurstResult = {
  seconds: number;
  signUpsPerSecond: number;
  signInsPerSecond: number;
  failed: number;
  failures: Record<string, number>;
  latencyMs: unknown;
  cpu: number;
};

/** Starts burstSignups.ts; resolves `started` once it is sending, `result` with its result line. */
function startBurst(url: string, concurrency: number, durationMs: number): { pid: number; started: Promise<void>; result: Promise<BurstResult> } {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'burstSignups.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', file, JSON.stringify({ url, concurrency, durationMs })], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const started = new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      const text = d.toString();
      process.stderr.write(text);
      if (text.includes('started')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the sign-up generator exited with ${code} before starting`)));
  });
  const result = new Promise<BurstResult>((resolve, reject) => {
    child.once('exit', (code) => {
      try {
        const parsed = JSON.parse(stdout.trim().split('\n').pop() ?? '') as BurstResult & { error?: string };
        if (parsed.error) reject(new Error(`the sign-up generator failed: ${parsed.error}`));
        else resolve(parsed);
      } catch {
        reject(new Error(`the sign-up generator exited with ${code} and no result line`));
      }
    });
  });
  // Either may never be awaited when the other fails first.
  started.catch(() => {});
  result.catch(() => {});
  return { pid: child.pid!, started, result };
}

main(async () => {
  const p = params<Params>();
  setLabel(`burst/${p.target}`);
  const { clients, setup } = await openPairs(p, p.pairs);
  const load = new OpenLoop(clients, p, p.pid);
  log('without the burst');
  const quiet = await load.run(p.rate);
  await sleep(300);
  // The burst covers the whole run (warm-up and measured window) and ends before the drain.
  const burst = startBurst(p.url, p.burstConcurrency, p.warmupMs + p.measureMs + 200);
  await burst.started;
  log('during the burst');
  const during = await load.run(p.rate, [burst.pid]);
  const signUps = await burst.result;
  closeAll(clients);
  finish({ setup, pairs: p.pairs, rate: p.rate, quiet, during, burst: signUps, errors: load.errors });
});

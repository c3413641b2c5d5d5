/**
 * Scenario "latency": relay latency at fixed offered loads, open loop
 * (bench/lib/openLoop.ts): `pairs` matched pairs, one run per rate in `rates`
 * (messages/s, all sockets together), due time → receipt.
 */
import { closeAll } from '../lib/clients.js';
import { finish, main, params, setLabel } from '../lib/loadgen.js';
import { OpenLoop, type OpenLoopTiming } from '../lib/openLoop.js';
import { openPairs } from '../lib/setup.js';
import { sleep } from '../lib/sys.js';

type Params = OpenLoopTiming & { pairs: number; rates: number[] };

main(async () => {
  const p = params<Params>();
  setLabel(`latency/${p.target}`);
  const { clients, setup } = await openPairs(p, p.pairs);
  const load = new OpenLoop(clients, p, p.pid);
  const runs = [];
  for (const rate of p.rates) {
    runs.push(await load.run(rate));
    await sleep(300);
  }
  closeAll(clients);
  finish({ setup, pairs: p.pairs, textBytes: p.textBytes, warmupMs: p.warmupMs, measureMs: p.measureMs, runs, errors: load.errors });
});

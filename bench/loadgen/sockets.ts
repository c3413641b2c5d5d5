/**
 * Scenario "sockets": how many authenticated idle sockets the target holds,
 * and what each costs it in resident memory.
 *
 * This process coordinates; it forks `workers` copies of itself, each
 * holding its share of the sockets, so every process stays well under the
 * open-file limit (20,000 here, not raisable). Steps:
 * 1. (server) sign up ⌈sockets/5⌉ accounts: a token serves at most 5 sockets;
 * 2. read the target's VmRSS, idle;
 * 3. workers open their sockets (each past `hello` → `ready`), timed;
 * 4. after a settle pause, VmRSS again: (after − before) / sockets held;
 * 5. at the limit: GET /healthz a few times, and a relay check (`pairs`
 *    pairs of held sockets find each other and exchange messages);
 * 6. workers close everything and exit.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Client, closeAll, loopbackAddresses, matchAll, openClients, type OpenResult } from '../lib/clients.js';
import { HttpClient, probeHealth } from '../lib/http.js';
import { finish, log, main, params, setLabel } from '../lib/loadgen.js';
import { tokensFor } from '../lib/setup.js';
import { round, rounded, summarize } from '../lib/stats.js';
import { CpuMeter, openFileLimit, openFiles, rssKiB, sleep } from '../lib/sys.js';

type Params = { sockets: number; workers: number; settleMs: number; relayPairs: number; relayMessages: number; openBudgetMs: number };

type ToWorker =
  | { type: 'open'; wsUrl: string; first: number; count: number; tokens: string[]; addresses: string[]; budgetMs: number }
  | { type: 'relay'; pairs: number; messages: number }
  | { type: 'exit' };

type Opened = Omit<OpenResult, 'clients'> & { fds: number; fdLimit: number };
type Relayed = { matched: number; expected: number; delivered: number; latencyMs: ReturnType<typeof summarize> };
type FromWorker = { type: 'opened'; result: Opened } | { type: 'relayed'; result: Relayed } | { type: 'progress'; opened: number };

const workerMode = process.env.BENCH_SOCKETS_WORKER === '1';

if (workerMode) worker();
else main(coordinator);

async function coordinator(): Promise<never> {
  const p = params<Params>();
  setLabel(`sockets/${p.target}`);
  const accounts = await tokensFor(p, p.sockets);
  await sleep(1000);
  const rssBefore = rssKiB(p.pid);
  log(`target VmRSS before: ${(rssBefore / 1024).toFixed(1)} MiB; opening ${p.sockets} sockets from ${p.workers} processes`);

  const addresses = loopbackAddresses(p.addressCount, p.addressBase);
  const per = Math.ceil(p.sockets / p.workers);
  const children: ChildProcess[] = [];
  const opened: Promise<Opened>[] = [];
  const progress = new Array<number>(p.workers).fill(0);
  let lastLogged = 0;
  const started = performance.now();
  const cpu = new CpuMeter([p.pid]);
  for (let w = 0; w < p.workers; w++) {
    const first = w * per;
    const count = Math.min(per, p.sockets - first);
    const child = fork(fileURLToPath(import.meta.url), [], {
      env: { ...process.env, BENCH_SOCKETS_WORKER: '1' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
    cpu.exclude.push(child.pid!);
    opened.push(
      new Promise<Opened>((resolve, reject) => {
        child.on('message', (m: FromWorker) => {
          if (m.type === 'opened') resolve(m.result);
          if (m.type === 'progress') {
            progress[w] = m.opened;
            const total = progress.reduce((a, b) => a + b, 0);
            if (total - lastLogged >= 5000) {
              lastLogged = total;
              log(`${total} open, ${((performance.now() - started) / 1000).toFixed(1)} s`);
            }
          }
        });
        child.once('exit', (code) => reject(new Error(`worker ${w} exited with ${code} before opening`)));
      }),
    );
    child.send({ type: 'open', wsUrl: p.wsUrl, first, count, tokens: accounts.tokens, addresses, budgetMs: p.openBudgetMs } satisfies ToWorker);
  }
  const results = await Promise.all(opened);
  const openSeconds = (performance.now() - started) / 1000;
  const openCpu = cpu.stop();
  const held = results.reduce((a, r) => a + r.opened, 0);
  const errors: Record<string, number> = {};
  for (const r of results) for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
  log(`${held}/${p.sockets} held after ${openSeconds.toFixed(1)} s${Object.keys(errors).length ? ` (failures: ${JSON.stringify(errors)})` : ''}`);

  await sleep(p.settleMs);
  const rssAfter = rssKiB(p.pid);
  const targetFds = openFiles(p.pid);
  const perSocketKiB = (rssAfter - rssBefore) / Math.max(1, held);
  log(`target VmRSS after: ${(rssAfter / 1024).toFixed(1)} MiB → ${perSocketKiB.toFixed(2)} KiB per socket; target fds ${targetFds}`);

  const http = new HttpClient(p.url, 1);
  const health = await probeHealth(http, 20);
  http.close();
  log(`/healthz at the limit: ${health.ok}/${health.of} ok, p50 ${health.latencyMs.p50} ms`);

  const relay = await new Promise<Relayed>((resolve, reject) => {
    const child = children[0]!;
    const timer = setTimeout(() => reject(new Error('relay check timed out')), 30_000);
    child.on('message', (m: FromWorker) => {
      if (m.type === 'relayed') {
        clearTimeout(timer);
        resolve(m.result);
      }
    });
    child.send({ type: 'relay', pairs: p.relayPairs, messages: p.relayMessages } satisfies ToWorker);
  });
  log(`relay at the limit: ${relay.matched} sockets matched, ${relay.delivered}/${relay.expected} delivered, p50 ${relay.latencyMs.p50} ms`);

  const closing = Date.now();
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.send({ type: 'exit' } satisfies ToWorker);
          setTimeout(() => {
            child.kill('SIGKILL');
            resolve();
          }, 10_000).unref();
        }),
    ),
  );
  log(`workers closed their sockets in ${((Date.now() - closing) / 1000).toFixed(1)} s`);

  return finish({
    sockets: p.sockets,
    held,
    workers: p.workers,
    accounts: accounts.setup,
    open: {
      seconds: round(openSeconds, 3),
      perSecond: Math.round(held / openSeconds),
      errors,
      emfile: results.some((r) => r.emfile),
      readyMsP99: Math.max(...results.map((r) => r.readyMs.p99)),
      targetCpu: openCpu.pids[0],
      othersCpu: openCpu.others,
      workerFds: results.map((r) => r.fds),
      workerFdLimit: results[0]?.fdLimit,
    },
    rssKiB: { before: rssBefore, after: rssAfter },
    perSocketKiB: round(perSocketKiB, 2),
    targetFds,
    targetFdLimit: openFileLimit(p.pid),
    health,
    relay,
  });
}

function worker(): void {
  let clients: Client[] = [];
  const send = (m: FromWorker) => process.send?.(m);
  // The coordinator is gone: drop everything.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (m: ToWorker) => {
    if (m.type === 'open') {
      void openClients({
        url: m.wsUrl,
        count: m.count,
        firstIndex: m.first,
        tokenOf: (i) => (m.tokens.length ? m.tokens[i % m.tokens.length]! : 'baseline'),
        localAddresses: m.addresses,
        concurrency: 200,
        budgetMs: m.budgetMs,
        progress: (opened) => send({ type: 'progress', opened }),
      }).then(({ clients: all, ...result }) => {
        clients = all;
        send({ type: 'opened', result: { ...result, fds: openFiles(process.pid), fdLimit: openFileLimit() } });
      });
    } else if (m.type === 'relay') {
      void relayCheck(clients.slice(0, m.pairs * 2), m.messages).then((result) => send({ type: 'relayed', result }));
    } else if (m.type === 'exit') {
      closeAll(clients);
      setTimeout(() => process.exit(0), 200);
    }
  });
}

/** Pairs of held sockets find each other, then each sends `messages` messages, one at a time. */
async function relayCheck(clients: Client[], messages: number): Promise<Relayed> {
  const match = await matchAll(clients, 10_000);
  const ready = clients.filter((c) => c.chatId !== undefined);
  const latencies: number[] = [];
  let delivered = 0;
  await new Promise<void>((resolve) => {
    let pending = ready.length;
    const timer = setTimeout(resolve, 10_000);
    if (pending === 0) resolve();
    for (const c of ready) {
      let sent = 0;
      const next = () => {
        if (sent === messages) {
          if (--pending === 0) {
            clearTimeout(timer);
            setTimeout(resolve, 200); // let the last deliveries land
          }
          return;
        }
        sent++;
        c.send({ type: 'send', chatId: c.chatId!, id: String(sent), text: `${performance.now()}|check` });
      };
      c.onFrame = (frame) => {
        if (frame.type === 'sent') next();
        else if (frame.type === 'message') {
          delivered++;
          latencies.push(performance.now() - Number(String(frame.text).split('|', 1)[0]));
        }
      };
      next();
    }
  });
  return { matched: match.matched, expected: ready.length * messages, delivered, latencyMs: rounded(summarize(latencies)) };
}

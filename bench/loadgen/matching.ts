/**
 * Scenario "matching": `accounts` accounts, each with 3–5 interests drawn
 * from a Zipf-like distribution over `topics` topics (seeded: every run draws
 * the same), each on its own socket past `hello`/`ready`. Then all of them
 * send `find {}` in one burst (as fast as the generator can; it reports how
 * long the burst took, which must stay under a second), and the generator
 * records when each socket gets `matched` and with whom (by chat id).
 *
 * Figures: pairs/s up to the moment 99 % of the sockets are paired, the
 * time until 50 / 99 / 100 % are paired, each socket's wait, and the mean
 * number of shared interests per pair, beside a random pairing of the same
 * accounts (the average over `randomRounds` shuffles).
 */
import { closeAll, loopbackAddresses, openClients } from '../lib/clients.js';
import { finish, log, main, params, setLabel } from '../lib/loadgen.js';
import { tokensFor } from '../lib/setup.js';
import { percentile, rng, round, rounded, shuffle, summarize, zipfSampler } from '../lib/stats.js';
import { CpuMeter, sleep } from '../lib/sys.js';

type Params = {
  accounts: number;
  topics: number;
  zipfS: number;
  minInterests: number;
  maxInterests: number;
  seed: number;
  /** Finds sent per event-loop turn during the burst. */
  burstChunk: number;
  /** Wait for stragglers at most this long after the burst. */
  waitMs: number;
  randomRounds: number;
};

function drawInterests(p: Params): string[][] {
  const random = rng(p.seed);
  const topic = zipfSampler(p.topics, p.zipfS, random);
  return Array.from({ length: p.accounts }, () => {
    const want = p.minInterests + Math.floor(random() * (p.maxInterests - p.minInterests + 1));
    const set = new Set<string>();
    while (set.size < want) set.add(`topic-${topic() + 1}`);
    return [...set];
  });
}

function shared(a: string[], b: string[]): number {
  let n = 0;
  for (const x of a) if (b.includes(x)) n++;
  return n;
}

main(async () => {
  const p = params<Params>();
  setLabel(`matching/${p.target}`);
  const interests = drawInterests(p);
  const tokens = await tokensFor(p, p.accounts, (i) => interests[i]!, 1);
  const opened = await openClients({
    url: p.wsUrl,
    count: p.accounts,
    tokenOf: tokens.tokenOf,
    localAddresses: loopbackAddresses(p.addressCount, p.addressBase),
    concurrency: 200,
  });
  const { clients, ...open } = opened;
  log(`${open.opened}/${p.accounts} sockets ready in ${open.seconds.toFixed(1)} s`);
  if (open.opened < p.accounts) throw new Error(`only ${open.opened} of ${p.accounts} sockets opened: ${JSON.stringify(open.errors)}`);
  await sleep(500);

  const findAt = new Float64Array(p.accounts);
  const matchedAt = new Float64Array(p.accounts).fill(NaN);
  const chats = new Map<string, number[]>();
  const matchTimes: number[] = [];
  const errors: Record<string, number> = {};
  let matched = 0;
  let allMatched: () => void = () => {};
  const done = new Promise<void>((resolve) => (allMatched = resolve));
  for (const c of clients) {
    c.onFrame = (frame) => {
      if (frame.type === 'matched') {
        const now = performance.now();
        const id = (frame.chat as { id: string }).id;
        matchedAt[c.index] = now;
        matchTimes.push(now);
        const members = chats.get(id);
        if (members) members.push(c.index);
        else chats.set(id, [c.index]);
        if (++matched === clients.length) allMatched();
      } else if (frame.type === 'error') {
        errors[String(frame.code)] = (errors[String(frame.code)] ?? 0) + 1;
      }
    };
  }

  // The join: every socket sends `find` in a shuffled order, in one burst.
  const order = shuffle(
    clients.map((_, i) => i),
    rng(p.seed + 1),
  );
  const cpu = new CpuMeter([p.pid]);
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    let k = 0;
    const chunk = () => {
      const end = Math.min(order.length, k + p.burstChunk);
      for (; k < end; k++) {
        const c = clients[order[k]!]!;
        findAt[c.index] = performance.now();
        c.sendRaw('{"type":"find"}');
      }
      if (k < order.length) setImmediate(chunk);
      else resolve();
    };
    chunk();
  });
  const burstMs = performance.now() - t0;
  log(`${clients.length} finds sent in ${Math.round(burstMs)} ms; waiting for pairs (at most ${p.waitMs} ms)`);
  await Promise.race([done, sleep(p.waitMs)]);
  const usage = cpu.stop();

  // Times are from the first find.
  const sortedTimes = Float64Array.from(matchTimes.map((t) => t - t0)).sort();
  const t50 = percentile(sortedTimes, 0.5);
  const need99 = Math.ceil(0.99 * clients.length);
  const t99 = sortedTimes.length >= need99 ? sortedTimes[need99 - 1]! : NaN;
  const t100 = sortedTimes.length === clients.length ? sortedTimes[sortedTimes.length - 1]! : NaN;
  const waits: number[] = [];
  for (let i = 0; i < clients.length; i++) if (!Number.isNaN(matchedAt[i]!)) waits.push(matchedAt[i]! - findAt[i]!);

  let pairs = 0;
  let sharedTotal = 0;
  let withShared = 0;
  let oddChats = 0;
  for (const members of chats.values()) {
    if (members.length !== 2) {
      oddChats++;
      continue;
    }
    const s = shared(interests[members[0]!]!, interests[members[1]!]!);
    pairs++;
    sharedTotal += s;
    if (s > 0) withShared++;
  }
  const random = rng(p.seed + 2);
  let randomShared = 0;
  let randomWithShared = 0;
  let randomPairs = 0;
  for (let r = 0; r < p.randomRounds; r++) {
    const perm = shuffle(
      interests.map((_, i) => i),
      random,
    );
    for (let i = 0; i + 1 < perm.length; i += 2) {
      const s = shared(interests[perm[i]!]!, interests[perm[i + 1]!]!);
      randomShared += s;
      if (s > 0) randomWithShared++;
      randomPairs++;
    }
  }
  const pairsPerSecond = Number.isNaN(t99) ? (pairs / (performance.now() - t0)) * 1000 : (need99 / 2 / t99) * 1000;
  log(
    `${pairs} pairs; 99% paired at ${round(t99, 0)} ms → ${Math.round(pairsPerSecond)} pairs/s; ` +
      `shared interests per pair ${round(sharedTotal / Math.max(1, pairs), 2)} (random ${round(randomShared / randomPairs, 2)})`,
  );
  closeAll(clients);

  finish({
    accounts: p.accounts,
    topics: p.topics,
    zipfS: p.zipfS,
    interestsPerAccount: [p.minInterests, p.maxInterests],
    setup: { accounts: tokens.setup, open },
    burstMs: round(burstMs, 1),
    pairs,
    unpaired: clients.length - matched,
    oddChats,
    pairsPerSecond: Math.round(pairsPerSecond),
    pairedMs: { p50: round(t50, 1), p99: round(t99, 1), all: round(t100, 1) },
    waitMs: rounded(summarize(waits), 1),
    sharedPerPair: round(sharedTotal / Math.max(1, pairs), 3),
    pairsWithShared: round(withShared / Math.max(1, pairs), 3),
    random: { sharedPerPair: round(randomShared / randomPairs, 3), pairsWithShared: round(randomWithShared / randomPairs, 3), rounds: p.randomRounds },
    cpu: { target: usage.pids[0], generator: usage.self, others: usage.others },
    errors,
  });
});

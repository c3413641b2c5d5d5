/**
 * Scenario "cluster": two nodes on one Redis (METSONY also on one
 * PostgreSQL), against the Socket.IO + redis-adapter baseline
 * (bench/baseline-socketio.ts) in the same shape.
 *
 * For each placement, `split` (the two people of every pair on different
 * nodes) then `single` (every socket on node 1: the same processes, no
 * message crossing Redis, for the cross-node cost):
 * `pairs` pairs are opened and paired, then a closed loop (throughput, as
 * the `relay` scenario) and an open loop at each rate (latency, as the
 * `latency` scenario). Then matching: `searchers` sockets (split: alternately
 * on both nodes) send `find` in one burst; pairs/s until 99 % are paired.
 * METSONY's searchers carry Zipf-drawn interests (as the `matching`
 * scenario); the baseline pairs first come, first served, with no interests.
 */
import { type Client, loopbackAddresses, openClients } from '../lib/clients.js';
import { finish, log, main, params, setLabel } from '../lib/loadgen.js';
import { metsonyPeer, openSioClients, type RelayPeer, type SioClient } from '../lib/peers.js';
import { closedLoop, openLoop } from '../lib/relayLoad.js';
import { type Tokens, tokensFor } from '../lib/setup.js';
import { rng, round, rounded, shuffle, summarize, zipfSampler } from '../lib/stats.js';
import { CpuMeter, sleep } from '../lib/sys.js';

export type ClusterNode = { url: string; wsUrl: string; pid: number };
type Params = {
  nodes: ClusterNode[];
  /** Every process of the target (nodes and Redis), for CPU. */
  pids: number[];
  pairs: number;
  placements: Array<'split' | 'single'>;
  window: number;
  warmupMs: number;
  durationMs: number;
  rates: number[];
  latencyWarmupMs: number;
  measureMs: number;
  drainMs: number;
  textBytes: number;
  searchers: number;
  topics: number;
  zipfS: number;
  seed: number;
  waitMs: number;
};

const p = params<Params>();
const isServer = p.target === 'server';
const addresses = loopbackAddresses(p.addressCount, p.addressBase);
const nodeOf = (i: number, placement: 'split' | 'single') => (placement === 'split' ? p.nodes[i % 2]! : p.nodes[0]!);

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}

/**
 * One account per socket, signed up once and used by every phase (an account searches
 * once however many tabs it has; the nodes run with no rematch cooldown and no grace).
 */
let accounts: Tokens | undefined;

/** METSONY sockets past `ready`, socket i on `urlOf(i)` with account i. */
async function openMetsony(count: number, urlOf: (i: number) => string): Promise<Client[]> {
  const tokens = accounts!;
  const byNode = new Map<string, number[]>();
  for (let i = 0; i < count; i++) byNode.set(urlOf(i), [...(byNode.get(urlOf(i)) ?? []), i]);
  const clients: Client[] = [];
  for (const [url, indexes] of byNode) {
    const opened = await openClients({ url, count: indexes.length, tokenOf: (n) => tokens.tokenOf(indexes[n]!), localAddresses: addresses, concurrency: 200, openTimeoutMs: 60_000 });
    if (opened.opened < indexes.length) throw new Error(`only ${opened.opened} of ${indexes.length} sockets opened on ${url}: ${JSON.stringify(opened.errors)}`);
    // openClients numbers its clients 0…; give them back their place in the whole set.
    for (const c of opened.clients) clients[indexes[c.index]!] = Object.assign(c, { index: indexes[c.index]! });
  }
  return clients;
}

function nextFrame(c: Client, type: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    c.onFrame = (frame) => {
      if (frame.type === type) resolve(frame);
      else if (frame.type === 'error') reject(new Error(`error frame ${String(frame.code)} while waiting for ${type}`));
    };
  });
}

function nextEvent(c: SioClient, name: string): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    c.onError = (code) => reject(new Error(`error ${code} while waiting for ${name}`));
    c.onEvent = (event, args) => {
      if (event === name) resolve(args);
    };
  });
}

/** Sockets 2k and 2k+1 become a pair. METSONY: `find` with an interest of their own, 50 pairs at a time. */
async function pairMetsony(clients: Client[], tag: string): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < clients.length / 2) {
      const k = next++;
      const [a, b] = [clients[2 * k]!, clients[2 * k + 1]!];
      const interests = [`pair-${tag}-${k}`];
      const searching = nextFrame(a, 'searching');
      a.send({ type: 'find', interests });
      await withTimeout(searching, 10_000, `pair ${k} searching`);
      const both = Promise.all([nextFrame(a, 'matched'), nextFrame(b, 'matched')]);
      b.send({ type: 'find', interests });
      const [ma, mb] = await withTimeout(both, 10_000, `pair ${k} matched`);
      const [ia, ib] = [(ma.chat as { id: string }).id, (mb.chat as { id: string }).id];
      if (ia !== ib) throw new Error(`pair ${k}: matched into different chats`);
      a.chatId = ia;
      b.chatId = ib;
    }
  };
  await Promise.all(Array.from({ length: 50 }, lane));
}

/** Baseline: first come, first served, so one pair at a time (2k waits, then 2k+1 takes it), then both join the room. */
async function pairSio(clients: SioClient[]): Promise<void> {
  for (let k = 0; k < clients.length / 2; k++) {
    const [a, b] = [clients[2 * k]!, clients[2 * k + 1]!];
    const searching = nextEvent(a, 'searching');
    a.emit('find');
    await withTimeout(searching, 10_000, `pair ${k} searching`);
    const both = Promise.all([nextEvent(a, 'matched'), nextEvent(b, 'matched')]);
    b.emit('find');
    const [[ra], [rb]] = await withTimeout(both, 10_000, `pair ${k} matched`);
    if (ra !== rb) throw new Error(`pair ${k}: matched into different rooms`);
    const joined = Promise.all([nextEvent(a, 'joined'), nextEvent(b, 'joined')]);
    a.emit('join', ra);
    b.emit('join', rb);
    await withTimeout(joined, 10_000, `pair ${k} joined`);
    a.setRoom(ra as string);
    b.setRoom(rb as string);
  }
}

async function relayPhase(placement: 'split' | 'single') {
  const count = p.pairs * 2;
  const t0 = performance.now();
  let peers: RelayPeer[];
  if (isServer) {
    const clients = await openMetsony(count, (i) => nodeOf(i, placement).wsUrl);
    await pairMetsony(clients, placement);
    peers = clients.map(metsonyPeer);
  } else {
    const opened = await openSioClients({ count, urlOf: (i) => nodeOf(i, placement).url, localAddresses: addresses });
    if (opened.clients.length < count) throw new Error(`only ${opened.clients.length} of ${count} Socket.IO clients opened: ${JSON.stringify(opened.errors)}`);
    await pairSio(opened.clients);
    peers = opened.clients;
  }
  const setupSeconds = round((performance.now() - t0) / 1000, 2);
  log(`${placement}: ${p.pairs} pairs open and paired in ${setupSeconds} s`);
  const throughput = await closedLoop(peers, { window: p.window, warmupMs: p.warmupMs, durationMs: p.durationMs, textBytes: p.textBytes, pids: p.pids });
  log(`${placement}: ${throughput.messagesPerSecond} msg/s delivered (closed loop, window ${p.window})`);
  await sleep(500);
  const runs = [];
  for (const rate of p.rates) {
    runs.push(await openLoop(peers, { rate, warmupMs: p.latencyWarmupMs, measureMs: p.measureMs, drainMs: p.drainMs, textBytes: p.textBytes, pids: p.pids }));
  }
  for (const peer of peers) peer.close();
  await sleep(1000);
  return { setupSeconds, throughput, runs };
}

function drawInterests(count: number): string[][] {
  const random = rng(p.seed);
  const topic = zipfSampler(p.topics, p.zipfS, random);
  return Array.from({ length: count }, () => {
    const want = 3 + Math.floor(random() * 3);
    const set = new Set<string>();
    while (set.size < want) set.add(`topic-${topic() + 1}`);
    return [...set];
  });
}

type Searcher = { index: number; find(): void; close(): void };

async function matchingPhase(placement: 'split' | 'single') {
  const count = p.searchers;
  const matchedAt = new Float64Array(count).fill(NaN);
  const chats = new Map<string, number[]>();
  let matched = 0;
  let allMatched: () => void = () => {};
  const done = new Promise<void>((resolve) => (allMatched = resolve));
  const errors: Record<string, number> = {};
  const onError = (code: string) => (errors[code] = (errors[code] ?? 0) + 1);
  const onMatched = (index: number, chat: string) => {
    matchedAt[index] = performance.now();
    chats.set(chat, [...(chats.get(chat) ?? []), index]);
    if (++matched === count) allMatched();
  };
  let searchers: Searcher[];
  if (isServer) {
    const interests = drawInterests(count);
    const clients = await openMetsony(count, (i) => nodeOf(i, placement).wsUrl);
    searchers = clients.map((c) => {
      c.onFrame = (frame) => {
        if (frame.type === 'matched') onMatched(c.index, (frame.chat as { id: string }).id);
        else if (frame.type === 'error') onError(String(frame.code));
      };
      const find = JSON.stringify({ type: 'find', interests: interests[c.index] });
      return { index: c.index, find: () => c.sendRaw(find), close: () => c.ws.terminate() };
    });
  } else {
    const opened = await openSioClients({ count, urlOf: (i) => nodeOf(i, placement).url, localAddresses: addresses });
    if (opened.clients.length < count) throw new Error(`only ${opened.clients.length} of ${count} Socket.IO clients opened`);
    searchers = opened.clients.map((c) => {
      c.onEvent = (name, args) => {
        if (name === 'matched') onMatched(c.index, args[0] as string);
      };
      c.onError = onError;
      return { index: c.index, find: () => c.emit('find'), close: () => c.close() };
    });
  }
  log(`${placement}: ${count} searchers ready; burst of finds`);
  await sleep(500);
  const order = shuffle(
    searchers.map((_, i) => i),
    rng(p.seed + 1),
  );
  const cpu = new CpuMeter(p.pids);
  const t0 = performance.now();
  for (let k = 0; k < order.length; k += 250) {
    for (const i of order.slice(k, k + 250)) searchers[i]!.find();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const burstMs = performance.now() - t0;
  await Promise.race([done, sleep(p.waitMs)]);
  const usage = cpu.stop();
  const times = Float64Array.from([...matchedAt].filter((t) => !Number.isNaN(t)).map((t) => t - t0)).sort();
  const need99 = Math.ceil(0.99 * count);
  const t99 = times.length >= need99 ? times[need99 - 1]! : NaN;
  let pairs = 0;
  let crossNode = 0;
  for (const members of chats.values()) {
    if (members.length !== 2) continue;
    pairs++;
    if (members[0]! % 2 !== members[1]! % 2) crossNode++;
  }
  const pairsPerSecond = Number.isNaN(t99) ? NaN : Math.round((need99 / 2 / t99) * 1000);
  log(`${placement}: ${pairs} pairs (${crossNode} across nodes)${Object.keys(errors).length ? `, errors ${JSON.stringify(errors)}` : ''}; 99% paired at ${round(t99, 0)} ms → ${pairsPerSecond} pairs/s`);
  for (const s of searchers) s.close();
  await sleep(1000);
  return {
    searchers: count,
    burstMs: round(burstMs, 1),
    pairs,
    crossNodePairs: placement === 'split' ? crossNode : 0,
    unpaired: count - matched,
    pairsPerSecond,
    pairedMs: { p50: round(times[Math.floor(times.length / 2)] ?? NaN, 1), p99: round(t99, 1) },
    waitMs: rounded(summarize(times), 1),
    cpu: { target: usage.pids.reduce((a, b) => a + b, 0), generator: usage.self, others: usage.others, perPid: usage.pids },
    errors,
  };
}

main(async () => {
  setLabel(`cluster/${p.target}`);
  // 10,000 sign-ups on PostgreSQL: minutes when other work shares the machine.
  if (isServer) accounts = await tokensFor(p, Math.max(p.searchers, p.pairs * 2), undefined, 1, 400_000);
  const relay: Record<string, Awaited<ReturnType<typeof relayPhase>>> = {};
  const matching: Record<string, Awaited<ReturnType<typeof matchingPhase>>> = {};
  // A phase that fails (e.g. sockets that cannot open on an overloaded machine) is reported; the others still run.
  const failed: Record<string, string> = {};
  const attempt = async <T>(name: string, phase: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await phase();
    } catch (err) {
      failed[name] = err instanceof Error ? err.message : String(err);
      log(`${name} failed: ${failed[name]}`);
      await sleep(2000);
      return undefined;
    }
  };
  for (const placement of p.placements) {
    const r = await attempt(`relay ${placement}`, () => relayPhase(placement));
    if (r) relay[placement] = r;
  }
  for (const placement of p.placements) {
    const m = await attempt(`matching ${placement}`, () => matchingPhase(placement));
    if (m) matching[placement] = m;
  }
  finish({ relay, matching, failed });
});

/**
 * Relay load over any `RelayPeer` (METSONY or the Socket.IO baseline):
 * a closed loop (each socket keeps `window` sends not yet acknowledged: the
 * throughput) and an open loop at a fixed offered rate (message k due at
 * start + k/rate whatever the replies do; the receiver takes now − due, so a
 * late send counts against the latency: no coordinated omission). These are
 * the `relay` and `latency` scenarios' loops, for several nodes.
 */
import { log } from './loadgen.js';
import type { RelayPeer } from './peers.js';
import { round, rounded, type Summary, summarize } from './stats.js';
import { CpuMeter, sleep } from './sys.js';

export type Cpu = { target: number | undefined; generator: number | undefined; others?: number };

/** CPU of several target processes (nodes, Redis) summed, as % of one core. */
function meter(pids: number[]): { stop(): Cpu & { perPid: number[] } } {
  const m = new CpuMeter(pids);
  return {
    stop: () => {
      const u = m.stop();
      return { target: u.pids.reduce((a, b) => a + b, 0), generator: u.self, others: u.others, perPid: u.pids };
    },
  };
}

export type ClosedLoopResult = { messagesPerSecond: number; rttMs: Summary; cpu: Cpu & { perPid: number[] }; undrained: number; errors: Record<string, number> };

export async function closedLoop(peers: RelayPeer[], o: { window: number; warmupMs: number; durationMs: number; textBytes: number; pids: number[] }): Promise<ClosedLoopResult> {
  const text = 'x'.repeat(o.textBytes);
  let sending = true;
  let measuring = false;
  let delivered = 0;
  let inflight = 0;
  const rtt: number[] = [];
  const errors: Record<string, number> = {};
  const starters: Array<() => void> = [];
  for (const peer of peers) {
    const sentAt: number[] = [];
    let head = 0;
    let seq = 0;
    const push = () => {
      while (sentAt.length - head < o.window) {
        sentAt.push(performance.now());
        peer.send(seq++, text);
        inflight++;
      }
    };
    peer.onSent = () => {
      const t = sentAt[head++]!;
      inflight--;
      if (head > 1024) {
        sentAt.splice(0, head);
        head = 0;
      }
      if (measuring) rtt.push(performance.now() - t);
      if (sending) push();
    };
    peer.onMessage = () => {
      if (measuring) delivered++;
    };
    peer.onError = (code) => (errors[code] = (errors[code] ?? 0) + 1);
    starters.push(push);
  }
  for (const start of starters) start();
  await sleep(o.warmupMs);
  const cpu = meter(o.pids);
  const t0 = performance.now();
  measuring = true;
  await sleep(o.durationMs);
  measuring = false;
  const seconds = (performance.now() - t0) / 1000;
  const usage = cpu.stop();
  sending = false;
  const drainDeadline = performance.now() + 3000;
  while (inflight > 0 && performance.now() < drainDeadline) await sleep(50);
  return { messagesPerSecond: Math.round(delivered / seconds), rttMs: rounded(summarize(rtt)), cpu: usage, undrained: inflight, errors };
}

export type OpenLoopResult = {
  offered: number;
  sentInWindow: number;
  received: number;
  lost: number;
  achievedPerSecond: number;
  latencyMs: Summary;
  maxSendLagMs: number;
  cpu: Cpu & { perPid: number[] };
  errors: Record<string, number>;
};

let runNumber = 0;

/** One open-loop run at `rate` msg/s over all peers (round-robin), `warmupMs` then `measureMs`, then up to `drainMs` for stragglers. */
export async function openLoop(peers: RelayPeer[], o: { rate: number; warmupMs: number; measureMs: number; drainMs: number; textBytes: number; pids: number[] }): Promise<OpenLoopResult> {
  const run = ++runNumber;
  const interval = 1000 / o.rate;
  const total = Math.round((o.rate * (o.warmupMs + o.measureMs)) / 1000);
  const windowFirst = Math.round((o.rate * o.warmupMs) / 1000);
  const samples: number[] = [];
  const errors: Record<string, number> = {};
  let received = 0;
  for (const peer of peers) {
    peer.onMessage = (text) => {
      const now = performance.now();
      const [r, index, dueText] = text.split('|', 3);
      const k = Number(index);
      if (Number(r) === run && k >= windowFirst && k < total) {
        samples.push(now - Number(dueText));
        received++;
      }
    };
    peer.onSent = () => {};
    peer.onError = (code) => (errors[code] = (errors[code] ?? 0) + 1);
  }
  const start = performance.now() + 5;
  let k = 0;
  let sentInWindow = 0;
  let maxLag = 0;
  const cpu = meter(o.pids);
  log(`offering ${o.rate} msg/s for ${(o.warmupMs + o.measureMs) / 1000} s (${o.warmupMs} ms warm-up)`);
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (k < total) {
        const due = start + k * interval;
        if (due > now) break;
        peers[k % peers.length]!.send(k, `${run}|${k}|${due.toFixed(3)}|`.padEnd(o.textBytes, 'x'));
        if (k >= windowFirst) sentInWindow++;
        if (now - due > maxLag) maxLag = now - due;
        k++;
      }
      if (k < total) setTimeout(tick, 1);
      else resolve();
    };
    setTimeout(tick, 5);
  });
  const usage = cpu.stop();
  const drainUntil = performance.now() + o.drainMs;
  while (received < sentInWindow && performance.now() < drainUntil) await sleep(20);
  const latency = rounded(summarize(samples));
  log(`${o.rate} msg/s: p50 ${round(latency.p50, 2)} ms, p99 ${round(latency.p99, 2)} ms, p99.9 ${round(latency.p999, 2)} ms; lost ${sentInWindow - received}`);
  await sleep(300);
  return {
    offered: o.rate,
    sentInWindow,
    received,
    lost: sentInWindow - received,
    achievedPerSecond: Math.round(received / (o.measureMs / 1000)),
    latencyMs: latency,
    maxSendLagMs: round(maxLag, 2),
    cpu: usage,
    errors,
  };
}

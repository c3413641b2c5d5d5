/**
 * Scenario "latency": relay latency at fixed offered loads, open loop.
 * `pairs` matched pairs; for each rate in `rates` (messages/s, all sockets
 * together), message k is due at start + k/rate and is sent by socket
 * k mod n whatever the replies do (no waiting for acks). The due time is in
 * the text (with k); the receiver takes now − due time, so a late send (a busy
 * generator or a server that pushes back) counts against the latency rather
 * than hiding it (no coordinated omission). Only messages due inside the
 * measured window count; those not delivered by the end of the drain are lost.
 */
import { closeAll } from '../lib/clients.js';
import { finish, log, main, params, setLabel } from '../lib/loadgen.js';
import { openPairs } from '../lib/setup.js';
import { round, rounded, summarize } from '../lib/stats.js';
import { CpuMeter, sleep } from '../lib/sys.js';

type Params = { pairs: number; rates: number[]; warmupMs: number; measureMs: number; drainMs: number; textBytes: number };

main(async () => {
  const p = params<Params>();
  setLabel(`latency/${p.target}`);
  const { clients, setup } = await openPairs(p, p.pairs);

  // Per-rate state, swapped between runs.
  let runNumber = 0;
  let windowFirst = 0;
  let windowLast = 0;
  let samples: number[] = [];
  let received = 0;
  const errors: Record<string, number> = {};
  for (const c of clients) {
    c.onFrame = (frame) => {
      if (frame.type === 'message') {
        const now = performance.now();
        const text = frame.text as string;
        const [run, index, dueText] = text.split('|', 3);
        const k = Number(index);
        const due = Number(dueText);
        if (Number(run) === runNumber && k >= windowFirst && k < windowLast) {
          samples.push(now - due);
          received++;
        }
      } else if (frame.type === 'error') {
        errors[String(frame.code)] = (errors[String(frame.code)] ?? 0) + 1;
      }
    };
  }
  const prefixes = clients.map((c) => `{"type":"send","chatId":"${c.chatId}","id":"`);

  const runs = [];
  for (const rate of p.rates) {
    runNumber++;
    samples = [];
    received = 0;
    const interval = 1000 / rate;
    const total = Math.round((rate * (p.warmupMs + p.measureMs)) / 1000);
    const start = performance.now() + 5;
    // Messages k in [windowFirst, windowLast) are due inside the measured window.
    windowFirst = Math.round((rate * p.warmupMs) / 1000);
    windowLast = total;
    let k = 0;
    let sentInWindow = 0;
    let maxLag = 0;
    // Over warm-up and measurement: reading /proc inside the send loop would delay sends.
    const cpu = new CpuMeter([p.pid]);
    log(`offering ${rate} msg/s for ${(p.warmupMs + p.measureMs) / 1000} s (${p.warmupMs} ms warm-up)`);
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        while (k < total) {
          const due = start + k * interval;
          if (due > now) break;
          const text = `${runNumber}|${k}|${due.toFixed(3)}|`;
          const i = k % clients.length;
          clients[i]!.sendRaw(`${prefixes[i]}${k}","text":"${text.padEnd(p.textBytes, 'x')}"}`);
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
    const drainUntil = performance.now() + p.drainMs;
    while (received < sentInWindow && performance.now() < drainUntil) await sleep(20);
    const latency = rounded(summarize(samples));
    log(`${rate} msg/s: p50 ${round(latency.p50, 2)} ms, p99 ${round(latency.p99, 2)} ms, p99.9 ${round(latency.p999, 2)} ms; lost ${sentInWindow - received}`);
    runs.push({
      offered: rate,
      sentInWindow,
      received,
      lost: sentInWindow - received,
      achievedPerSecond: Math.round(received / (p.measureMs / 1000)),
      latencyMs: latency,
      maxSendLagMs: round(maxLag, 2),
      cpu: { target: usage.pids[0], generator: usage.self, others: usage.others },
    });
    await sleep(300);
  }
  closeAll(clients);
  finish({ setup, pairs: p.pairs, textBytes: p.textBytes, warmupMs: p.warmupMs, measureMs: p.measureMs, runs, errors });
});

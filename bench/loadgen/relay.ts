/**
 * Scenario "relay": throughput of the live relay. `pairs` matched pairs; both
 * sockets of a pair send ~`textBytes`-byte messages, each keeping at most
 * `window` sends not yet acknowledged by `sent` (closed loop). After a
 * warm-up, counts the `message` frames delivered to partners for
 * `durationMs`, and the send → `sent` round trip.
 */
import { closeAll } from '../lib/clients.js';
import { finish, log, main, params, setLabel } from '../lib/loadgen.js';
import { openPairs } from '../lib/setup.js';
import { rounded, summarize } from '../lib/stats.js';
import { CpuMeter, sleep } from '../lib/sys.js';

type Params = { pairs: number; window: number; warmupMs: number; durationMs: number; textBytes: number };

main(async () => {
  const p = params<Params>();
  setLabel(`relay/${p.target}`);
  const { clients, setup } = await openPairs(p, p.pairs);
  const text = 'x'.repeat(p.textBytes);

  let sending = true;
  let measuring = false;
  let delivered = 0;
  let acked = 0;
  let sentCount = 0;
  let inflight = 0;
  const errors: Record<string, number> = {};
  const rtt: number[] = [];
  const starters: Array<() => void> = [];

  for (const c of clients) {
    const prefix = `{"type":"send","chatId":"${c.chatId}","id":"`;
    const suffix = `","text":"${text}"}`;
    const sentAt: number[] = [];
    let head = 0;
    let seq = 0;
    const push = () => {
      while (sentAt.length - head < p.window) {
        sentAt.push(performance.now());
        c.sendRaw(prefix + seq++ + suffix);
        inflight++;
        if (measuring) sentCount++;
      }
    };
    c.onFrame = (frame) => {
      switch (frame.type) {
        case 'sent': {
          const t = sentAt[head++]!;
          inflight--;
          if (head > 1024) {
            sentAt.splice(0, head);
            head = 0;
          }
          if (measuring) {
            acked++;
            rtt.push(performance.now() - t);
          }
          if (sending) push();
          break;
        }
        case 'message':
          if (measuring) delivered++;
          break;
        case 'error':
          errors[String(frame.code)] = (errors[String(frame.code)] ?? 0) + 1;
          break;
      }
    };
    starters.push(push);
  }

  log(`sending: window ${p.window} per socket, ${p.warmupMs} ms warm-up, ${p.durationMs} ms measured`);
  for (const start of starters) start();
  await sleep(p.warmupMs);
  const cpu = new CpuMeter([p.pid]);
  const t0 = performance.now();
  measuring = true;
  await sleep(p.durationMs);
  measuring = false;
  const seconds = (performance.now() - t0) / 1000;
  const usage = cpu.stop();
  sending = false;
  const drainDeadline = performance.now() + 3000;
  while (inflight > 0 && performance.now() < drainDeadline) await sleep(50);
  log(`${Math.round(delivered / seconds)} msg/s delivered; server CPU ${usage.pids[0]}%, generator CPU ${usage.self}%`);
  closeAll(clients);

  finish({
    setup,
    pairs: p.pairs,
    window: p.window,
    textBytes: p.textBytes,
    seconds: Math.round(seconds * 1000) / 1000,
    messagesPerSecond: Math.round(delivered / seconds),
    acksPerSecond: Math.round(acked / seconds),
    sendsPerSecond: Math.round(sentCount / seconds),
    rttMs: rounded(summarize(rtt)),
    undrained: inflight,
    cpu: { target: usage.pids[0], generator: usage.self, others: usage.others },
    errors,
  });
});

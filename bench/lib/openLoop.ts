/**
 * The open-loop relay load of the `latency` and `burst` scenarios, over
 * sockets already in chats: message k is due at start + k/rate and is sent by
 * socket k mod n whatever the replies do (no waiting for acks). The due time
 * is in the text (with the run number and k); the receiver takes now − due
 * time, so a late send (a busy generator or a server that pushes back) counts
 * against the latency rather than hiding it (no coordinated omission). Only
 * messages due inside the measured window count; those not delivered by the
 * end of the drain are lost.
 */
import type { Client, Frame } from './clients.js';
import { log } from './loadgen.js';
import { round, rounded, type Summary, summarize } from './stats.js';
import { CpuMeter, sleep } from './sys.js';

export type OpenLoopTiming = { warmupMs: number; measureMs: number; drainMs: number; textBytes: number };
export type Cpu = { target: number | undefined; generator: number | undefined; others: number };
export type OpenLoopRun = {
  offered: number;
  sentInWindow: number;
  received: number;
  lost: number;
  achievedPerSecond: number;
  latencyMs: Summary;
  maxSendLagMs: number;
  cpu: Cpu;
};

export class OpenLoop {
  private runNumber = 0;
  private windowFirst = 0;
  private windowLast = 0;
  private samples: number[] = [];
  private received = 0;
  private readonly prefixes: string[];
  readonly errors: Record<string, number> = {};

  constructor(
    private readonly clients: Client[],
    private readonly timing: OpenLoopTiming,
    /** The process under load, for its CPU time. */
    private readonly targetPid: number,
  ) {
    for (const c of clients) c.onFrame = (frame) => this.onFrame(frame);
    this.prefixes = clients.map((c) => `{"type":"send","chatId":"${c.chatId}","id":"`);
  }

  private onFrame(frame: Frame): void {
    if (frame.type === 'message') this.receive(frame.text as string);
    else if (frame.type === 'error') this.errors[String(frame.code)] = (this.errors[String(frame.code)] ?? 0) + 1;
  }

  private receive(text: string): void {
    const now = performance.now();
    const [run, index, dueText] = text.split('|', 3);
    const k = Number(index);
    if (Number(run) === this.runNumber && k >= this.windowFirst && k < this.windowLast) {
      this.samples.push(now - Number(dueText));
      this.received++;
    }
  }

  /**
   * One run at `rate` msg/s over every socket: warm-up, measured window, drain.
   * `others` are more processes of ours (e.g. a second generator): CPU not counted as background.
   */
  async run(rate: number, others: number[] = []): Promise<OpenLoopRun> {
    const { warmupMs, measureMs, drainMs, textBytes } = this.timing;
    this.runNumber++;
    this.samples = [];
    this.received = 0;
    const interval = 1000 / rate;
    const total = Math.round((rate * (warmupMs + measureMs)) / 1000);
    const start = performance.now() + 5;
    // Messages k in [windowFirst, windowLast) are due inside the measured window.
    this.windowFirst = Math.round((rate * warmupMs) / 1000);
    this.windowLast = total;
    let k = 0;
    let sentInWindow = 0;
    let maxLag = 0;
    // Over warm-up and measurement: reading /proc inside the send loop would delay sends.
    const cpu = new CpuMeter([this.targetPid], others);
    log(`offering ${rate} msg/s for ${(warmupMs + measureMs) / 1000} s (${warmupMs} ms warm-up)`);
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        while (k < total) {
          const due = start + k * interval;
          if (due > now) break;
          const text = `${this.runNumber}|${k}|${due.toFixed(3)}|`;
          const i = k % this.clients.length;
          this.clients[i]!.sendRaw(`${this.prefixes[i]}${k}","text":"${text.padEnd(textBytes, 'x')}"}`);
          if (k >= this.windowFirst) sentInWindow++;
          if (now - due > maxLag) maxLag = now - due;
          k++;
        }
        if (k < total) setTimeout(tick, 1);
        else resolve();
      };
      setTimeout(tick, 5);
    });
    const usage = cpu.stop();
    const drainUntil = performance.now() + drainMs;
    while (this.received < sentInWindow && performance.now() < drainUntil) await sleep(20);
    const latency = rounded(summarize(this.samples));
    log(`${rate} msg/s: p50 ${round(latency.p50, 2)} ms, p99 ${round(latency.p99, 2)} ms, p99.9 ${round(latency.p999, 2)} ms; lost ${sentInWindow - this.received}`);
    return {
      offered: rate,
      sentInWindow,
      received: this.received,
      lost: sentInWindow - this.received,
      achievedPerSecond: Math.round(this.received / (measureMs / 1000)),
      latencyMs: latency,
      maxSendLagMs: round(maxLag, 2),
      cpu: { target: usage.pids[0], generator: usage.self, others: usage.others },
    };
  }
}

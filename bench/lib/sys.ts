/** What the kernel says about a process: resident memory, CPU time, open files. Linux only (/proc). */
import fs from 'node:fs';

const CLK_TCK = 100; // USER_HZ on every Linux we run on (getconf CLK_TCK)

/** VmRSS of a process in KiB (from /proc/<pid>/status), or NaN if it is gone. */
export function rssKiB(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** User + system CPU time of a process, in seconds, or NaN if it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces: count fields after the closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return (utime + stime) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/** Number of open file descriptors of a process. */
export function openFiles(pid: number): number {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return NaN;
  }
}

/** The soft limit on open files of a process. */
export function openFileLimit(pid: number = process.pid): number {
  try {
    const limits = fs.readFileSync(`/proc/${pid}/limits`, 'utf8');
    const m = /^Max open files\s+(\d+)/m.exec(limits);
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** CPU seconds of every user-space process now (kernel threads left out), by pid. */
export function allProcessesCpu(): Map<number, number> {
  const out = new Map<number, number>();
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      const pid = Number(name);
      if (pid === 2 || ppid === 2) continue; // kthreadd and its kernel threads (softirq work of our own traffic lands there)
      out.set(pid, (Number(fields[11]) + Number(fields[12])) / CLK_TCK);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * Measures the CPU used over an interval, as a percentage of one core: by
 * some processes (the target), by this process, and by every other
 * user-space process on the machine except `exclude` (background load that
 * disturbs the figures: a test run, a build…).
 */
export class CpuMeter {
  private readonly start: { wall: number; cpu: number[]; self: NodeJS.CpuUsage; all: Map<number, number> };

  constructor(
    private readonly pids: number[],
    /** Our own helper processes (e.g. generator workers): not background load. */
    readonly exclude: number[] = [],
  ) {
    this.start = { wall: performance.now(), cpu: pids.map(cpuSeconds), self: process.cpuUsage(), all: allProcessesCpu() };
  }

  /** CPU % of one core for each pid, for this process, and for everything else. */
  stop(): { pids: number[]; self: number; others: number } {
    const all = allProcessesCpu();
    const seconds = (performance.now() - this.start.wall) / 1000;
    const pct = (used: number) => Math.round((100 * used) / seconds);
    const self = process.cpuUsage(this.start.self);
    const mine = new Set([process.pid, process.ppid, ...this.pids, ...this.exclude]);
    let others = 0;
    for (const [pid, cpu] of all) if (!mine.has(pid)) others += Math.max(0, cpu - (this.start.all.get(pid) ?? 0));
    return {
      pids: this.pids.map((pid, i) => pct(cpuSeconds(pid) - this.start.cpu[i]!)),
      self: pct((self.user + self.system) / 1e6),
      others: pct(others),
    };
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The network each report came from, in memory only (never stored): per
 * reported account, the reporters' network keys (ipKeys.ts: HMACs of the IPv4
 * /24 or IPv6 /48, under this and the previous rotation's secret) for as long
 * as the report window. Lost on restart and per node; a reporter whose
 * network is unknown counts as a network of its own.
 */
type Entry = { reporterId: string; networks: string[]; at: number };

export class ReportNetworks {
  private readonly byReported = new Map<string, Entry[]>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  add(reportedId: string, reporterId: string, networks: string[]): void {
    const entries = this.fresh(reportedId);
    entries.push({ reporterId, networks, at: this.now() });
    this.byReported.set(reportedId, entries);
  }

  /** Every network key seen for this reporter against this account within the window. */
  networksOf(reportedId: string, reporterId: string): string[] {
    return this.fresh(reportedId).flatMap((e) => (e.reporterId === reporterId ? e.networks : []));
  }

  forget(reportedId: string): void {
    this.byReported.delete(reportedId);
  }

  /** Drops everything older than the window. */
  sweep(): void {
    for (const id of [...this.byReported.keys()]) {
      const entries = this.fresh(id);
      if (entries.length === 0) this.byReported.delete(id);
      else this.byReported.set(id, entries);
    }
  }

  private fresh(reportedId: string): Entry[] {
    const since = this.now() - this.windowMs;
    return (this.byReported.get(reportedId) ?? []).filter((e) => e.at >= since);
  }
}

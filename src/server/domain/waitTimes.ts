/**
 * How long people searched before they were matched with a person, as the
 * cumulative buckets of a Prometheus histogram, kept as plain numbers (a
 * match costs a loop over a dozen bounds; /metrics reads them when scraped).
 */
export const WAIT_BOUNDS_SECONDS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300] as const;

export class WaitTimes {
  /** Per bound of WAIT_BOUNDS_SECONDS: how many waits were at most that long. */
  readonly atMost: number[] = WAIT_BOUNDS_SECONDS.map(() => 0);
  count = 0;
  sumSeconds = 0;

  observe(ms: number): void {
    const seconds = Math.max(0, ms) / 1000;
    this.count++;
    this.sumSeconds += seconds;
    for (let i = 0; i < WAIT_BOUNDS_SECONDS.length; i++) if (seconds <= WAIT_BOUNDS_SECONDS[i]!) this.atMost[i]!++;
  }
}

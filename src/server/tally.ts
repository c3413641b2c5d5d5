/**
 * Counts by a short label from a closed set (an error code, a limit name), as
 * plain numbers that /metrics reads when scraped: the paths that count pay a
 * Map update, nothing more. Never a label from user input.
 */
export class Tally {
  private readonly counts = new Map<string, number>();

  add(label: string): void {
    this.counts.set(label, (this.counts.get(label) ?? 0) + 1);
  }

  entries(): IterableIterator<[string, number]> {
    return this.counts.entries();
  }
}

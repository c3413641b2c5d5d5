/** A queue clock that moves only when a test moves it (searchQueue.ts's QueueClock). */
import type { QueueClock } from '../../src/server/domain/searchQueue.js';

export class FakeClock implements QueueClock {
  private tasks: Array<{ at: number; task: () => void }> = [];

  constructor(private time = 1_000_000) {}

  now(): number {
    return this.time;
  }

  after(ms: number, task: () => void): () => void {
    const entry = { at: this.time + ms, task };
    this.tasks.push(entry);
    return () => {
      this.tasks = this.tasks.filter((t) => t !== entry);
    };
  }

  /** Moves time on by `ms`, running each task that falls due, in time order, at its own time. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.tasks.filter((t) => t.at <= end).sort((x, y) => x.at - y.at)[0];
      if (!due) break;
      this.tasks = this.tasks.filter((t) => t !== due);
      this.time = Math.max(this.time, due.at);
      due.task();
    }
    this.time = end;
  }
}

/**
 * Presence updates (online/offline to connections) that fail because the
 * database or Redis is away: one `warn` line when the first fails, one `info`
 * line with the outage's length and how many were lost once one succeeds
 * again, instead of a line per socket that closes meanwhile.
 */
import type { Logger } from 'pino';

export class PresenceFailures {
  private failingSince: number | undefined;
  private lost = 0;

  constructor(
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  failed(err: unknown): void {
    this.lost++;
    if (this.failingSince !== undefined) return;
    this.failingSince = this.now();
    this.log.warn({ err }, 'presence updates failing; later failures are counted, not logged, until one succeeds');
  }

  succeeded(): void {
    if (this.failingSince === undefined) return;
    this.log.info({ outageMs: this.now() - this.failingSince, lost: this.lost }, 'presence updates back');
    this.failingSince = undefined;
    this.lost = 0;
  }
}

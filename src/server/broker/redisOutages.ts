/**
 * Watches every Redis connection of the node as one link: one `warn` line when
 * the first of them drops, one `info` line with the outage's length once all
 * are back, whatever ioredis does in between (it reconnects by itself and
 * would otherwise print every failed attempt as an unhandled error). Once all
 * are back it runs the recovery steps (presence, queue, chats); the node is
 * ready again only when they succeeded.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** How soon failed recovery steps run again while Redis stays connected. */
const RECOVERY_RETRY_MS = 1000;

export class RedisOutages {
  private readonly clients: Redis[] = [];
  private readonly down = new Set<Redis>();
  private lostAt = 0;
  private stopped = false;
  private readonly recoverySteps: Array<() => Promise<void>> = [];
  /** Recovery steps are running (or failed and wait for the next reconnection). */
  private recovering = false;

  constructor(
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  watch(client: Redis): void {
    this.clients.push(client);
    client.on('error', () => {});
    client.on('close', () => this.lost(client));
    client.on('ready', () => this.back(client));
  }

  /** Every watched connection is up and recovered from the last outage. */
  get ready(): boolean {
    return !this.recovering && this.clients.every((c) => c.status === 'ready');
  }

  /** A step to run each time Redis is back after an outage. */
  onRecovery(step: () => Promise<void>): void {
    this.recoverySteps.push(step);
  }

  /** Before the node closes its connections on purpose: that is no outage. */
  stop(): void {
    this.stopped = true;
  }

  private lost(client: Redis): void {
    if (this.stopped || this.down.has(client)) return;
    this.down.add(client);
    if (this.down.size > 1) return;
    this.lostAt = this.now();
    this.log.warn('redis connection lost');
  }

  private back(client: Redis): void {
    if (!this.down.delete(client) || this.down.size > 0 || this.stopped) return;
    this.log.info({ outageMs: this.now() - this.lostAt }, 'redis connection back');
    void this.recover();
  }

  private async recover(): Promise<void> {
    this.recovering = true;
    try {
      for (const step of this.recoverySteps) await step();
      this.recovering = false;
    } catch (err) {
      // Redis failed again meanwhile: its return runs the steps again; a step that failed otherwise is retried shortly.
      this.log.warn({ err }, 'recovery after the redis outage failed; retrying');
      if (this.stopped || this.down.size > 0) return;
      setTimeout(() => void (this.down.size === 0 && !this.stopped && this.recover()), RECOVERY_RETRY_MS).unref();
    }
  }
}

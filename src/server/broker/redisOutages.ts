/**
 * Watches every Redis connection of the node as one link: one `warn` line when
 * the first of them drops, one `info` line with the outage's length once all
 * are back, whatever ioredis does in between (it reconnects by itself and
 * would otherwise print every failed attempt as an unhandled error).
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export class RedisOutages {
  private readonly clients: Redis[] = [];
  private readonly down = new Set<Redis>();
  private lostAt = 0;
  private stopped = false;

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

  /** Every watched connection is up. */
  get ready(): boolean {
    return this.clients.every((c) => c.status === 'ready');
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
  }
}

/**
 * The search queue shared by several nodes (REDIS_URL): the policy of
 * domain/searchQueue.ts as atomic Lua scripts over Redis
 * (sharedQueueScripts.ts), so a person is claimed by one node at most. This
 * node keeps its own searchers (and their widening) here; a claim of someone
 * on another node is offered to that node, which says yes only while its
 * person still searches (then both nodes start their side of the chat).
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { newId } from '../domain/secrets.js';
import { commonInterests, type QueueClock, type SearchEvents, type SearchQueue, type Seeker, systemClock } from '../domain/searchQueue.js';
import type { NodeBus } from './nodeBus.js';
import type { QueueEntry } from './nodeMessages.js';
import { FIND, KEEP_APART, PUT, REMOVE, RETRY } from './sharedQueueScripts.js';

const PREFIX = 'metsony:mq:';
/** How many candidates one search looks at, per interest and in the wait-ordered pools. */
const SCAN_LIMIT = 200;
/** A queue entry whose node never refreshes it disappears after this long (a crashed node's searchers). */
const ENTRY_TTL_MS = 10 * 60_000;
/** Claims of a partner who turned out to be gone, before this search just waits in the queue. */
const MAX_ATTEMPTS = 5;
/** A kept-apart pair's key outlives its cooldown by this much (nodes' clocks may differ a little). */
const APART_SLACK_MS = 60_000;

/** A seeker of this node: its entry, its widening, and its claims one after another. */
type Search = { seeker: Seeker; entry: QueueEntry; cancelWiden: (() => void) | undefined; work: Promise<void> };

/** What the cluster does with a match across two nodes: this node's seeker and the other's entry are now in chat `chatId`. */
export type AcrossNodes = (seeker: Seeker, chatId: string, partner: QueueEntry, common: string[]) => void;

export type RedisQueueOptions = { widenAfterMs: number; clock?: QueueClock; prefix?: string };

export function toSeeker(e: QueueEntry): Seeker {
  return {
    key: e.key,
    accountId: e.account,
    nickname: e.nickname,
    interests: new Set(e.interests),
    near: e.near,
    country: e.country || undefined,
    since: e.since,
    blocked: new Set(e.blocked),
  };
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

const shas = new Map<string, string>();
function scriptSha(script: string): string {
  let sha = shas.get(script);
  if (!sha) shas.set(script, (sha = createHash('sha1').update(script).digest('hex')));
  return sha;
}

/** An entry as the scripts give it back (cjson writes an empty list as `{}`). */
function parseEntry(raw: string): QueueEntry {
  const e = JSON.parse(raw) as QueueEntry;
  return { ...e, interests: list(e.interests), blocked: list(e.blocked) };
}

export class RedisSearchQueue implements SearchQueue {
  private readonly searches = new Map<string, Search>();
  private readonly pending = new Set<Promise<void>>();
  private readonly cooldowns = new Set<() => void>();
  private readonly client: Redis;
  private readonly clock: QueueClock;
  private readonly prefix: string;
  private readonly widenAfterMs: number;

  constructor(
    private readonly bus: NodeBus,
    options: RedisQueueOptions,
    private readonly events: SearchEvents,
    private readonly across: AcrossNodes,
  ) {
    this.client = bus.client;
    this.clock = options.clock ?? systemClock;
    this.prefix = options.prefix ?? PREFIX;
    this.widenAfterMs = options.widenAfterMs;
    bus.handle('offer', (offer) => {
      // Yes only while our person still searches: then the chat starts here, and on the asking node once it hears yes.
      const search = this.searches.get(offer.to);
      if (!search) return false;
      this.forget(search);
      this.across(search.seeker, offer.chatId, offer.from, offer.common);
      return true;
    });
  }

  get size(): number {
    return this.searches.size;
  }

  add(seeker: Seeker): void {
    if (this.searches.has(seeker.key)) return;
    const entry: QueueEntry = {
      key: seeker.key,
      node: this.bus.nodeId,
      account: seeker.accountId,
      nickname: seeker.nickname,
      interests: [...seeker.interests],
      country: seeker.country ?? '',
      near: seeker.near,
      blocked: [...seeker.blocked],
      since: seeker.since,
      wide: seeker.interests.size === 0,
    };
    const search: Search = { seeker, entry, cancelWiden: undefined, work: Promise.resolve() };
    this.searches.set(seeker.key, search);
    if (!entry.wide) {
      search.cancelWiden = this.clock.after(this.widenAfterMs, () => {
        search.cancelWiden = undefined;
        search.entry = { ...search.entry, wide: true };
        this.run(search, () => this.attempt(search, RETRY));
      });
    }
    this.run(search, () => this.attempt(search, FIND));
  }

  remove(key: string): void {
    const search = this.searches.get(key);
    if (!search) return;
    this.forget(search);
    // If someone claimed them meanwhile, their offer will find them no longer searching and be refused.
    void this.script(REMOVE, key).catch(() => undefined);
  }

  keepApart(a: string, b: string, ms: number): void {
    void this.script(KEEP_APART, a, b, this.clock.now() + ms, ms + APART_SLACK_MS).catch(() => undefined);
    // When the cooldown ends, the two may be the only ones waiting: this node's searchers look again.
    const cancel = this.clock.after(ms, () => {
      this.cooldowns.delete(cancel);
      for (const search of this.searches.values()) this.run(search, () => this.attempt(search, RETRY));
    });
    this.cooldowns.add(cancel);
  }

  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  clear(): void {
    for (const cancel of this.cooldowns) cancel();
    this.cooldowns.clear();
    for (const search of [...this.searches.values()]) this.remove(search.seeker.key);
  }

  /** Redis is back after an outage (its data may be gone): every searcher of this node goes back in the queue. */
  recover(): void {
    for (const search of this.searches.values()) this.run(search, () => this.attempt(search, FIND));
  }

  /** One claim at a time per seeker, and only while it still searches. */
  private run(search: Search, step: () => Promise<void>): void {
    const done = search.work.then(() => (this.searches.get(search.seeker.key) === search ? step() : undefined));
    search.work = done;
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
  }

  /** By its SHA1 (Redis keeps the compiled script); the text itself only when Redis does not have it (first use, or after a restart). */
  private async script(script: string, ...args: Array<string | number>): Promise<unknown> {
    try {
      return await this.client.evalsha(scriptSha(script), 0, this.prefix, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return this.client.eval(script, 0, this.prefix, ...args);
    }
  }

  private async attempt(search: Search, script: string, tries = 0): Promise<void> {
    let found: string | null;
    try {
      found = (await this.script(script, JSON.stringify(search.entry), SCAN_LIMIT, ENTRY_TTL_MS, this.clock.now())) as string | null;
    } catch {
      // Redis trouble: the person stays searching here; recovery (or a later widen) asks again.
      return;
    }
    if (this.searches.get(search.seeker.key) !== search) {
      // They left while we asked: give back whoever we claimed, and take them out of the queue.
      if (found && found !== 'gone') this.requeue(parseEntry(found));
      void this.script(REMOVE, search.entry.key).catch(() => undefined);
      return;
    }
    if (!found || found === 'gone') return; // waiting in the queue, or claimed by another node (its offer is on the way)
    if (await this.startWith(search, parseEntry(found))) return;
    if (this.searches.get(search.seeker.key) !== search) return;
    if (tries + 1 < MAX_ATTEMPTS) return this.attempt(search, FIND, tries + 1);
    await this.script(PUT, JSON.stringify(search.entry), 0, ENTRY_TTL_MS).catch(() => undefined);
  }

  private async startWith(search: Search, partner: QueueEntry): Promise<boolean> {
    const common = commonInterests(search.seeker, toSeeker(partner));
    if (partner.node === this.bus.nodeId) {
      const local = this.searches.get(partner.key);
      if (!local) return false;
      this.forget(local);
      this.forget(search);
      this.events.matched({ a: local.seeker, b: search.seeker, commonInterests: common });
      return true;
    }
    const chatId = newId();
    const accepted = await this.bus.ask(partner.node, { t: 'offer', chatId, to: partner.key, from: search.entry, common });
    if (!accepted) return false;
    if (this.searches.get(search.seeker.key) !== search) {
      // We left while they said yes: end it for them at once.
      this.bus.post(partner.node, { t: 'frame', to: partner.key, frame: { type: 'ended', chatId, reason: 'partner_disconnected' } });
      return true;
    }
    this.forget(search);
    this.across(search.seeker, chatId, partner, common);
    return true;
  }

  private forget(search: Search): void {
    search.cancelWiden?.();
    if (this.searches.get(search.seeker.key) === search) this.searches.delete(search.seeker.key);
  }

  /** Put back someone we claimed but cannot use (our person left meanwhile). */
  private requeue(entry: QueueEntry): void {
    if (entry.node !== this.bus.nodeId) {
      void this.script(PUT, JSON.stringify(entry), 0, ENTRY_TTL_MS).catch(() => undefined);
      return;
    }
    const local = this.searches.get(entry.key);
    if (local) this.run(local, () => this.attempt(local, FIND));
  }
}

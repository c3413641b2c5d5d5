/**
 * Who has pressed Connect in a chat. `ask` records one side and answers true
 * to exactly one caller: the one whose ask completes the pair (the other had
 * asked before). Memory for one node; Redis (atomic, cluster/redisAdapters.ts) when a chat spans nodes.
 */

/** Pending handshakes are forgotten after this long. */
export const HANDSHAKE_TTL_MS = 10 * 60_000;

export interface Handshakes {
  ask(chatId: string, accountId: string, partnerId: string): Promise<boolean>;
}

export class MemoryHandshakes implements Handshakes {
  private readonly pending = new Map<string, { asked: Set<string>; at: number }>();

  async ask(chatId: string, accountId: string, partnerId: string): Promise<boolean> {
    const now = Date.now();
    for (const [id, entry] of this.pending) {
      if (entry.at > now - HANDSHAKE_TTL_MS) break;
      this.pending.delete(id);
    }
    const entry = this.pending.get(chatId);
    if (entry?.asked.has(partnerId)) {
      this.pending.delete(chatId);
      return true;
    }
    if (entry) entry.asked.add(accountId);
    else this.pending.set(chatId, { asked: new Set([accountId]), at: now });
    return false;
  }
}

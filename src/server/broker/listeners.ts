import type { ServerFrame } from '../../shared/protocol.js';
import type { Listener } from './broker.js';

/** This node's sockets per account: the part every broker shares. */
export class AccountListeners {
  private readonly byAccount = new Map<string, Set<Listener>>();

  /** Returns true when this is the account's first listener here. */
  add(accountId: string, listener: Listener): boolean {
    const set = this.byAccount.get(accountId);
    if (set) {
      set.add(listener);
      return false;
    }
    this.byAccount.set(accountId, new Set([listener]));
    return true;
  }

  /** Returns true when that was the account's last listener here. */
  remove(accountId: string, listener: Listener): boolean {
    const set = this.byAccount.get(accountId);
    if (!set || !set.delete(listener) || set.size > 0) return false;
    this.byAccount.delete(accountId);
    return true;
  }

  deliver(accountId: string, frame: ServerFrame): void {
    const set = this.byAccount.get(accountId);
    if (set) for (const listener of set) listener(frame);
  }

  has(accountId: string): boolean {
    return this.byAccount.has(accountId);
  }

  accounts(): IterableIterator<string> {
    return this.byAccount.keys();
  }

  get size(): number {
    return this.byAccount.size;
  }

  clear(): void {
    this.byAccount.clear();
  }
}

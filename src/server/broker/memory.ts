import type { ServerFrame } from '../../shared/protocol.js';
import type { Broker, Listener, Subscription } from './broker.js';

/** The single-node broker: a map from account to its sockets' listeners. */
export class MemoryBroker implements Broker {
  private readonly listeners = new Map<string, Set<Listener>>();

  publish(accountId: string, frame: ServerFrame): void {
    const set = this.listeners.get(accountId);
    if (set) for (const listener of set) listener(frame);
  }

  async subscribe(accountId: string, listener: Listener): Promise<Subscription> {
    let set = this.listeners.get(accountId);
    const firstSocket = !set;
    if (!set) this.listeners.set(accountId, (set = new Set()));
    set.add(listener);
    let done = false;
    const unsubscribe = async () => {
      if (done) return { lastSocket: false };
      done = true;
      set.delete(listener);
      if (set.size > 0) return { lastSocket: false };
      this.listeners.delete(accountId);
      return { lastSocket: true };
    };
    return { firstSocket, unsubscribe };
  }

  async online(accountId: string): Promise<boolean> {
    return this.listeners.has(accountId);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}

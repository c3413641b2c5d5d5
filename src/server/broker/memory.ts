import type { ServerFrame } from '../../shared/protocol.js';
import type { Broker, Listener, Subscription } from './broker.js';
import { AccountListeners } from './listeners.js';

/** The single-node broker: every socket is here, so presence is the local listener map. */
export class MemoryBroker implements Broker {
  private readonly listeners = new AccountListeners();

  publish(accountId: string, frame: ServerFrame): void {
    this.listeners.deliver(accountId, frame);
  }

  async deliver(accountId: string, frame: ServerFrame): Promise<boolean> {
    this.listeners.deliver(accountId, frame);
    return this.listeners.has(accountId);
  }

  async subscribe(accountId: string, listener: Listener): Promise<Subscription> {
    const firstSocket = this.listeners.add(accountId, listener);
    let done = false;
    const unsubscribe = async () => {
      if (done) return { lastSocket: false };
      done = true;
      return { lastSocket: this.listeners.remove(accountId, listener) };
    };
    return { firstSocket, unsubscribe };
  }

  async online(accountId: string): Promise<boolean> {
    return this.listeners.has(accountId);
  }

  nodesHolding(): number {
    return 1;
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}

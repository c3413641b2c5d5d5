import type { ServerFrame } from '../../shared/protocol.js';
import { type Broker, type Listener, SocketSubscription, type Subscription } from './broker.js';
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

  private readonly release = async (accountId: string, listener: Listener) => ({ lastSocket: this.listeners.remove(accountId, listener) });

  async subscribe(accountId: string, listener: Listener): Promise<Subscription> {
    return new SocketSubscription(this.listeners.add(accountId, listener), accountId, listener, this.release);
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

/**
 * Connections: two people who agreed, after a chat, to find each other again;
 * presence between them; and offline messages (stored only while the
 * recipient has no open socket, deleted when read).
 */
import type { Connection, OfflineMessage } from '../../shared/protocol.js';
import type { Broker } from '../broker/broker.js';
import { DONE, type FrameOutcome, refuse } from '../errors.js';
import type { ConnectionRecord, ConnectionView, InboxLimits, OfflineMessageRecord, Store } from '../store/store.js';
import { InboxFullError } from '../store/store.js';
import { type Handshakes, MemoryHandshakes } from './handshakes.js';
import type { Lobby } from './lobby.js';
import type { LimitResult } from './rateLimits.js';
import { newId, newSortableId } from './secrets.js';

/** The rate a `dm` is held to: the chat message rate when relayed live, the dm limit when stored. */
export type DmGate = { live(): LimitResult; stored(): Promise<LimitResult> };

export function toOfflineMessage(m: OfflineMessageRecord): OfflineMessage {
  return { id: m.id, connectionId: m.connectionId, text: m.text, at: m.createdAt, ...(m.sealed ? { sealed: true as const } : {}) };
}

/** The other account of a connection, or undefined when `accountId` is not one of its two. */
function otherAccount(record: ConnectionRecord | undefined, accountId: string): string | undefined {
  if (record?.accountA === accountId) return record.accountB;
  return record?.accountB === accountId ? record.accountA : undefined;
}

export class Connections {
  constructor(
    private readonly store: Store,
    private readonly broker: Broker,
    private readonly lobby: Lobby,
    private readonly limits: InboxLimits,
    private readonly handshakes: Handshakes = new MemoryHandshakes(),
  ) {}

  async toWire(view: ConnectionView): Promise<Connection> {
    return {
      id: view.id,
      nickname: view.partnerNickname,
      online: await this.broker.online(view.partnerId),
      unread: view.unread,
      since: view.since,
      ...(view.partnerPublicKey ? { publicKey: view.partnerPublicKey } : {}),
    };
  }

  async list(accountId: string): Promise<Connection[]> {
    const views = await this.store.connectionsOf(accountId);
    return Promise.all(views.map((v) => this.toWire(v)));
  }

  /**
   * `connect {chatId}`: both must ask; then both get `connected`, once. A pair
   * that is already connected gets `connected` at once, for the one who asked.
   */
  async request(accountId: string, chatId: string): Promise<FrameOutcome> {
    const partner = this.lobby.partnerOf(chatId, accountId);
    if (!partner) return refuse('not_in_chat', 'You can only connect with someone you chatted with just now.');
    if (partner.ai) return refuse('bad_request', 'An AI partner cannot become a connection.');

    if (!(await this.handshakes.ask(chatId, accountId, partner.id))) {
      const existing = (await this.store.connectionsOf(accountId)).find((v) => v.partnerId === partner.id);
      if (existing) this.broker.publish(accountId, { type: 'connected', chatId, connection: await this.toWire(existing) });
      else this.broker.publish(partner.id, { type: 'connect_requested', chatId });
      return DONE;
    }
    const record = await this.store.connect(accountId, partner.id, newId(), new Date().toISOString());
    for (const person of [accountId, partner.id]) {
      const view = (await this.store.connectionsOf(person)).find((v) => v.id === record.id);
      if (view) this.broker.publish(person, { type: 'connected', chatId, connection: await this.toWire(view) });
    }
    return DONE;
  }

  /** Removes the connection for both, with every waiting message between them. */
  async remove(accountId: string, connectionId: string): Promise<boolean> {
    const other = otherAccount(await this.store.connection(connectionId), accountId);
    if (!other) return false;
    await this.store.deleteConnection(connectionId);
    this.broker.publish(other, { type: 'connection_removed', connectionId });
    return true;
  }

  /** Removes the connection between two accounts, if there is one (after a block). */
  async removeBetween(accountId: string, otherId: string): Promise<void> {
    const view = (await this.store.connectionsOf(accountId)).find((v) => v.partnerId === otherId);
    if (view) await this.remove(accountId, view.id);
  }

  /**
   * `dm`: relayed live when the recipient has a socket open, else stored until read.
   * A live one is held to the chat message rate (`gate.live`), a stored one to the stricter dm limit.
   */
  async dm(accountId: string, frame: { connectionId: string; id: string; text: string; sealed?: true }, gate: DmGate): Promise<FrameOutcome> {
    const record = await this.store.connection(frame.connectionId);
    const recipient = otherAccount(record, accountId);
    if (!record || !recipient) return refuse('not_found', 'That connection does not exist (any more).');
    const live = await this.broker.online(recipient);
    const verdict = live ? gate.live() : await gate.stored();
    if (!verdict.ok) return refuse('rate_limited', undefined, { retryAfterMs: verdict.retryAfterMs });
    const at = new Date().toISOString();
    const sealed = frame.sealed === true;
    // Live only once a socket of theirs got it (or their node did); `unavailable` if it cannot be handed on.
    if (live && (await this.broker.deliver(recipient, { type: 'dm', connectionId: record.id, id: frame.id, text: frame.text, at, ...(sealed ? { sealed } : {}) }))) {
      return { ok: true, reply: { type: 'dm_sent', connectionId: record.id, id: frame.id, stored: false, at } };
    }
    try {
      await this.store.storeOfflineMessage(
        { id: newSortableId(), connectionId: record.id, senderId: accountId, recipientId: recipient, text: frame.text, createdAt: at, sealed },
        this.limits,
      );
    } catch (err) {
      if (err instanceof InboxFullError) {
        return refuse('inbox_full');
      }
      throw err;
    }
    // Only now, after the commit: an acknowledged message survives a crash.
    return { ok: true, reply: { type: 'dm_sent', connectionId: record.id, id: frame.id, stored: true, at } };
  }

  /** `dm_read`: tells the other side of the connection how far this side has read. */
  async readReceipt(accountId: string, frame: { connectionId: string; at: string }): Promise<FrameOutcome> {
    const other = otherAccount(await this.store.connection(frame.connectionId), accountId);
    if (!other) return refuse('not_found', 'That connection does not exist (any more).');
    this.broker.publish(other, { type: 'dm_read', connectionId: frame.connectionId, at: frame.at });
    return DONE;
  }

  async inbox(accountId: string): Promise<OfflineMessage[]> {
    return (await this.store.inbox(accountId)).map(toOfflineMessage);
  }

  /** Deletes those messages for good; ids of other people's messages are ignored. */
  async read(accountId: string, ids: readonly string[]): Promise<void> {
    await this.store.deleteMessages(accountId, ids);
  }

  /** A person's first socket opened or last one closed: tell their connections. */
  async announce(accountId: string, online: boolean): Promise<void> {
    for (const view of await this.store.connectionsOf(accountId)) {
      this.broker.publish(view.partnerId, { type: 'presence', connectionId: view.id, online });
    }
  }
}

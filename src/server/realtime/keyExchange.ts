/**
 * End-to-end keys reach only clients that take part (docs/protocol.md `key`).
 * A partner's `key` frame is delivered to a socket once that socket has
 * offered its own key in the same chat, and held until then: a client that
 * never offers one (one that follows PROTOCOL.md alone) never sees a `key`
 * frame, and two clients that both offer get each other's keys whichever
 * arrives first. Chats only, never stored; a few chats at most per socket.
 */
import type { ServerFrame } from '../../shared/protocol.js';

export type KeyFrame = Extract<ServerFrame, { type: 'key' }>;

/** Chats remembered per socket; older ones are forgotten first. */
const MAX_CHATS = 8;

export class KeyExchange {
  private readonly offered = new Set<string>();
  private readonly held = new Map<string, KeyFrame>();

  /** True when the partner's key may go out now; otherwise it is held. */
  incoming(frame: KeyFrame): boolean {
    if (this.offered.has(frame.chatId)) return true;
    this.held.delete(frame.chatId);
    this.held.set(frame.chatId, frame);
    if (this.held.size > MAX_CHATS) this.held.delete(this.held.keys().next().value as string);
    return false;
  }

  /** This socket offered its key in `chatId`: the partner's key held for it, if any. */
  offer(chatId: string): KeyFrame | undefined {
    this.offered.delete(chatId);
    this.offered.add(chatId);
    if (this.offered.size > MAX_CHATS) this.offered.delete(this.offered.values().next().value as string);
    const held = this.held.get(chatId);
    this.held.delete(chatId);
    return held;
  }
}

/** What nodes say to each other over the node bus (nodeBus.ts): one channel per node, one for all. */
import type { ServerFrame } from '../../shared/protocol.js';
import type { Revocation } from '../domain/revocations.js';

/** A searcher in the shared queue (JSON under `metsony:mq:e:<key>`, read by the Lua scripts). */
export type QueueEntry = {
  key: string;
  node: string;
  account: string;
  nickname: string;
  interests: string[];
  country: string;
  near: boolean;
  blocked: string[];
  since: number;
  wide: boolean;
};

/** A person's seat on a node, enough to make a proxy of it. */
export type SeatRef = { account: string; nickname: string; node: string; key: string };

export type NodeMessage =
  /** To every node: sign-ins that ended (their sockets may be anywhere). */
  | { t: 'revoke'; revocation: Revocation }
  /** Asked: does searcher `to` take a chat with `from`? */
  | { t: 'offer'; chatId: string; to: string; from: QueueEntry; common: string[] }
  /** A frame for the person of seat `to`. */
  | { t: 'frame'; to: string; frame: ServerFrame }
  /** Asked: `from` came back, on its node, to the chat that seat `to` holds for it. */
  | { t: 'resume'; chatId: string; to: string; from: SeatRef }
  /** After an outage: is `to` still in that chat? If not, `back` (on `node`) is told it ended. */
  | { t: 'check'; chatId: string; to: string; node: string; back: string };

export type NodeMessageOf<T extends NodeMessage['t']> = Extract<NodeMessage, { t: T }>;

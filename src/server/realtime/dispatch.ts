/**
 * What each frame of a signed-in socket does: one handler per frame type.
 * The table's type names every `ReadyFrame` type, so a frame type added to
 * the protocol without a handler fails the type check.
 */
import type { Connections } from '../domain/connections.js';
import type { Lobby } from '../domain/lobby.js';
import type { Moderation } from '../domain/moderation.js';
import type { LimitName, RateLimits } from '../domain/rateLimits.js';
import { DONE, type FrameOutcome, refuse } from '../errors.js';
import type { ClientSocket, ReadyFrame } from './clientSocket.js';
import type { Session } from '../domain/chat.js';

/** The socket a frame came from: its address (a report's network key, in memory only). */
export type FrameSource = Pick<ClientSocket, 'ip'>;

type Handler<F extends ReadyFrame> = (frame: F, session: Session, from: FrameSource) => FrameOutcome | Promise<FrameOutcome>;

export type DispatchTable = { [T in ReadyFrame['type']]: Handler<Extract<ReadyFrame, { type: T }>> };

export type DispatchDeps = { lobby: Lobby; connections: Connections; moderation: Moderation; limits: RateLimits };

function rateLimited(retryAfterMs: number): FrameOutcome {
  return refuse('rate_limited', undefined, { retryAfterMs });
}

/**
 * Most frames finish synchronously; those that wait on the database or on the
 * awaited per-account limiter return a promise, and the gateway holds the
 * socket's later frames until it settles.
 */
export function dispatchTable({ lobby, connections, moderation, limits }: DispatchDeps): DispatchTable {
  /** Behind the awaited per-account limiter (`send` has its own synchronous one). */
  const limited =
    <F extends ReadyFrame>(name: LimitName, handler: Handler<F>) =>
    async (frame: F, session: Session, from: FrameSource): Promise<FrameOutcome> => {
      const verdict = await limits.consume(name, session.account.id);
      if (!verdict.ok) return rateLimited(verdict.retryAfterMs);
      return handler(frame, session, from);
    };
  return {
    send: (frame, session) => {
      const verdict = limits.message(session.account.id);
      if (!verdict.ok) return rateLimited(verdict.retryAfterMs);
      return lobby.send(session, frame);
    },
    typing: (frame, session) => lobby.typing(session, frame),
    leave: (frame, session) => lobby.leave(session, frame),
    cancel: (_frame, session) => {
      lobby.cancel(session);
      return DONE;
    },
    reveal: (frame, session) => lobby.reveal(session, frame),
    find: limited('find', (frame, session) => lobby.find(session, frame)),
    connect: limited('connect', (frame, session) => connections.request(session.account.id, frame.chatId)),
    dm: limited('dm', (frame, session) => connections.dm(session.account.id, frame)),
    report: limited('report', (frame, session, from) => moderation.report(session.account.id, frame, from.ip)),
    read: async (frame, session) => {
      await connections.read(session.account.id, frame.ids);
      return DONE;
    },
    block: (frame, session) => moderation.block(session.account.id, frame.chatId),
  };
}

/** Runs the frame's handler (the cast is safe: the table's key is the frame's own type). */
export function dispatch(table: DispatchTable, frame: ReadyFrame, session: Session, from: FrameSource): FrameOutcome | Promise<FrameOutcome> {
  const handler = table[frame.type] as Handler<ReadyFrame>;
  return handler(frame, session, from);
}

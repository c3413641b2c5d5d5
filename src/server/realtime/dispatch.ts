/**
 * What each frame of a signed-in socket does: one handler per frame type.
 * The table's type names every `ReadyFrame` type, so a frame type added to
 * the protocol without a handler fails the type check.
 */
import type { Connections } from '../domain/connections.js';
import type { Doorkeeper } from '../domain/doorkeeper.js';
import type { Lobby } from '../domain/lobby.js';
import type { Moderation } from '../domain/moderation.js';
import type { LimitName, RateLimits } from '../domain/rateLimits.js';
import { DONE, type FrameOutcome, refuse } from '../errors.js';
import type { ClientSocket, ReadyFrame } from './clientSocket.js';
import type { Seat } from '../domain/chat.js';

/** The socket a frame came from: its address (a report's network key, in memory only), and its end-to-end key offers. */
export type FrameSource = Pick<ClientSocket, 'ip' | 'offeredKey'>;

type Handler<F extends ReadyFrame> = (frame: F, seat: Seat, from: FrameSource) => FrameOutcome | Promise<FrameOutcome>;

export type DispatchTable = { [T in ReadyFrame['type']]: Handler<Extract<ReadyFrame, { type: T }>> };

export type DispatchDeps = { lobby: Lobby; connections: Connections; moderation: Moderation; limits: RateLimits; doorkeeper: Doorkeeper };

function rateLimited(retryAfterMs: number): FrameOutcome {
  return refuse('rate_limited', undefined, { retryAfterMs });
}

/**
 * Most frames finish synchronously; those that wait on the database or on the
 * awaited per-account limiter return a promise, and the gateway holds the
 * socket's later frames until it settles.
 */
export function dispatchTable({ lobby, connections, moderation, limits, doorkeeper }: DispatchDeps): DispatchTable {
  /** Behind the awaited per-account limiter (`send` has its own synchronous one). */
  const limited =
    <F extends ReadyFrame>(name: LimitName, handler: Handler<F>) =>
    async (frame: F, seat: Seat, from: FrameSource): Promise<FrameOutcome> => {
      const verdict = await limits.consume(name, seat.account.id);
      if (!verdict.ok) return rateLimited(verdict.retryAfterMs);
      return handler(frame, seat, from);
    };
  return {
    send: (frame, seat) => {
      const verdict = limits.message(seat.account.id);
      if (!verdict.ok) return rateLimited(verdict.retryAfterMs);
      return lobby.send(seat, frame);
    },
    typing: (frame, seat) => lobby.typing(seat, frame),
    leave: (frame, seat) => lobby.leave(seat, frame),
    cancel: (_frame, seat) => {
      lobby.cancel(seat);
      return DONE;
    },
    reveal: (frame, seat) => lobby.reveal(seat, frame),
    key: (frame, seat, from) => {
      const outcome = lobby.key(seat, frame);
      if (outcome.ok) from.offeredKey(frame.chatId);
      return outcome;
    },
    // A bot-like account (botSignals.ts) waits, and may need a proof, before each search.
    find: limited('find', async (frame, seat) => (await doorkeeper.checkFind(seat.account.id, frame.proof)) ?? lobby.find(seat, frame)),
    connect: limited('connect', (frame, seat) => connections.request(seat.account.id, frame.chatId)),
    dm: (frame, seat) =>
      connections.dm(seat.account.id, frame, {
        live: () => limits.message(seat.account.id),
        stored: () => limits.consume('dm', seat.account.id),
      }),
    dm_read: (frame, seat) => connections.readReceipt(seat.account.id, frame),
    report: limited('report', (frame, seat, from) => moderation.report(seat.account.id, frame, from.ip)),
    read: async (frame, seat) => {
      await connections.read(seat.account.id, frame.ids);
      return DONE;
    },
    block: (frame, seat) => moderation.block(seat.account.id, frame.chatId),
    resume: (frame, seat) => lobby.resume(seat, frame),
  };
}

/** Runs the frame's handler (the cast is safe: the table's key is the frame's own type). */
export function dispatch(table: DispatchTable, frame: ReadyFrame, seat: Seat, from: FrameSource): FrameOutcome | Promise<FrameOutcome> {
  const handler = table[frame.type] as Handler<ReadyFrame>;
  return handler(frame, seat, from);
}

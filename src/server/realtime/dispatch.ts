/**
 * What each frame of a signed-in socket does: one handler per frame type.
 * The table's type names every `ReadyFrame` type, so a frame type added to
 * the protocol without a handler fails the type check.
 */
import type { ServerFrame } from '../../shared/protocol.js';
import type { Connections, FrameResult } from '../domain/connections.js';
import type { Lobby } from '../domain/lobby.js';
import type { Moderation } from '../domain/moderation.js';
import type { LimitName, RateLimits } from '../domain/rateLimits.js';
import type { Session } from './peer.js';
import type { ReadyFrame } from './connection.js';

export type Failure = { code: string; message: string; retryAfterMs?: number } | undefined;

/** The signed-in socket a frame came from. */
export type FrameContext = {
  session: Session;
  /** The client's address, in memory only (a report's network key). */
  ip: string | undefined;
  send(frame: ServerFrame): void;
};

export type DispatchDeps = { lobby: Lobby; connections: Connections; moderation: Moderation; limits: RateLimits };

type Handler<F extends ReadyFrame> = (ctx: FrameContext, frame: F) => Failure | Promise<Failure>;

export type DispatchTable = { [T in ReadyFrame['type']]: Handler<Extract<ReadyFrame, { type: T }>> };

function rateLimited(retryAfterMs: number): Failure {
  return { code: 'rate_limited', message: 'Slow down a little and try again shortly.', retryAfterMs };
}

/**
 * Most frames finish synchronously; those that wait on the database or on the
 * awaited per-account limiter return a promise, and the gateway holds the
 * socket's later frames until it settles.
 */
export function dispatchTable({ lobby, connections, moderation, limits }: DispatchDeps): DispatchTable {
  /** Behind the awaited per-account limiter (`send` has its own synchronous one). */
  const limited =
    <F extends ReadyFrame>(name: LimitName, handler: (ctx: FrameContext, frame: F) => Promise<Failure> | Failure) =>
    async (ctx: FrameContext, frame: F): Promise<Failure> => {
      const verdict = await limits.consume(name, ctx.session.account.id);
      if (!verdict.ok) return rateLimited(verdict.retryAfterMs);
      return handler(ctx, frame);
    };
  const reply = (ctx: FrameContext, result: FrameResult): Failure => {
    if (result.reply) ctx.send(result.reply);
    return result.error;
  };
  return {
    send: (ctx, frame) => {
      const verdict = limits.message(ctx.session.account.id);
      if (!verdict.ok) return rateLimited(verdict.retryAfterMs);
      return lobby.send(ctx.session, frame);
    },
    typing: (ctx, frame) => lobby.typing(ctx.session, frame),
    leave: (ctx, frame) => lobby.leave(ctx.session, frame),
    cancel: (ctx) => {
      lobby.cancel(ctx.session);
      return undefined;
    },
    reveal: (ctx, frame) => lobby.reveal(ctx.session, frame),
    find: limited('find', (ctx, frame) => lobby.find(ctx.session, frame)),
    connect: limited('connect', async (ctx, frame) => reply(ctx, await connections.request(ctx.session.account.id, frame.chatId))),
    dm: limited('dm', async (ctx, frame) => reply(ctx, await connections.dm(ctx.session.account.id, frame))),
    report: limited('report', async (ctx, frame) => reply(ctx, await moderation.report(ctx.session.account.id, frame, ctx.ip))),
    read: async (ctx, frame) => {
      await connections.read(ctx.session.account.id, frame.ids);
      return undefined;
    },
    block: async (ctx, frame) => reply(ctx, await moderation.block(ctx.session.account.id, frame.chatId)),
  };
}

/** Runs the frame's handler (the cast is safe: the table's key is the frame's own type). */
export function dispatch(table: DispatchTable, ctx: FrameContext, frame: ReadyFrame): Failure | Promise<Failure> {
  const handler = table[frame.type] as Handler<ReadyFrame>;
  return handler(ctx, frame);
}

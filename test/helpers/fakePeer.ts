/**
 * An in-memory Peer: the chat core's view of a socket, with no socket. Frames
 * are recorded in order so a unit test can read what a person would have
 * seen; with vitest fake timers the lobby runs synchronously and
 * deterministically.
 */
import type { Lobby } from '../../src/server/domain/lobby.js';
import { newId } from '../../src/server/domain/secrets.js';
import { type Peer, type PeerKind, Seat } from '../../src/server/domain/chat.js';
import type { ServerFrame } from '../../src/shared/protocol.js';

type FrameOf<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;

export class FakePeer implements Peer {
  /** 'human' unless a test stands in for another kind of partner. */
  constructor(readonly kind: PeerKind = 'human') {}

  readonly frames: ServerFrame[] = [];
  private readonly listeners: Array<(frame: ServerFrame) => void> = [];

  send(frame: ServerFrame): void {
    this.frames.push(frame);
    for (const listener of this.listeners.splice(0)) listener(frame);
  }

  /** Every frame of that type received so far, oldest first. */
  all<T extends ServerFrame['type']>(type: T): FrameOf<T>[] {
    return this.frames.filter((f): f is FrameOf<T> => f.type === type);
  }

  /** The latest frame of that type, or undefined. */
  last<T extends ServerFrame['type']>(type: T): FrameOf<T> | undefined {
    return this.all(type).at(-1);
  }

  /** Types of the frames received so far, in order (for short, readable assertions). */
  get types(): string[] {
    return this.frames.map((f) => f.type);
  }

  /** Resolves with the next frame of that type sent from now on, for replies that arrive after a promise settles. */
  arrival<T extends ServerFrame['type']>(type: T): Promise<FrameOf<T>> {
    return new Promise((resolve) => {
      const listen = (frame: ServerFrame) => {
        if (frame.type === type) resolve(frame as FrameOf<T>);
        else this.listeners.push(listen);
      };
      this.listeners.push(listen);
    });
  }
}

/** A seat in the lobby and the in-memory peer behind it. */
export type Person = { seat: Seat; peer: FakePeer };

let seats = 0;

/** A signed-in person in the lobby, as the gateway would attach them after `hello`. */
export function seat(
  lobby: Lobby,
  options: { accountId?: string; nickname?: string; interests?: string[]; country?: string; blocked?: string[]; kind?: PeerKind } = {},
): Person {
  const n = ++seats;
  const peer = new FakePeer(options.kind);
  const seated = new Seat(
    newId(),
    { id: options.accountId ?? `acct-${n}`, nickname: options.nickname ?? `person${n}`, interests: options.interests ?? [] },
    options.country,
    peer,
    options.blocked ? new Set(options.blocked) : undefined,
  );
  lobby.attach(seated);
  return { seat: seated, peer };
}

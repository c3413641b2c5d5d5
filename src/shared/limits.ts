/** Limits of the wire contract (PROTOCOL.md). Shared by server and web app. */
export const LIMITS = {
  nicknameMax: 32,
  interestMax: 32,
  interestsMax: 20,
  textMax: 2000,
  clientIdMax: 64,
  frameBytesMax: 16 * 1024,
  /** Ids in one `read` frame. */
  readIdsMax: 1000,
  /** Messages a `report` may attach (`attached`), each a text of 1..textMax characters. */
  reportAttachedMax: 20,
  /** A challenge solution (`proof`): an ALTCHA payload is about 700 characters, a Turnstile token up to 2048. */
  proofMax: 4096,
} as const;

/**
 * How many frames one socket may send (docs/protocol.md, "frame budget").
 * Far above what the web app sends (typing every few seconds, a ping every
 * 25 s); off with RATE_LIMITS=off.
 */
export const FRAME_BUDGET = {
  /** Every frame, any type, well-formed or not: a burst of this many, refilled at `perSecond` (defaults of WS_FRAME_BURST, WS_FRAMES_PER_SECOND). */
  burst: 300,
  perSecond: 50,
  /** A socket that goes this many times a bucket's burst over budget (dropped frames count) is closed 1008. */
  floodFactor: 10,
  /** A `read` costs one more frame per this many ids. */
  readIdsPerFrame: 10,
  /** `typing` and `ping` have small buckets of their own on top. */
  typing: { burst: 10, perSecond: 5 },
  ping: { burst: 10, perSecond: 2 },
  /** Frames a socket may send before `ready` (hello included); one more closes it 1008. */
  beforeReady: 32,
  /** Frames waiting behind one that waits on the database (or behind the hello). */
  queuedMax: 64,
} as const;

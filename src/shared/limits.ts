/** Limits of the wire contract (PROTOCOL.md). Shared by server and web app. */
export const LIMITS = {
  nicknameMax: 32,
  interestMax: 32,
  interestsMax: 20,
  textMax: 2000,
  clientIdMax: 64,
  frameBytesMax: 16 * 1024,
} as const;

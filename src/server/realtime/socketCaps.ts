/**
 * Socket caps and the account → sockets index, in memory only: open sockets
 * per client IP, and the signed-in sockets of each account on this node (to
 * cap them and to close them when their token is revoked).
 */
import type { ClientSocket } from './clientSocket.js';

export class SocketCaps {
  private readonly perIp = new Map<string, number>();
  /** Each account's sockets, from the hello's token check until close, with the hash of the token each signed in with. */
  private readonly byAccount = new Map<string, Map<ClientSocket, string>>();
  private readonly accountOf = new Map<ClientSocket, string>();

  constructor(private readonly limits: { maxSocketsPerIp: number; maxSocketsPerAccount: number }) {}

  /** Counts one more socket from `ip`: false (and nothing counted) when it has too many. */
  takeIp(ip: string): boolean {
    const held = this.perIp.get(ip) ?? 0;
    if (held >= this.limits.maxSocketsPerIp) return false;
    this.perIp.set(ip, held + 1);
    return true;
  }

  releaseIp(ip: string): void {
    const left = (this.perIp.get(ip) ?? 1) - 1;
    if (left > 0) this.perIp.set(ip, left);
    else this.perIp.delete(ip);
  }

  /**
   * Takes one of the account's socket slots synchronously, right after its
   * token is checked: the awaits between there and `ready` would let
   * simultaneous hellos all pass a later check.
   */
  takeAccountSlot(socket: ClientSocket, accountId: string, tokenHash: string): boolean {
    let sockets = this.byAccount.get(accountId);
    if ((sockets?.size ?? 0) >= this.limits.maxSocketsPerAccount) return false;
    if (!sockets) this.byAccount.set(accountId, (sockets = new Map()));
    sockets.set(socket, tokenHash);
    this.accountOf.set(socket, accountId);
    return true;
  }

  /** Gives the socket's slot back, if it holds one. */
  releaseAccountSlot(socket: ClientSocket): void {
    const accountId = this.accountOf.get(socket);
    if (accountId === undefined) return;
    this.accountOf.delete(socket);
    const sockets = this.byAccount.get(accountId);
    sockets?.delete(socket);
    if (sockets?.size === 0) this.byAccount.delete(accountId);
  }

  /** The account's sockets on this node, each with its token's hash. */
  socketsOf(accountId: string): ReadonlyMap<ClientSocket, string> {
    return this.byAccount.get(accountId) ?? EMPTY;
  }
}

const EMPTY: ReadonlyMap<ClientSocket, string> = new Map();

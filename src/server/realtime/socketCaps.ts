/**
 * Socket caps, in memory only: open sockets per client IP, and signed-in
 * sockets per account (per node).
 */
export class SocketCaps {
  private readonly perIp = new Map<string, number>();
  private readonly perAccount = new Map<string, number>();

  constructor(private readonly limits: { maxSocketsPerIp: number; maxSocketsPerAccount: number }) {}

  /** Counts one more socket from `ip`: false (and nothing counted) when it has too many. */
  takeIp(ip: string): boolean {
    const held = this.perIp.get(ip) ?? 0;
    if (held >= this.limits.maxSocketsPerIp) return false;
    this.perIp.set(ip, held + 1);
    return true;
  }

  releaseIp(ip: string): void {
    release(this.perIp, ip);
  }

  /**
   * Takes one of the account's socket slots synchronously, right after its
   * token is checked: the awaits between there and `lobby.attach` would let
   * simultaneous hellos all pass a check of the attached sessions.
   */
  takeAccountSlot(accountId: string): boolean {
    const held = this.perAccount.get(accountId) ?? 0;
    if (held >= this.limits.maxSocketsPerAccount) return false;
    this.perAccount.set(accountId, held + 1);
    return true;
  }

  releaseAccountSlot(accountId: string): void {
    release(this.perAccount, accountId);
  }
}

function release(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left > 0) counts.set(key, left);
  else counts.delete(key);
}

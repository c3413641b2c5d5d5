/**
 * Tells the socket gateway that tokens stopped working (log out, code
 * rotation, account deletion, suspension), so sockets opened with them are
 * closed too.
 */
export type Revocation = {
  accountId: string;
  tokenHashes: readonly string[] | 'all';
  /** Set when the reason is a suspension, so clients learn until when. */
  suspendedUntil?: string;
};

export class Revocations {
  private readonly listeners: Array<(r: Revocation) => void> = [];

  on(listener: (r: Revocation) => void): void {
    this.listeners.push(listener);
  }

  emit(revocation: Revocation): void {
    for (const listener of this.listeners) listener(revocation);
  }
}

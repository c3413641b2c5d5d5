/** Moderation records as the store keeps them and the moderator API returns them (docs/protocol.md, "Moderator API"). */

export type ReportReason = 'spam' | 'harassment' | 'underage' | 'illegal' | 'other';
/**
 * A message the reporter chose to attach from their own screen, in clear:
 * `me` was written by the reporter, `partner` by the reported account.
 */
export type AttachedMessage = { from: 'me' | 'partner'; text: string };
export type ReportRecord = {
  id: string;
  reporterId: string;
  reportedId: string;
  reason: ReportReason;
  note: string | null;
  createdAt: string;
  /**
   * `closed`: handled; `dismissed`: nothing to act on; `unfounded`: dismissed as
   * unfounded, which lowers the reporter's weight (reporterWeight.ts).
   */
  status: ReportStatus;
  /**
   * The last messages the reporter attached, oldest first, or null: none were
   * attached, or they are gone (a moderator acted on the report, or 30 days passed).
   */
  attached: AttachedMessage[] | null;
};
export type ReportStatus = 'open' | 'closed' | 'dismissed' | 'unfounded';

export type AuditAction = 'suspend' | 'unsuspend' | 'close' | 'dismiss' | 'unfounded';
/** Never who the moderator is: only that it was one, or the automatic suspension by reports. */
export type AuditActor = 'moderator' | 'automatic';
export type AuditEntry = {
  id: string;
  at: string;
  actor: AuditActor;
  action: AuditAction;
  reportId: string | null;
  /** The account acted on (for a report action: the reported account). */
  accountId: string | null;
  /** For `suspend`: until when. */
  until: string | null;
};

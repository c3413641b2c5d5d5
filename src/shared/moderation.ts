/** Moderation records as the store keeps them and the moderator API returns them (docs/protocol.md, "Moderator API"). */

export type ReportReason = 'spam' | 'harassment' | 'underage' | 'illegal' | 'other';
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

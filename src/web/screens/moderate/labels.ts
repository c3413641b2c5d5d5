/** Words the moderator console shows for the API's codes and times. */
import type { AuditEntry, Report, ReportReason } from '../../moderatorApi.js';

export const REASONS: Record<ReportReason, string> = {
  underage: 'Possibly under 18',
  spam: 'Spam or advertising',
  harassment: 'Harassment or hate',
  illegal: 'Illegal content',
  other: 'Something else',
};

export const STATUSES: Record<Report['status'], string> = {
  open: 'open',
  closed: 'closed (handled)',
  dismissed: 'dismissed',
  unfounded: 'dismissed as unfounded',
};

export function when(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export function actionText(entry: AuditEntry): string {
  switch (entry.action) {
    case 'suspend':
      return entry.until ? `Suspended until ${when(entry.until)}` : 'Suspended';
    case 'unsuspend':
      return 'Suspension lifted';
    case 'close':
      return 'Report closed (handled)';
    case 'dismiss':
      return 'Report dismissed';
    case 'unfounded':
      return 'Report dismissed as unfounded';
  }
}

export const people = (n: number) => (n === 1 ? '1 reporter' : `${n} reporters`);

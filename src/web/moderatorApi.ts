/**
 * The moderator API (docs/protocol.md, "Moderator API"), for the console only:
 * imported by its lazy chunk, never by the landing page.
 */
import type { AuditEntry, ReportRecord } from '../shared/moderation.js';
import { requestEmpty, requestJson } from './api.js';

export type { AuditEntry, ReportReason } from '../shared/moderation.js';
export type Report = ReportRecord;
/** An open report with how many distinct people reported that account. */
export type QueuedReport = Report & { reporters: number };
export type AccountHistory = {
  accountId: string;
  account: { nickname: string; createdAt: string; suspendedUntil: string | null } | null;
  reporters: number;
  reports: Report[];
  filed: { total: number; unfounded: number };
};
export type Page<K extends string, T> = Record<K, T[]> & { next: string | null };

const pageQuery = (before: string | null) => (before ? `?before=${encodeURIComponent(before)}` : '');
const account = (id: string) => `/api/admin/accounts/${encodeURIComponent(id)}`;
const report = (id: string) => `/api/admin/reports/${encodeURIComponent(id)}`;

export function openReports(token: string, before: string | null = null): Promise<Page<'reports', QueuedReport>> {
  return requestJson('GET', `/api/admin/open-reports${pageQuery(before)}`, { token });
}

export function accountHistory(token: string, accountId: string): Promise<AccountHistory> {
  return requestJson('GET', `${account(accountId)}/reports`, { token });
}

export function auditLog(token: string, before: string | null = null): Promise<Page<'entries', AuditEntry>> {
  return requestJson('GET', `/api/admin/audit${pageQuery(before)}`, { token });
}

export function suspend(token: string, accountId: string, hours: number): Promise<{ accountId: string; until: string }> {
  return requestJson('POST', `${account(accountId)}/suspend`, { token, body: { hours } });
}

export function unsuspend(token: string, accountId: string): Promise<void> {
  return requestEmpty('POST', `${account(accountId)}/unsuspend`, { token });
}

/** `close`: handled; `dismiss`: nothing to act on; `unfounded`: dismissed, and the reporter's later reports weigh less. */
export function decideReport(token: string, reportId: string, decision: 'close' | 'dismiss' | 'unfounded'): Promise<void> {
  const path = decision === 'close' ? `${report(reportId)}/close` : `${report(reportId)}/dismiss`;
  return requestEmpty('POST', path, { token, body: decision === 'unfounded' ? { unfounded: true } : {} });
}

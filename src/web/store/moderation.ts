/**
 * The moderator console's state: the moderator token (this tab's
 * sessionStorage only: never a cookie, never localStorage), the open reports,
 * the account being looked at, and the audit log. Only the console's lazy
 * chunk imports this.
 */
import { signal } from '@preact/signals';
import { ApiError } from '../api.js';
import * as mod from '../moderatorApi.js';

const TOKEN_KEY = 'metsony.moderator';

function readToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function writeToken(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage off: the token lives in memory until the tab reloads.
  }
}

export const moderatorToken = signal<string | null>(readToken());
export const reports = signal<mod.QueuedReport[]>([]);
export const reportsNext = signal<string | null>(null);
export const auditEntries = signal<mod.AuditEntry[]>([]);
export const auditNext = signal<string | null>(null);
/** The account whose history is shown, or null. */
export const accountShown = signal<mod.AccountHistory | null>(null);
/** Why the console closed itself (the token stopped working). */
export const consoleNotice = signal<string | null>(null);

export const SUSPENSIONS = [
  { hours: 1, label: '1 hour' },
  { hours: 24, label: '24 hours' },
  { hours: 24 * 7, label: '7 days' },
  { hours: 24 * 30, label: '30 days' },
  { hours: 24 * 365, label: '1 year' },
] as const;

/** A refused token closes the console; other failures are the caller's to show. */
async function withModerator<T>(call: (token: string) => Promise<T>): Promise<T> {
  const token = moderatorToken.value;
  if (!token) throw new ApiError(401, 'unauthorized', 'Enter the moderator token first.');
  try {
    return await call(token);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401 && moderatorToken.value === token) {
      leaveConsole('The moderator token was refused. Enter it again.');
    }
    throw error;
  }
}

/** Checks the token by listing the open reports; kept for this tab only if it works. */
export async function openConsole(token: string): Promise<void> {
  try {
    const first = await mod.openReports(token);
    moderatorToken.value = token;
    writeToken(token);
    consoleNotice.value = null;
    reports.value = first.reports;
    reportsNext.value = first.next;
    await loadAudit();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) throw new ApiError(401, error.code, 'That is not the moderator token.');
    if (error instanceof ApiError && error.status === 404) {
      throw new ApiError(404, error.code, 'The moderator console is off on this server (ADMIN_TOKEN is not set).');
    }
    throw error;
  }
}

export function leaveConsole(notice: string | null = null): void {
  moderatorToken.value = null;
  writeToken(null);
  reports.value = [];
  reportsNext.value = null;
  auditEntries.value = [];
  auditNext.value = null;
  accountShown.value = null;
  consoleNotice.value = notice;
}

export async function loadReports(more = false): Promise<void> {
  const page = await withModerator((t) => mod.openReports(t, more ? reportsNext.value : null));
  reports.value = more ? [...reports.value, ...page.reports] : page.reports;
  reportsNext.value = page.next;
}

export async function loadAudit(more = false): Promise<void> {
  const page = await withModerator((t) => mod.auditLog(t, more ? auditNext.value : null));
  auditEntries.value = more ? [...auditEntries.value, ...page.entries] : page.entries;
  auditNext.value = page.next;
}

export async function showHistory(accountId: string): Promise<void> {
  accountShown.value = await withModerator((t) => mod.accountHistory(t, accountId.trim()));
}

/** After an action: the queue, the history on screen and the audit log, as the server now has them. */
async function reload(): Promise<void> {
  const shown = accountShown.value?.accountId;
  await Promise.all([loadReports(), loadAudit(), shown ? showHistory(shown) : undefined]);
}

export async function suspendAccount(accountId: string, hours: number): Promise<string> {
  const { until } = await withModerator((t) => mod.suspend(t, accountId, hours));
  await reload();
  return until;
}

export async function liftSuspension(accountId: string): Promise<void> {
  await withModerator((t) => mod.unsuspend(t, accountId));
  await reload();
}

export async function decideReport(reportId: string, decision: 'close' | 'dismiss' | 'unfounded'): Promise<void> {
  await withModerator((t) => mod.decideReport(t, reportId, decision));
  await reload();
}

/** Reports of possible minors first (P13), otherwise as the server sent them: newest first. */
export function queueOrder(list: readonly mod.QueuedReport[]): mod.QueuedReport[] {
  return [...list.filter((r) => r.reason === 'underage'), ...list.filter((r) => r.reason !== 'underage')];
}

/**
 * The moderator's side of the Store: report queues and history, and the audit
 * log of every moderation action. KyselyStore delegates here to stay small.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database } from './schema.js';
import type { AttachedMessage, AuditAction, AuditEntry, AuditStamp, PageQuery, ReportRecord, ReportReason, ReportStatus } from './store.js';

const STATUSES: readonly ReportStatus[] = ['open', 'closed', 'dismissed', 'unfounded'];
const ACTIONS: readonly AuditAction[] = ['suspend', 'unsuspend', 'close', 'dismiss', 'unfounded'];

export function toReport(row: Selectable<Database['reports']>): ReportRecord {
  return {
    id: row.id,
    reporterId: row.reporter_id,
    reportedId: row.reported_id,
    reason: row.reason as ReportReason,
    note: row.note,
    createdAt: row.created_at,
    status: STATUSES.find((s) => s === row.status) ?? 'closed',
    attached: row.attached === null ? null : (JSON.parse(row.attached) as AttachedMessage[]),
  };
}

function toAuditEntry(row: Selectable<Database['audit_log']>): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor === 'automatic' ? 'automatic' : 'moderator',
    action: ACTIONS.find((a) => a === row.action) ?? 'close',
    reportId: row.report_id,
    accountId: row.account_id,
    until: row.until,
  };
}

/** The audit action a report's new status records. */
const ACTION_OF: Record<Exclude<ReportStatus, 'open'>, AuditAction> = { closed: 'close', dismissed: 'dismiss', unfounded: 'unfounded' };

export async function insertAudit(
  db: Kysely<Database>,
  stamp: AuditStamp,
  entry: { action: AuditAction; reportId?: string; accountId?: string; until?: string },
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      id: stamp.id,
      at: stamp.at,
      actor: stamp.actor,
      action: entry.action,
      report_id: entry.reportId ?? null,
      account_id: entry.accountId ?? null,
      until: entry.until ?? null,
    })
    .execute();
}

/**
 * A moderator's decision on a report; its attached messages go in the same
 * transaction (they were there for this decision). `erased`: there were some.
 */
export async function closeReport(
  db: Kysely<Database>,
  id: string,
  status: Exclude<ReportStatus, 'open'>,
  stamp: AuditStamp | undefined,
): Promise<{ closed: boolean; erased: boolean }> {
  return db.transaction().execute(async (tx) => {
    const report = await tx.selectFrom('reports').select(['reported_id', 'attached']).where('id', '=', id).executeTakeFirst();
    if (!report) return { closed: false, erased: false };
    await tx.updateTable('reports').set({ status, attached: null }).where('id', '=', id).execute();
    if (stamp) await insertAudit(tx, stamp, { action: ACTION_OF[status], reportId: id, accountId: report.reported_id });
    return { closed: true, erased: report.attached !== null };
  });
}

/** Removes the attached messages of reports made before `before`; returns from how many. */
export async function purgeReportAttachments(db: Kysely<Database>, before: string): Promise<number> {
  const result = await db.updateTable('reports').set({ attached: null }).where('attached', 'is not', null).where('created_at', '<', before).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function setSuspension(db: Kysely<Database>, accountId: string, until: string | null, stamp: AuditStamp | undefined): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const result = await tx.updateTable('accounts').set({ suspended_until: until }).where('id', '=', accountId).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return false;
    if (stamp) await insertAudit(tx, stamp, until ? { action: 'suspend', accountId, until } : { action: 'unsuspend', accountId });
    return true;
  });
}

export async function openReportsNewest(db: Kysely<Database>, page: PageQuery): Promise<ReportRecord[]> {
  let query = db.selectFrom('reports').selectAll().where('status', '=', 'open');
  const before = page.before;
  if (before) {
    query = query.where((eb) =>
      eb.or([eb('created_at', '<', before.at), eb.and([eb('created_at', '=', before.at), eb('id', '<', before.id)])]),
    );
  }
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit).execute();
  return rows.map(toReport);
}

export async function reportsAgainst(db: Kysely<Database>, reportedId: string, limit: number): Promise<ReportRecord[]> {
  const rows = await db
    .selectFrom('reports')
    .selectAll()
    .where('reported_id', '=', reportedId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toReport);
}

export async function reporterCounts(db: Kysely<Database>, reportedIds: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>(reportedIds.map((id) => [id, 0]));
  if (reportedIds.length === 0) return counts;
  const rows = await db
    .selectFrom('reports')
    .select((eb) => ['reported_id', eb.fn.count<number>('reporter_id').distinct().as('n')])
    .where('reported_id', 'in', [...new Set(reportedIds)])
    .groupBy('reported_id')
    .execute();
  for (const row of rows) counts.set(row.reported_id, Number(row.n));
  return counts;
}

export async function auditLog(db: Kysely<Database>, page: PageQuery & { accountId?: string }): Promise<AuditEntry[]> {
  let query = db.selectFrom('audit_log').selectAll();
  if (page.accountId !== undefined) query = query.where('account_id', '=', page.accountId);
  const before = page.before;
  if (before) {
    query = query.where((eb) => eb.or([eb('at', '<', before.at), eb.and([eb('at', '=', before.at), eb('id', '<', before.id)])]));
  }
  const rows = await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(page.limit).execute();
  return rows.map(toAuditEntry);
}

export async function purgeAuditLog(db: Kysely<Database>, before: string): Promise<number> {
  const result = await db.deleteFrom('audit_log').where('at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Safety without tracking: reports (who, whom, why, when; chat text only as
 * the last messages a reporter chose to attach, kept until a moderator acts
 * on the report or for 30 days),
 * blocks that hold forever, automatic suspension after reports from several
 * established people on distinct networks (reporterWeight.ts), and what a
 * moderator can do.
 */
import type { ClientFrameOf } from '../../shared/protocol.js';
import type { Config } from '../config.js';
import type { AuditActor, AuditEntry, AuditStamp, PageQuery, ReportRecord, ReportStatus, Store } from '../store/store.js';
import { suspendedUntil } from './accounts.js';
import { DONE, type FrameOutcome, refuse } from '../errors.js';
import type { Connections } from './connections.js';
import type { Lobby } from './lobby.js';
import type { IpKeys } from './ipKeys.js';
import { reporterWeight, weightedSum } from './reporterWeight.js';
import { ReportNetworks } from './reportNetworks.js';
import type { Revocations } from './revocations.js';
import { newId } from './secrets.js';

/** Stated in the Privacy Policy: reports against a deleted account are kept this long after they were made. */
export const ERASED_REPORT_RETENTION_MS = 180 * 24 * 3600_000;
/** Stated in the Privacy Policy: the messages attached to a report are removed this long after it was made, if no moderator acted before. */
export const ATTACHMENT_RETENTION_MS = 30 * 24 * 3600_000;
/** Stated in the Privacy Policy: an audit entry is kept this long after the action (or until the account it names is erased). */
export const AUDIT_RETENTION_MS = 365 * 24 * 3600_000;
/** The most reports an account's history shows. */
const HISTORY_LIMIT = 200;

/** An open report as the moderator console lists it: with how many distinct people reported that account. */
export type QueuedReport = ReportRecord & { reporters: number };

/** What a moderator sees of one account: itself (null once erased), and the reports against it, newest first. */
export type AccountHistory = {
  accountId: string;
  account: { nickname: string; createdAt: string; suspendedUntil: string | null } | null;
  reporters: number;
  reports: ReportRecord[];
  /** Reports this account filed, and how many of them a moderator found unfounded. */
  filed: { total: number; unfounded: number };
};

const stamp = (actor: AuditActor): AuditStamp => ({ id: newId(), at: new Date().toISOString(), actor });
const SWEEP_EVERY_MS = 3600_000;

const NOT_IN_CHAT = refuse('not_in_chat', 'You can only report or block someone you chatted with just now.');

export class Moderation {
  private readonly networks: ReportNetworks;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly lobby: Lobby,
    private readonly connections: Connections,
    private readonly revocations: Revocations,
    private readonly safety: Config['safety'],
    private readonly ipKeys: IpKeys,
    /** Told of each report against an account (botSignals.ts counts them, in memory). */
    private readonly signals?: { reported(accountId: string, chatId: string): void },
    /** The retention sweep's clock. */
    private readonly now: () => number = Date.now,
  ) {
    this.networks = new ReportNetworks(safety.reportWindowMs);
  }

  /** `ip`: the reporter's address, used only for its network key, in memory. */
  async report(accountId: string, frame: ClientFrameOf<'report'>, ip?: string): Promise<FrameOutcome> {
    const member = this.lobby.partnerOf(frame.chatId, accountId);
    if (!member) return NOT_IN_CHAT;
    // An AI partner has no account to moderate; the report is acknowledged and not kept.
    if (member.ai) return { ok: true, reply: { type: 'reported', chatId: frame.chatId } };
    const partner = member.id;
    await this.store.createReport({
      id: newId(),
      reporterId: accountId,
      reportedId: partner,
      reason: frame.reason,
      note: frame.note?.trim() || null,
      createdAt: new Date().toISOString(),
      status: 'open',
      attached: frame.attached && frame.attached.length > 0 ? frame.attached : null,
    });
    this.signals?.reported(partner, frame.chatId);
    if (ip) this.networks.add(partner, accountId, await this.ipKeys.networkKeys(ip));
    await this.suspendIfReportedEnough(partner);
    return { ok: true, reply: { type: 'reported', chatId: frame.chatId } };
  }

  async block(accountId: string, chatId: string): Promise<FrameOutcome> {
    const member = this.lobby.partnerOf(chatId, accountId);
    if (!member) return NOT_IN_CHAT;
    const partner = member.id;
    if (member.ai) {
      this.lobby.keepBlockedApart(accountId, partner, chatId); // ends the chat; nothing to store
      return DONE;
    }
    await this.store.block(accountId, partner, new Date().toISOString());
    this.lobby.keepBlockedApart(accountId, partner, chatId);
    await this.connections.removeBetween(accountId, partner);
    return DONE;
  }

  /** Accounts this one blocked or was blocked by: a new socket's session is never paired with them. */
  blockedPairsOf(accountId: string): Promise<Set<string>> {
    return this.store.blockedPairsOf(accountId);
  }

  /** Every suspension is written to the audit log, a moderator's or the automatic one. */
  async suspend(accountId: string, until: string, actor: AuditActor = 'moderator'): Promise<boolean> {
    if (!(await this.store.setSuspension(accountId, until, stamp(actor)))) return false;
    this.revocations.emit({ accountId, tokenHashes: 'all', suspendedUntil: until });
    return true;
  }

  async unsuspend(accountId: string): Promise<boolean> {
    return this.store.setSuspension(accountId, null, stamp('moderator'));
  }

  openReports(limit = 100): Promise<ReportRecord[]> {
    return this.store.openReports(limit);
  }

  /** Closed (handled), dismissed, or unfounded, which lowers the weight of that reporter's later reports; audited. */
  closeReport(id: string, status: Exclude<ReportStatus, 'open'>): Promise<boolean> {
    return this.store.closeReport(id, status, stamp('moderator'));
  }

  async openReportsNewest(page: PageQuery): Promise<QueuedReport[]> {
    const reports = await this.store.openReportsNewest(page);
    const counts = await this.store.reporterCounts(reports.map((r) => r.reportedId));
    return reports.map((r) => ({ ...r, reporters: counts.get(r.reportedId) ?? 0 }));
  }

  /** Undefined when the id names neither an account nor any kept report (an erased account's pseudonym has only reports). */
  async history(accountId: string): Promise<AccountHistory | undefined> {
    const [account, reports, counts, filed] = await Promise.all([
      this.store.account(accountId),
      this.store.reportsAgainst(accountId, HISTORY_LIMIT),
      this.store.reporterCounts([accountId]),
      this.store.reportsBy(accountId),
    ]);
    if (!account && reports.length === 0) return undefined;
    return {
      accountId,
      account: account ? { nickname: account.nickname, createdAt: account.createdAt, suspendedUntil: suspendedUntil(account) ?? null } : null,
      reporters: counts.get(accountId) ?? 0,
      reports,
      filed: { total: filed.length, unfounded: filed.filter((r) => r.status === 'unfounded').length },
    };
  }

  auditLog(page: PageQuery & { accountId?: string }): Promise<AuditEntry[]> {
    return this.store.auditLog(page);
  }

  /**
   * Purges reports against erased accounts, the messages attached to reports
   * and audit entries past their retention, now and every hour; forgets old
   * report networks.
   */
  async startRetentionSweep(onError: (err: unknown) => void): Promise<void> {
    const sweep = async () => {
      this.networks.sweep();
      const now = this.now();
      await this.store.purgeReportAttachments(new Date(now - ATTACHMENT_RETENTION_MS).toISOString()).catch(onError);
      await this.store.purgeErasedReports(new Date(now - ERASED_REPORT_RETENTION_MS).toISOString()).catch(onError);
      await this.store.purgeAuditLog(new Date(now - AUDIT_RETENTION_MS).toISOString()).catch(onError);
    };
    await sweep();
    this.sweeper = setInterval(() => void sweep(), SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  stop(): void {
    clearInterval(this.sweeper);
  }

  /** Distinct reporters within the window, weighted by account age and history, one per network (reporterWeight.ts). */
  private async suspendIfReportedEnough(accountId: string): Promise<void> {
    const now = Date.now();
    const since = new Date(now - this.safety.reportWindowMs).toISOString();
    const reporters = await this.store.reportersAgainst(accountId, since);
    const rules = { minAgeMs: this.safety.reportMinAccountAgeMs, fullAgeMs: this.safety.reportFullWeightAgeMs };
    const weighted = await Promise.all(
      reporters.map(async ({ reporterId }) => {
        const account = await this.store.account(reporterId);
        if (!account) return { weight: 0, networks: [] };
        const unfounded = (await this.store.reportsBy(reporterId)).filter((r) => r.status === 'unfounded').length;
        const weight = reporterWeight(now - Date.parse(account.createdAt), unfounded, rules);
        return { weight, networks: this.networks.networksOf(accountId, reporterId) };
      }),
    );
    if (weightedSum(weighted) >= this.safety.reportThreshold) {
      await this.suspend(accountId, new Date(Date.now() + this.safety.suspensionMs).toISOString(), 'automatic');
    }
  }
}

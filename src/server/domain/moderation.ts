/**
 * Safety without tracking: reports (who, whom, why, when; never chat text),
 * blocks that hold forever, automatic suspension after reports from several
 * established people on distinct networks (reporterWeight.ts), and what a
 * moderator can do.
 */
import type { ClientFrameOf } from '../../shared/protocol.js';
import type { Config } from '../config.js';
import type { ReportRecord, Store } from '../store/store.js';
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

  async suspend(accountId: string, until: string): Promise<boolean> {
    if (!(await this.store.setSuspension(accountId, until))) return false;
    this.revocations.emit({ accountId, tokenHashes: 'all', suspendedUntil: until });
    return true;
  }

  async unsuspend(accountId: string): Promise<boolean> {
    return this.store.setSuspension(accountId, null);
  }

  openReports(limit = 100): Promise<ReportRecord[]> {
    return this.store.openReports(limit);
  }

  /** `unfounded` lowers the weight of that reporter's later reports. */
  closeReport(id: string, unfounded = false): Promise<boolean> {
    return this.store.closeReport(id, unfounded ? 'unfounded' : 'closed');
  }

  /** Purges reports against erased accounts past their retention, now and every hour; forgets old report networks. */
  async startRetentionSweep(onError: (err: unknown) => void): Promise<void> {
    const sweep = () => {
      this.networks.sweep();
      return this.store.purgeErasedReports(new Date(Date.now() - ERASED_REPORT_RETENTION_MS).toISOString()).catch(onError);
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
      await this.suspend(accountId, new Date(Date.now() + this.safety.suspensionMs).toISOString());
    }
  }
}

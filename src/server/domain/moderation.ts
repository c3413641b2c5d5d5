/**
 * Safety without tracking: reports (who, whom, why, when; never chat text),
 * blocks that hold forever, automatic suspension after reports from several
 * distinct people, and what a moderator can do.
 */
import type { ClientFrameOf } from '../../shared/protocol.js';
import { isAiAccount } from '../ai/aiPartner.js';
import type { Config } from '../config.js';
import type { ReportRecord, Store } from '../store/store.js';
import type { Connections, FrameResult } from './connections.js';
import type { Lobby } from './lobby.js';
import type { Revocations } from './revocations.js';
import { newId } from './secrets.js';

const NOT_IN_CHAT = { code: 'not_in_chat', message: 'You can only report or block someone you chatted with just now.' } as const;

export class Moderation {
  constructor(
    private readonly store: Store,
    private readonly lobby: Lobby,
    private readonly connections: Connections,
    private readonly revocations: Revocations,
    private readonly safety: Config['safety'],
  ) {}

  async report(accountId: string, frame: ClientFrameOf<'report'>): Promise<FrameResult> {
    const partner = this.partnerIn(frame.chatId, accountId);
    if (!partner) return { error: NOT_IN_CHAT };
    // An AI partner has no account to moderate; the report is acknowledged and not kept.
    if (isAiAccount(partner)) return { reply: { type: 'reported', chatId: frame.chatId } };
    await this.store.createReport({
      id: newId(),
      reporterId: accountId,
      reportedId: partner,
      reason: frame.reason,
      note: frame.note?.trim() || null,
      createdAt: new Date().toISOString(),
      status: 'open',
    });
    await this.suspendIfReportedEnough(partner);
    return { reply: { type: 'reported', chatId: frame.chatId } };
  }

  async block(accountId: string, chatId: string): Promise<FrameResult> {
    const partner = this.partnerIn(chatId, accountId);
    if (!partner) return { error: NOT_IN_CHAT };
    if (isAiAccount(partner)) {
      this.lobby.keepBlockedApart(accountId, partner, chatId); // ends the chat; nothing to store
      return {};
    }
    await this.store.block(accountId, partner, new Date().toISOString());
    this.lobby.keepBlockedApart(accountId, partner, chatId);
    await this.connections.removeBetween(accountId, partner);
    return {};
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

  closeReport(id: string): Promise<boolean> {
    return this.store.closeReport(id);
  }

  private partnerIn(chatId: string, accountId: string): string | undefined {
    const members = this.lobby.members(chatId, accountId);
    if (!members) return undefined;
    return members[0].id === accountId ? members[1].id : members[0].id;
  }

  /** Distinct reporters within the window, an `underage` report counting double (P13). */
  private async suspendIfReportedEnough(accountId: string): Promise<void> {
    const since = new Date(Date.now() - this.safety.reportWindowMs).toISOString();
    const reporters = await this.store.reportersAgainst(accountId, since);
    const weight = reporters.reduce((sum, r) => sum + (r.underage ? 2 : 1), 0);
    if (weight >= this.safety.reportThreshold) {
      await this.suspend(accountId, new Date(Date.now() + this.safety.suspensionMs).toISOString());
    }
  }
}

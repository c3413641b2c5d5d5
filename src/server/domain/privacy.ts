/** The data rights of P9 and P14: see everything we keep (export), and erase it (delete everything). */
import type { Broker } from '../broker/broker.js';
import type { Store } from '../store/store.js';
import { toMe } from './accounts.js';
import { toOfflineMessage } from './connections.js';
import type { Revocations } from './revocations.js';

export const EXPORT_FORMAT = 'metsony-export/1';
/** Far more audit entries than a year of moderation ever writes about one account. */
const EXPORT_AUDIT_LIMIT = 10_000;

export class Privacy {
  constructor(
    private readonly store: Store,
    private readonly broker: Broker,
    private readonly revocations: Revocations,
  ) {}

  /** Every stored datum about the account; the shape is documented in docs/data-model.md. */
  async export(accountId: string, currentTokenHash: string) {
    const account = await this.store.account(accountId);
    if (!account) return undefined;
    const [connections, received, sent, sessions, blocks, reports, identities, keys, moderation] = await Promise.all([
      this.store.connectionsOf(accountId),
      this.store.inbox(accountId),
      this.store.outbox(accountId),
      this.store.sessionsOf(accountId),
      this.store.blocksBy(accountId),
      this.store.reportsBy(accountId),
      this.store.identitiesOf(accountId),
      this.store.accountKeys(accountId),
      this.store.auditLog({ accountId, limit: EXPORT_AUDIT_LIMIT }),
    ]);
    return {
      format: EXPORT_FORMAT,
      exportedAt: new Date().toISOString(),
      account: { ...toMe(account), suspendedUntil: account.suspendedUntil },
      recoveryCode: { stored: 'a keyed hash only (HMAC-SHA-256 with a server secret); the code itself is never kept' },
      sessions: sessions.map((s) => ({ createdAt: s.createdAt, current: s.tokenHash === currentTokenHash, id: s.id, lastUsedAt: s.lastUsedAt })),
      connections: connections.map((c) => ({ id: c.id, nickname: c.partnerNickname, since: c.since, unread: c.unread })),
      offlineMessages: { received: received.map(toOfflineMessage), sent: sent.map(toOfflineMessage) },
      blocks: blocks.map((b) => ({ accountId: b.blockedId, createdAt: b.createdAt })),
      // `attached`: the messages this account attached to its report, while they are kept (docs/data-model.md).
      reports: reports.map((r) => ({ id: r.id, accountId: r.reportedId, reason: r.reason, note: r.note, createdAt: r.createdAt, status: r.status, attached: r.attached })),
      linkedIdentities: identities,
      // The wrapped private key is left out on purpose: a copy of it is only a target for guessing the code (docs/encryption.md).
      identityKey: keys
        ? { publicKey: keys.publicKey, privateKey: keys.wrappedKey ? 'stored only wrapped under your recovery code; not in this file' : 'not stored' }
        : null,
      // What moderators did to the account (the reports behind it are other people's, and are not shown).
      moderation: moderation.map((e) => ({ action: e.action, at: e.at, by: e.actor, until: e.until })),
    };
  }

  /** Erases the account and everything attached to it; former connections are told. */
  async deleteEverything(accountId: string): Promise<void> {
    const former = await this.store.deleteAccount(accountId);
    this.revocations.emit({ accountId, tokenHashes: 'all' });
    for (const { connectionId, partnerId } of former) {
      this.broker.publish(partnerId, { type: 'connection_removed', connectionId });
    }
  }
}

import { describe, expect, it } from 'vitest';
import type { QueuedReport } from '../../src/web/moderatorApi.js';
import { queueOrder } from '../../src/web/store/moderation.js';

const report = (id: string, reason: QueuedReport['reason']): QueuedReport => ({
  id,
  reporterId: 'r',
  reportedId: 'x',
  reason,
  note: null,
  createdAt: '2026-12-03T00:00:00.000Z',
  status: 'open',
  attached: null,
  reporters: 1,
});

describe('the moderator console queue', () => {
  it('puts reports of possible minors on top (P13), each group in the order the server sent (newest first)', () => {
    const fromServer = [report('a', 'spam'), report('b', 'underage'), report('c', 'other'), report('d', 'underage')];
    expect(queueOrder(fromServer).map((r) => r.id)).toEqual(['b', 'd', 'a', 'c']);
    expect(fromServer.map((r) => r.id)).toEqual(['a', 'b', 'c', 'd']);
  });
});

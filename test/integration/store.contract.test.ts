/** One suite, every Store: what the service relies on from its database. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/server/domain/secrets.js';
import { IdentityTakenError, InboxFullError, type ReportRecord, type Store } from '../../src/server/store/store.js';
import { storeFactories } from '../helpers/stores.js';

describe.each(storeFactories)('Store contract: $name', (factory) => {
  let store: Store;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    ({ store, dispose } = await factory.open());
  });
  afterEach(async () => {
    await store.close();
    await dispose();
  });

  const account = (id: string) => ({
    id,
    nickname: `nick-${id}`,
    interests: ['chess', 'jazz'],
    createdAt: '2026-11-29T10:00:00.000Z',
    codeHash: hashSecret(`code-${id}`),
  });

  it('answers a ping while open, and refuses it once closed', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
    const other = await factory.open();
    await other.store.close();
    await expect(other.store.ping()).rejects.toThrow();
    await other.dispose();
  });

  it('creates an account with its first session, found by code hash and by token hash', async () => {
    await store.createAccount(account('a1'), hashSecret('token-a1'));
    const expected = { id: 'a1', nickname: 'nick-a1', interests: ['chess', 'jazz'], createdAt: '2026-11-29T10:00:00.000Z', suspendedUntil: null, linkedGoogle: false };
    expect(await store.accountByCodeHash(hashSecret('code-a1'))).toEqual(expected);
    expect(await store.accountByTokenHash(hashSecret('token-a1'))).toEqual(expected);
    expect(await store.account('a1')).toEqual(expected);
    expect(await store.accountByCodeHash(hashSecret('nope'))).toBeUndefined();
    expect(await store.accountByTokenHash(hashSecret('nope'))).toBeUndefined();
  });

  it('refuses a second account with the same code hash, keeping the first intact', async () => {
    await store.createAccount(account('a1'), hashSecret('t1'));
    await expect(store.createAccount({ ...account('a2'), codeHash: hashSecret('code-a1') }, hashSecret('t2'))).rejects.toThrow();
    expect(await store.account('a2')).toBeUndefined();
    expect(await store.accountByTokenHash(hashSecret('t2'))).toBeUndefined();
  });

  it('updates nickname and interests independently', async () => {
    await store.createAccount(account('a1'), hashSecret('t1'));
    expect(await store.updateAccount('a1', { nickname: 'new' })).toMatchObject({ nickname: 'new', interests: ['chess', 'jazz'] });
    expect(await store.updateAccount('a1', { interests: [] })).toMatchObject({ nickname: 'new', interests: [] });
    expect(await store.updateAccount('missing', { nickname: 'x' })).toBeUndefined();
  });

  it('adds and deletes sessions one by one', async () => {
    await store.createAccount(account('a1'), hashSecret('t1'));
    await store.createSession('a1', hashSecret('t2'), '2026-11-29T11:00:00.000Z');
    await store.deleteSession(hashSecret('t1'));
    expect(await store.accountByTokenHash(hashSecret('t1'))).toBeUndefined();
    expect((await store.accountByTokenHash(hashSecret('t2')))?.id).toBe('a1');
  });

  const message = (id: string, recipientId: string, connectionId: string, text = `text-${id}`) => ({
    id,
    connectionId,
    senderId: recipientId === 'a1' ? 'a2' : 'a1',
    recipientId,
    text,
    createdAt: `2026-11-29T12:00:00.${id.padStart(3, '0').slice(-3)}Z`,
  });

  it('connects a pair once, whichever side asks, and lists it from both sides', async () => {
    await store.createAccount(account('a1'), hashSecret('t1'));
    await store.createAccount(account('a2'), hashSecret('t2'));
    const first = await store.connect('a2', 'a1', 'c1', '2026-11-29T12:00:00.000Z');
    const again = await store.connect('a1', 'a2', 'c-other', '2026-11-29T13:00:00.000Z');
    expect(again).toEqual(first);
    expect(await store.connection('c1')).toEqual(first);
    expect(await store.connectionsOf('a1')).toEqual([{ id: 'c1', partnerId: 'a2', partnerNickname: 'nick-a2', since: '2026-11-29T12:00:00.000Z', unread: 0, partnerPublicKey: null }]);
    expect((await store.connectionsOf('a2'))[0]).toMatchObject({ id: 'c1', partnerId: 'a1', partnerNickname: 'nick-a1' });
  });

  it('stores offline messages within limits, lists them in order, deletes only the recipient’s', async () => {
    await store.createAccount(account('a1'), hashSecret('t1'));
    await store.createAccount(account('a2'), hashSecret('t2'));
    await store.connect('a1', 'a2', 'c1', '2026-11-29T12:00:00.000Z');
    const limits = { perConnection: 2, total: 10 };
    await store.storeOfflineMessage(message('1', 'a2', 'c1'), limits);
    await store.storeOfflineMessage(message('2', 'a2', 'c1'), limits);
    await expect(store.storeOfflineMessage(message('3', 'a2', 'c1'), limits)).rejects.toBeInstanceOf(InboxFullError);
    await store.storeOfflineMessage(message('4', 'a1', 'c1'), limits);
    expect((await store.inbox('a2')).map((m) => m.id)).toEqual(['1', '2']);
    expect((await store.connectionsOf('a2'))[0]!.unread).toBe(2);
    expect(await store.deleteMessages('a1', ['1', '2'])).toBe(0);
    expect(await store.deleteMessages('a2', ['1', '4', 'nope'])).toBe(1);
    expect((await store.inbox('a2')).map((m) => m.id)).toEqual(['2']);
    expect((await store.inbox('a1')).map((m) => m.id)).toEqual(['4']);
  });

  it('deleting a connection deletes the messages waiting between the two', async () => {
    await store.createAccount(account('a1'), hashSecret('t1'));
    await store.createAccount(account('a2'), hashSecret('t2'));
    await store.connect('a1', 'a2', 'c1', '2026-11-29T12:00:00.000Z');
    await store.storeOfflineMessage(message('1', 'a2', 'c1'), { perConnection: 5, total: 5 });
    await store.deleteConnection('c1');
    expect(await store.connection('c1')).toBeUndefined();
    expect(await store.inbox('a2')).toEqual([]);
    expect(await store.connectionsOf('a1')).toEqual([]);
  });

  it('links a Google identity to one account only, finds the account by it, and unlinks', async () => {
    await store.createAccount(account('a1'), hashSecret('t1'));
    await store.createAccount(account('a2'), hashSecret('t2'));
    const identity = { provider: 'google' as const, subject: 'sub-1', email: 'x@example.test', createdAt: '2026-11-29T12:00:00.000Z' };
    await store.linkIdentity('a1', identity);
    expect((await store.account('a1'))?.linkedGoogle).toBe(true);
    expect((await store.accountByIdentity('google', 'sub-1'))?.id).toBe('a1');
    expect((await store.accountByTokenHash(hashSecret('t1')))?.linkedGoogle).toBe(true);
    await expect(store.linkIdentity('a2', identity)).rejects.toBeInstanceOf(IdentityTakenError);
    // re-linking another Google account replaces the first
    await store.linkIdentity('a1', { ...identity, subject: 'sub-2' });
    expect(await store.identitiesOf('a1')).toEqual([{ ...identity, subject: 'sub-2' }]);
    expect(await store.accountByIdentity('google', 'sub-1')).toBeUndefined();
    expect(await store.unlinkIdentity('a1', 'google')).toBe(true);
    expect(await store.unlinkIdentity('a1', 'google')).toBe(false);
    expect((await store.account('a1'))?.linkedGoogle).toBe(false);
    await store.linkIdentity('a2', identity);
    await store.deleteAccount('a2');
    expect(await store.accountByIdentity('google', 'sub-1')).toBeUndefined();
  });

  it('keeps reports against an erased account under one pseudonym, erases its own, and purges pseudonymous ones by age', async () => {
    for (const id of ['r1', 'r2', 'gone']) await store.createAccount(account(id), hashSecret(`t-${id}`));
    const report = (id: string, reporterId: string, reportedId: string, createdAt: string) =>
      store.createReport({ id, reporterId, reportedId, reason: 'harassment', note: null, createdAt, status: 'open' });
    await report('old', 'r1', 'gone', '2026-01-01T00:00:00.000Z');
    await report('new', 'r2', 'gone', '2026-11-29T00:00:00.000Z');
    await report('own', 'gone', 'r1', '2026-11-29T00:00:00.000Z');
    await report('live', 'r2', 'r1', '2026-01-01T00:00:00.000Z');
    await store.deleteAccount('gone');
    const open = await store.openReports(100);
    expect(open.map((r) => r.id).sort()).toEqual(['live', 'new', 'old']);
    const kept = open.filter((r) => r.id !== 'live');
    expect(kept[0]!.reportedId).toMatch(/^erased-/);
    expect(kept[1]!.reportedId).toBe(kept[0]!.reportedId);
    expect(await store.purgeErasedReports('2026-06-01T00:00:00.000Z')).toBe(1);
    expect((await store.openReports(100)).map((r) => r.id).sort()).toEqual(['live', 'new']);
    expect(await store.closeReport('live', 'unfounded')).toBe(true);
    expect((await store.reportsBy('r2')).find((r) => r.id === 'live')?.status).toBe('unfounded');
  });

  it('keeps the messages attached to a report until it is decided on or purged by age; the report stays', async () => {
    for (const id of ['r1', 'bad']) await store.createAccount(account(id), hashSecret(`t-${id}`));
    const lines = [
      { from: 'partner', text: 'first, with "quotes" and \\ and 😀' },
      { from: 'me', text: 'second' },
    ] as const;
    const report = (id: string, createdAt: string, attached?: typeof lines) =>
      store.createReport({ id, reporterId: 'r1', reportedId: 'bad', reason: 'harassment', note: null, createdAt, status: 'open', ...(attached ? { attached: [...attached] } : {}) });
    await report('closed-one', '2026-11-20T00:00:00.000Z', lines);
    await report('old', '2026-11-01T00:00:00.000Z', lines);
    await report('recent', '2026-11-29T00:00:00.000Z', lines);
    await report('plain', '2026-11-01T00:00:00.000Z');
    const attachedOf = async () => Object.fromEntries((await store.reportsBy('r1')).map((r) => [r.id, r.attached]));
    expect(await attachedOf()).toEqual({ 'closed-one': lines, old: lines, recent: lines, plain: null });
    expect((await store.openReportsNewest({ limit: 10 })).find((r) => r.id === 'recent')?.attached).toEqual(lines);
    expect((await store.reportsAgainst('bad', 10)).find((r) => r.id === 'old')?.attached).toEqual(lines);

    expect(await store.closeReport('closed-one', 'dismissed', { id: 'e1', at: '2026-11-30T00:00:00.000Z', actor: 'moderator' })).toBe(true);
    expect(await attachedOf()).toEqual({ 'closed-one': null, old: lines, recent: lines, plain: null });
    expect(await store.purgeReportAttachments('2026-11-15T00:00:00.000Z')).toBe(1);
    expect(await store.purgeReportAttachments('2026-11-15T00:00:00.000Z')).toBe(0);
    expect(await attachedOf()).toEqual({ 'closed-one': null, old: null, recent: lines, plain: null });
    expect(Object.fromEntries((await store.reportsBy('r1')).map((r) => [r.id, r.status]))).toEqual({ old: 'open', plain: 'open', 'closed-one': 'dismissed', recent: 'open' });
  });

  it('lists an account’s sessions oldest first; none for an unknown account', async () => {
    await store.createAccount(account('a1'), hashSecret('t1'));
    await store.createSession('a1', hashSecret('t3'), '2026-11-29T12:00:00.000Z');
    await store.createSession('a1', hashSecret('t2'), '2026-11-29T11:00:00.000Z');
    const sessions = await store.sessionsOf('a1');
    expect(sessions.map((x) => x.tokenHash)).toEqual([hashSecret('t1'), hashSecret('t2'), hashSecret('t3')]);
    expect(sessions[1]).toEqual({ id: expect.any(String), tokenHash: hashSecret('t2'), createdAt: '2026-11-29T11:00:00.000Z', lastUsedAt: '2026-11-29T11:00:00.000Z' });
    expect(sessions[0]!.id).not.toBe(sessions[1]!.id); // a public id of its own, not the token hash
    expect(sessions.map((x) => x.id)).not.toContain(hashSecret('t2'));
    expect(await store.sessionsOf('missing')).toEqual([]);
    // a session hash cannot belong to two accounts
    await store.createAccount(account('a2'), hashSecret('t-a2'));
    await expect(store.createSession('a2', hashSecret('t1'), '2026-11-29T13:00:00.000Z')).rejects.toThrow();
    expect((await store.accountByTokenHash(hashSecret('t1')))?.id).toBe('a1');
  });

  it('finds a session by token, records its use, deletes it by public id or when idle', async () => {
    await store.createAccount(account('a1'), hashSecret('t1'));
    await store.createSession('a1', hashSecret('t2'), '2026-11-29T11:00:00.000Z');
    await store.createAccount(account('a2'), hashSecret('t-a2'));
    const found = await store.sessionByTokenHash(hashSecret('t2'));
    expect(found?.account.id).toBe('a1');
    expect(found?.session).toMatchObject({ tokenHash: hashSecret('t2'), lastUsedAt: '2026-11-29T11:00:00.000Z' });
    expect(await store.sessionByTokenHash(hashSecret('nope'))).toBeUndefined();

    await store.touchSession(hashSecret('t2'), '2026-11-30T11:00:00.000Z');
    expect((await store.sessionByTokenHash(hashSecret('t2')))?.session.lastUsedAt).toBe('2026-11-30T11:00:00.000Z');

    const t1 = (await store.sessionByTokenHash(hashSecret('t1')))!.session;
    // another account cannot delete it; the owner gets back the token hash it had
    expect(await store.deleteSessionById('a2', t1.id)).toBeUndefined();
    expect(await store.deleteSessionById('a1', t1.id)).toBe(hashSecret('t1'));
    expect(await store.accountByTokenHash(hashSecret('t1'))).toBeUndefined();
    expect(await store.deleteSessionById('a1', t1.id)).toBeUndefined();

    // idle: t-a2 was last used when a2 signed up (11-29 10:00); t2 was used after the cut-off
    expect(await store.deleteIdleSessions('2026-11-30T00:00:00.000Z')).toBe(1);
    expect(await store.accountByTokenHash(hashSecret('t-a2'))).toBeUndefined();
    expect((await store.accountByTokenHash(hashSecret('t2')))?.id).toBe('a1');
  });

  it('keys code hashes once under a pepper check value, and swaps one hash only if unchanged', async () => {
    await store.createAccount(account('a1'), hashSecret('t1'));
    await store.createAccount(account('a2'), hashSecret('t-a2'));
    expect(await store.serverValue('pepper-check')).toBeUndefined();
    expect(await store.pepperCodeHashes('pepper-check', 'check-1', (h) => `k:${h}`)).toBe(2);
    expect(await store.serverValue('pepper-check')).toBe('check-1');
    expect((await store.accountByCodeHash(`k:${hashSecret('code-a1')}`))?.id).toBe('a1');
    // a second run finds the check value and rehashes nothing
    expect(await store.pepperCodeHashes('pepper-check', 'check-1', (h) => `again:${h}`)).toBe(0);
    expect((await store.accountByCodeHash(`k:${hashSecret('code-a2')}`))?.id).toBe('a2');

    expect(await store.replaceCodeHash('a1', 'not-its-hash', 'x')).toBe(false);
    expect(await store.replaceCodeHash('a1', `k:${hashSecret('code-a1')}`, 'new-hash')).toBe(true);
    expect((await store.accountByCodeHash('new-hash'))?.id).toBe('a1');

    await store.setServerValue('other', 'v');
    expect(await store.serverValue('other')).toBe('v');
    await store.setServerValue('other', null);
    expect(await store.serverValue('other')).toBeUndefined();
  });

  it('rotating the recovery code replaces the code and every session with one new session', async () => {
    await store.createAccount(account('a1'), hashSecret('t1'));
    await store.createSession('a1', hashSecret('t2'), '2026-11-29T11:00:00.000Z');
    await store.createAccount(account('other'), hashSecret('t-other'));
    await store.rotateRecoveryCode('a1', hashSecret('new-code'), hashSecret('t-new'), '2026-11-29T14:00:00.000Z');
    expect(await store.accountByCodeHash(hashSecret('code-a1'))).toBeUndefined();
    expect((await store.accountByCodeHash(hashSecret('new-code')))?.id).toBe('a1');
    expect(await store.accountByTokenHash(hashSecret('t1'))).toBeUndefined();
    expect(await store.accountByTokenHash(hashSecret('t2'))).toBeUndefined();
    expect(await store.sessionsOf('a1')).toEqual([
      { id: expect.any(String), tokenHash: hashSecret('t-new'), createdAt: '2026-11-29T14:00:00.000Z', lastUsedAt: '2026-11-29T14:00:00.000Z' },
    ]);
    // nobody else is touched
    expect((await store.accountByTokenHash(hashSecret('t-other')))?.id).toBe('other');
    expect((await store.accountByCodeHash(hashSecret('code-other')))?.id).toBe('other');
  });

  it('the total inbox limit counts every connection; the outbox lists what waits, oldest first', async () => {
    for (const id of ['a1', 'a2', 'a3']) await store.createAccount(account(id), hashSecret(`t-${id}`));
    await store.connect('a1', 'a2', 'c12', '2026-11-29T12:00:00.000Z');
    await store.connect('a3', 'a2', 'c32', '2026-11-29T12:00:00.000Z');
    const limits = { perConnection: 5, total: 3 };
    const to = (id: string, from: string, connectionId: string, at: string) => ({ id, connectionId, senderId: from, recipientId: 'a2', text: `t-${id}`, createdAt: at });
    await store.storeOfflineMessage(to('m2', 'a1', 'c12', '2026-11-29T12:00:02.000Z'), limits);
    await store.storeOfflineMessage(to('m1', 'a1', 'c12', '2026-11-29T12:00:01.000Z'), limits);
    await store.storeOfflineMessage(to('m3', 'a3', 'c32', '2026-11-29T12:00:03.000Z'), limits);
    await expect(store.storeOfflineMessage(to('m4', 'a3', 'c32', '2026-11-29T12:00:04.000Z'), limits)).rejects.toBeInstanceOf(InboxFullError);
    expect((await store.inbox('a2')).map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
    expect(await store.outbox('a1')).toEqual([to('m1', 'a1', 'c12', '2026-11-29T12:00:01.000Z'), to('m2', 'a1', 'c12', '2026-11-29T12:00:02.000Z')]);
    expect((await store.outbox('a3')).map((m) => m.id)).toEqual(['m3']);
    expect(await store.outbox('a2')).toEqual([]);
    // a refused message left nothing behind
    expect(await store.deleteMessages('a2', ['m4'])).toBe(0);
    // reading frees room
    expect(await store.deleteMessages('a2', ['m1'])).toBe(1);
    await store.storeOfflineMessage(to('m5', 'a3', 'c32', '2026-11-29T12:00:05.000Z'), limits);
    expect(await store.outbox('a1')).toHaveLength(1);
    expect(await store.deleteMessages('a2', [])).toBe(0);
  });

  it('blocks are idempotent, seen from both sides as pairs, and listed by the blocker only', async () => {
    for (const id of ['a1', 'a2', 'a3']) await store.createAccount(account(id), hashSecret(`t-${id}`));
    await store.block('a1', 'a2', '2026-11-29T12:00:00.000Z');
    await store.block('a1', 'a2', '2026-11-29T13:00:00.000Z');
    await store.block('a3', 'a1', '2026-11-29T11:00:00.000Z');
    await store.block('a1', 'a3', '2026-11-29T14:00:00.000Z');
    expect(await store.blockedPairsOf('a1')).toEqual(new Set(['a2', 'a3']));
    expect(await store.blockedPairsOf('a2')).toEqual(new Set(['a1']));
    expect(await store.blockedPairsOf('a3')).toEqual(new Set(['a1']));
    expect(await store.blockedPairsOf('nobody')).toEqual(new Set());
    expect(await store.blocksBy('a1')).toEqual([
      { blockedId: 'a2', createdAt: '2026-11-29T12:00:00.000Z' },
      { blockedId: 'a3', createdAt: '2026-11-29T14:00:00.000Z' },
    ]);
    expect(await store.blocksBy('a2')).toEqual([]);
  });

  it('erasing an account removes its sessions, identities, connections, messages both ways and blocks both ways, and names its former connections', async () => {
    for (const id of ['gone', 'p1', 'p2', 'p3']) await store.createAccount(account(id), hashSecret(`t-${id}`));
    await store.createSession('gone', hashSecret('t-gone-2'), '2026-11-29T11:00:00.000Z');
    await store.linkIdentity('gone', { provider: 'google', subject: 'sub-gone', email: null, createdAt: '2026-11-29T11:00:00.000Z' });
    await store.connect('gone', 'p1', 'c1', '2026-11-29T12:00:00.000Z');
    await store.connect('p2', 'gone', 'c2', '2026-11-29T12:00:00.000Z');
    await store.connect('p1', 'p2', 'c-kept', '2026-11-29T12:00:00.000Z');
    const limits = { perConnection: 5, total: 5 };
    const msg = (id: string, connectionId: string, senderId: string, recipientId: string) => ({ id, connectionId, senderId, recipientId, text: id, createdAt: '2026-11-29T12:30:00.000Z' });
    await store.storeOfflineMessage(msg('to-gone', 'c1', 'p1', 'gone'), limits);
    await store.storeOfflineMessage(msg('from-gone', 'c2', 'gone', 'p2'), limits);
    await store.storeOfflineMessage(msg('kept', 'c-kept', 'p1', 'p2'), limits);
    await store.block('gone', 'p3', '2026-11-29T12:00:00.000Z');
    await store.block('p3', 'gone', '2026-11-29T12:00:00.000Z');
    await store.block('p1', 'p3', '2026-11-29T12:00:00.000Z');

    const former = await store.deleteAccount('gone');
    expect(former.sort((x, y) => x.connectionId.localeCompare(y.connectionId))).toEqual([
      { connectionId: 'c1', partnerId: 'p1' },
      { connectionId: 'c2', partnerId: 'p2' },
    ]);
    expect(await store.account('gone')).toBeUndefined();
    expect(await store.accountByCodeHash(hashSecret('code-gone'))).toBeUndefined();
    expect(await store.accountByTokenHash(hashSecret('t-gone'))).toBeUndefined();
    expect(await store.accountByTokenHash(hashSecret('t-gone-2'))).toBeUndefined();
    expect(await store.sessionsOf('gone')).toEqual([]);
    expect(await store.identitiesOf('gone')).toEqual([]);
    expect(await store.connection('c1')).toBeUndefined();
    expect(await store.connection('c2')).toBeUndefined();
    expect((await store.connectionsOf('p1')).map((c) => c.id)).toEqual(['c-kept']);
    expect(await store.outbox('gone')).toEqual([]);
    expect(await store.inbox('gone')).toEqual([]);
    expect((await store.inbox('p2')).map((m) => m.id)).toEqual(['kept']);
    expect(await store.blockedPairsOf('p3')).toEqual(new Set(['p1']));
    expect(await store.blocksBy('gone')).toEqual([]);
    // erasing twice, or someone unknown, is harmless
    expect(await store.deleteAccount('gone')).toEqual([]);
    expect((await store.account('p1'))?.id).toBe('p1');
  });

  it('reports: by reporter oldest first; against an account since a time, one row per reporter with underage if any', async () => {
    for (const id of ['r1', 'r2', 'r3', 'bad']) await store.createAccount(account(id), hashSecret(`t-${id}`));
    const report = (id: string, reporterId: string, reason: ReportRecord['reason'], createdAt: string, note: string | null = null) =>
      ({ id, reporterId, reportedId: 'bad', reason, note, createdAt, status: 'open', attached: null }) as const;
    await store.createReport(report('x2', 'r1', 'underage', '2026-11-29T12:00:00.000Z', 'looked about 14'));
    await store.createReport(report('x1', 'r1', 'spam', '2026-11-29T11:00:00.000Z'));
    await store.createReport(report('x3', 'r2', 'harassment', '2026-11-29T12:00:00.000Z'));
    await store.createReport(report('x4', 'r3', 'underage', '2026-11-01T00:00:00.000Z'));
    await expect(store.createReport(report('x1', 'r2', 'spam', '2026-11-29T13:00:00.000Z'))).rejects.toThrow();
    expect(await store.reportsBy('r1')).toEqual([report('x1', 'r1', 'spam', '2026-11-29T11:00:00.000Z'), report('x2', 'r1', 'underage', '2026-11-29T12:00:00.000Z', 'looked about 14')]);
    expect(await store.reportsBy('bad')).toEqual([]);
    const since = (at: string) => store.reportersAgainst('bad', at).then((rows) => rows.sort((x, y) => x.reporterId.localeCompare(y.reporterId)));
    expect(await since('2026-11-29T00:00:00.000Z')).toEqual([
      { reporterId: 'r1', underage: true },
      { reporterId: 'r2', underage: false },
    ]);
    expect(await since('2026-11-29T11:30:00.000Z')).toEqual([
      { reporterId: 'r1', underage: true },
      { reporterId: 'r2', underage: false },
    ]);
    expect(await since('2026-11-29T12:00:00.001Z')).toEqual([]);
    expect((await since('2026-01-01T00:00:00.000Z')).map((r) => r.reporterId)).toEqual(['r1', 'r2', 'r3']);
    expect(await store.reportersAgainst('r1', '2026-01-01T00:00:00.000Z')).toEqual([]);
  });

  it('open reports: minors first, then oldest first, at most `limit`; closed ones leave the list', async () => {
    for (const id of ['r1', 'bad']) await store.createAccount(account(id), hashSecret(`t-${id}`));
    const report = (id: string, reason: ReportRecord['reason'], createdAt: string) =>
      store.createReport({ id, reporterId: 'r1', reportedId: 'bad', reason, note: null, createdAt, status: 'open' });
    await report('old-spam', 'spam', '2026-11-01T00:00:00.000Z');
    await report('new-minor', 'underage', '2026-11-29T00:00:00.000Z');
    await report('mid-other', 'other', '2026-11-15T00:00:00.000Z');
    await report('old-minor', 'underage', '2026-11-10T00:00:00.000Z');
    expect((await store.openReports(100)).map((r) => r.id)).toEqual(['old-minor', 'new-minor', 'old-spam', 'mid-other']);
    expect((await store.openReports(2)).map((r) => r.id)).toEqual(['old-minor', 'new-minor']);
    expect(await store.closeReport('old-minor')).toBe(true);
    expect(await store.closeReport('nope')).toBe(false);
    expect((await store.openReports(100)).map((r) => r.id)).toEqual(['new-minor', 'old-spam', 'mid-other']);
    expect((await store.reportsBy('r1')).find((r) => r.id === 'old-minor')?.status).toBe('closed');
  });

  it('open reports newest first, paged by (time, id); distinct reporters per account; an account\u2019s history newest first', async () => {
    for (const id of ['r1', 'r2', 'bad', 'other']) await store.createAccount(account(id), hashSecret(`t-${id}`));
    const report = (id: string, reporterId: string, reportedId: string, createdAt: string) =>
      store.createReport({ id, reporterId, reportedId, reason: 'spam', note: null, createdAt, status: 'open' });
    await report('a', 'r1', 'bad', '2026-11-01T00:00:00.000Z');
    await report('b', 'r1', 'bad', '2026-11-02T00:00:00.000Z');
    await report('c', 'r2', 'bad', '2026-11-02T00:00:00.000Z');
    await report('d', 'r2', 'other', '2026-11-03T00:00:00.000Z');
    const ids = async (page: Parameters<Store['openReportsNewest']>[0]) => (await store.openReportsNewest(page)).map((r) => r.id);
    expect(await ids({ limit: 10 })).toEqual(['d', 'c', 'b', 'a']);
    expect(await ids({ limit: 2 })).toEqual(['d', 'c']);
    // the page after 'c' starts with 'b', which has the same time and a smaller id
    expect(await ids({ limit: 2, before: { at: '2026-11-02T00:00:00.000Z', id: 'c' } })).toEqual(['b', 'a']);
    expect(Object.fromEntries(await store.reporterCounts(['bad', 'other', 'r1']))).toEqual({ bad: 2, other: 1, r1: 0 });
    expect(await store.closeReport('b', 'dismissed')).toBe(true);
    expect(await ids({ limit: 10 })).toEqual(['d', 'c', 'a']);
    expect(Object.fromEntries(await store.reporterCounts(['bad']))).toEqual({ bad: 2 }); // handled reports still count
    const history = await store.reportsAgainst('bad', 10);
    expect(history.map((r) => [r.id, r.status])).toEqual([['c', 'open'], ['b', 'dismissed'], ['a', 'open']]);
    expect((await store.reportsAgainst('bad', 1)).map((r) => r.id)).toEqual(['c']);
  });

  it('audit log: a stamped suspension or report decision writes its entry; newest first, paged, by account; erased with the account; purged by age', async () => {
    for (const id of ['r1', 'bad', 'gone']) await store.createAccount(account(id), hashSecret(`t-${id}`));
    await store.createReport({ id: 'rep', reporterId: 'r1', reportedId: 'gone', reason: 'spam', note: null, createdAt: '2026-11-01T00:00:00.000Z', status: 'open' });
    await store.createReport({ id: 'mine', reporterId: 'gone', reportedId: 'bad', reason: 'other', note: null, createdAt: '2026-11-01T00:00:00.000Z', status: 'open' });
    const stamp = (id: string, at: string, actor: 'moderator' | 'automatic' = 'moderator') => ({ id, at, actor });
    expect(await store.setSuspension('bad', '2026-12-10T00:00:00.000Z', stamp('e1', '2026-12-01T00:00:00.000Z', 'automatic'))).toBe(true);
    expect(await store.setSuspension('bad', null, stamp('e2', '2026-12-02T00:00:00.000Z'))).toBe(true);
    expect(await store.setSuspension('missing', null, stamp('x', '2026-12-02T00:00:00.000Z'))).toBe(false);
    expect(await store.closeReport('rep', 'unfounded', stamp('e3', '2026-12-03T00:00:00.000Z'))).toBe(true);
    expect(await store.closeReport('nope', 'closed', stamp('y', '2026-12-03T00:00:00.000Z'))).toBe(false);
    expect(await store.closeReport('mine', 'closed', stamp('e4', '2026-12-03T00:00:00.000Z'))).toBe(true);
    expect(await store.setSuspension('gone', '2026-12-10T00:00:00.000Z', stamp('e5', '2026-12-04T00:00:00.000Z'))).toBe(true);
    expect(await store.closeReport('mine', 'dismissed')).toBe(true); // no stamp, no entry
    const entry = (id: string, at: string, action: string, fields: { reportId?: string; accountId?: string; until?: string; actor?: string } = {}) => ({
      id,
      at,
      action,
      actor: fields.actor ?? 'moderator',
      reportId: fields.reportId ?? null,
      accountId: fields.accountId ?? null,
      until: fields.until ?? null,
    });
    const all = [
      entry('e5', '2026-12-04T00:00:00.000Z', 'suspend', { accountId: 'gone', until: '2026-12-10T00:00:00.000Z' }),
      entry('e4', '2026-12-03T00:00:00.000Z', 'close', { reportId: 'mine', accountId: 'bad' }),
      entry('e3', '2026-12-03T00:00:00.000Z', 'unfounded', { reportId: 'rep', accountId: 'gone' }),
      entry('e2', '2026-12-02T00:00:00.000Z', 'unsuspend', { accountId: 'bad' }),
      entry('e1', '2026-12-01T00:00:00.000Z', 'suspend', { accountId: 'bad', until: '2026-12-10T00:00:00.000Z', actor: 'automatic' }),
    ];
    expect(await store.auditLog({ limit: 10 })).toEqual(all);
    expect(await store.auditLog({ limit: 2, before: { at: '2026-12-03T00:00:00.000Z', id: 'e4' } })).toEqual(all.slice(2, 4));
    expect((await store.auditLog({ limit: 10, accountId: 'bad' })).map((e) => e.id)).toEqual(['e4', 'e2', 'e1']);
    // erasing 'gone' takes the entries naming it; the one about the report it filed names only 'bad' and stays
    await store.deleteAccount('gone');
    expect((await store.auditLog({ limit: 10 })).map((e) => e.id)).toEqual(['e4', 'e2', 'e1']);
    expect(await store.purgeAuditLog('2026-12-02T00:00:00.000Z')).toBe(1);
    expect((await store.auditLog({ limit: 10 })).map((e) => e.id)).toEqual(['e4', 'e2']);
  });

  it('sets and clears a suspension, seen by every lookup; false for an unknown account', async () => {
    await store.createAccount(account('a1'), hashSecret('t1'));
    const until = '2026-12-06T10:00:00.000Z';
    expect(await store.setSuspension('a1', until)).toBe(true);
    expect((await store.account('a1'))?.suspendedUntil).toBe(until);
    expect((await store.accountByTokenHash(hashSecret('t1')))?.suspendedUntil).toBe(until);
    expect((await store.accountByCodeHash(hashSecret('code-a1')))?.suspendedUntil).toBe(until);
    await store.linkIdentity('a1', { provider: 'google', subject: 's', email: null, createdAt: '2026-11-29T12:00:00.000Z' });
    expect((await store.accountByIdentity('google', 's'))?.suspendedUntil).toBe(until);
    expect(await store.setSuspension('a1', null)).toBe(true);
    expect((await store.account('a1'))?.suspendedUntil).toBeNull();
    expect(await store.setSuspension('missing', until)).toBe(false);
    expect(await store.account('missing')).toBeUndefined();
  });

  it('identity keys: set and replaced, seen by connections, the wrap dropped by a code rotation, all gone with the account', async () => {
    await store.createAccount(account('a1'), hashSecret('t1'));
    await store.createAccount(account('a2'), hashSecret('t2'));
    await store.connect('a1', 'a2', 'c1', '2026-11-29T12:00:00.000Z');
    expect(await store.accountKeys('a1')).toBeUndefined();
    const keys = { publicKey: 'P'.repeat(43), wrappedKey: '{"w":"wrap-one"}', updatedAt: '2026-11-29T12:00:00.000Z' };
    await store.setAccountKeys('a1', keys);
    await store.setAccountKeys('a1', { ...keys, wrappedKey: '{"w":"wrap-two"}' });
    expect(await store.accountKeys('a1')).toEqual({ ...keys, wrappedKey: '{"w":"wrap-two"}' });
    expect((await store.connectionsOf('a2'))[0]?.partnerPublicKey).toBe(keys.publicKey);
    expect((await store.connectionsOf('a1'))[0]?.partnerPublicKey).toBeNull();
    await store.rotateRecoveryCode('a1', hashSecret('new-code'), hashSecret('t-new'), '2026-11-29T14:00:00.000Z');
    expect(await store.accountKeys('a1')).toEqual({ publicKey: keys.publicKey, wrappedKey: null, updatedAt: '2026-11-29T14:00:00.000Z' });
    await store.storeOfflineMessage({ ...message('1', 'a1', 'c1'), sealed: true }, { perConnection: 5, total: 5 });
    expect((await store.inbox('a1'))[0]?.sealed).toBe(true);
    await store.deleteAccount('a1');
    expect(await store.accountKeys('a1')).toBeUndefined();
  });

  it('keeps nicknames and interests exactly as given (Unicode, order)', async () => {
    await store.createAccount({ ...account('a1'), nickname: 'Zoë 🦊', interests: ['über', 'chess', '日本'] }, hashSecret('t1'));
    expect(await store.account('a1')).toMatchObject({ nickname: 'Zoë 🦊', interests: ['über', 'chess', '日本'] });
  });
});

/** One suite, every Store: what the service relies on from its database. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/server/domain/secrets.js';
import { IdentityTakenError, InboxFullError, type Store } from '../../src/server/store/store.js';
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
    expect(await store.connectionsOf('a1')).toEqual([{ id: 'c1', partnerId: 'a2', partnerNickname: 'nick-a2', since: '2026-11-29T12:00:00.000Z', unread: 0 }]);
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
});

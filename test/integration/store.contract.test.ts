/** One suite, every Store: what the service relies on from its database. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/server/domain/secrets.js';
import type { Store } from '../../src/server/store/store.js';
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
    const expected = { id: 'a1', nickname: 'nick-a1', interests: ['chess', 'jazz'], createdAt: '2026-11-29T10:00:00.000Z' };
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
});

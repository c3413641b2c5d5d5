/**
 * Log out while a sign-in is still unwrapping the identity key (scrypt takes
 * a second or more): the key that comes out afterwards is not kept, in memory
 * or in localStorage.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { IdentityKeys } from '../../src/web/crypto/identity.js';
import { MemoryStorage } from '../helpers/memoryStorage.js';

let finishUnwrap: ((keys: IdentityKeys) => void) | undefined;

vi.mock('../../src/web/api.js', async (original) => ({
  ...(await original<typeof import('../../src/web/api.js')>()),
  getKeys: async () => ({ publicKey: 'stored-public-key', wrapped: { kdf: 'scrypt' } }),
}));
vi.mock('../../src/web/crypto/identity.js', async (original) => ({
  ...(await original<typeof import('../../src/web/crypto/identity.js')>()),
  unwrapIdentity: () => new Promise<IdentityKeys>((resolve) => (finishUnwrap = resolve)),
}));

let identity: typeof import('../../src/web/store/identity.js');
let storage: typeof import('../../src/web/storage.js');
let crypto: typeof import('../../src/web/crypto/identity.js');

beforeAll(async () => {
  vi.stubGlobal('localStorage', new MemoryStorage());
  identity = await import('../../src/web/store/identity.js');
  storage = await import('../../src/web/storage.js');
  crypto = await import('../../src/web/crypto/identity.js');
});

/** Lets every pending promise continuation run (setImmediate comes after the microtasks). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the identity key and Log out', () => {
  it('a key unwrapped after Log out is neither kept nor stored', async () => {
    identity.unlockIdentity('token', 'some recovery code');
    await vi.waitFor(() => expect(finishUnwrap).toBeDefined(), { timeout: 2000 });
    identity.forgetIdentity();
    finishUnwrap!(crypto.newIdentity());
    await settle();
    expect(storage.loadIdentity()).toBeNull();
    expect(await identity.identityPrivateKey()).toBeNull();
  });

  it('without Log out, the unwrapped key is kept and stored', async () => {
    finishUnwrap = undefined;
    identity.unlockIdentity('token', 'some recovery code');
    await vi.waitFor(() => expect(finishUnwrap).toBeDefined(), { timeout: 2000 });
    const keys = crypto.newIdentity();
    finishUnwrap!(keys);
    expect(await identity.identityPrivateKey()).toEqual(keys.privateKey);
    expect(storage.loadIdentity()).not.toBeNull();
  });
});

/**
 * The identity key's light side (src/web/store/identityKeys.ts): Log out
 * clears the stored key without fetching the encryption code, a sign-up still
 * waiting for the code when the person logs out does not put a key back, and
 * calls made while the code is on its way run in order once it is here.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MemoryStorage } from '../helpers/memoryStorage.js';

/** The encryption code, faked: what it was asked to do, and when it arrives. */
const loader = vi.hoisted(() => ({
  calls: [] as string[],
  loads: 0,
  release: () => undefined as void,
  unload: () => undefined as void,
}));

vi.mock('../../src/web/store/cryptoLoader.js', () => {
  const code = {
    setUpIdentity: (token: string) => void loader.calls.push(`setUp ${token}`),
    unlockIdentity: (token: string) => void loader.calls.push(`unlock ${token}`),
    rewrapIdentity: (token: string) => void loader.calls.push(`rewrap ${token}`),
    forgetIdentity: () => void loader.calls.push('forget'),
    identityPrivateKey: async () => (loader.calls.push('privateKey'), new Uint8Array(32).fill(7)),
  };
  let loaded: typeof code | null = null;
  let loading: Promise<typeof code>;
  loader.unload = () => {
    loaded = null;
    loading = new Promise((resolve) => {
      loader.release = () => resolve((loaded = code));
    });
  };
  loader.unload();
  return {
    loadCrypto: () => {
      loader.loads += 1;
      return loading;
    },
    loadedCrypto: () => loaded,
    warmUpCrypto: () => undefined,
  };
});

let keys: typeof import('../../src/web/store/identityKeys.js');

beforeAll(async () => {
  vi.stubGlobal('localStorage', new MemoryStorage());
  keys = await import('../../src/web/store/identityKeys.js');
});

afterEach(() => {
  keys.forgetIdentity();
  loader.calls.length = 0;
  loader.loads = 0;
  loader.unload();
});

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('the identity key without the encryption code in the page', () => {
  it('Log out clears the stored key at once, without fetching the code', () => {
    localStorage.setItem('metsony.identity', JSON.stringify({ publicKey: 'p', privateKey: 'k' }));
    keys.forgetIdentity();
    expect(localStorage.getItem('metsony.identity')).toBeNull();
    expect(loader.loads).toBe(0);
  });

  it('a sign-up still waiting for the code when the person logs out makes no key; calls run in order once it is here', async () => {
    keys.setUpIdentity('first', 'code one');
    keys.forgetIdentity();
    keys.unlockIdentity('second', 'code two');
    keys.rewrapIdentity('second', 'code three');
    expect(loader.calls).toEqual([]);

    loader.release();
    await settle();
    expect(loader.calls).toEqual(['unlock second', 'rewrap second']);
    // Once the code is here, Log out forgets the key in memory too.
    keys.forgetIdentity();
    expect(loader.calls.at(-1)).toBe('forget');
  });

  it('the private key is asked for after the sign-in in progress', async () => {
    keys.unlockIdentity('t', 'code');
    const privateKey = keys.identityPrivateKey();
    loader.release();
    expect(await privateKey).toEqual(new Uint8Array(32).fill(7));
    expect(loader.calls).toEqual(['unlock t', 'privateKey']);
  });
});

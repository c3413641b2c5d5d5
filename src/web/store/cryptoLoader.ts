/**
 * The end-to-end encryption code (docs/encryption.md: the identity key, the
 * chats' keys, and the libraries under them) is a chunk of its own, fetched
 * the first time it is needed, never with the first page: the first visit
 * (Nickname / Interests / Start chatting) has no use for it.
 *
 * `loadCrypto()` fetches it once; every caller shares the same promise. A
 * failed fetch is forgotten, so the next call tries again. `loadedCrypto()`
 * hands it over synchronously once it is here (null before).
 */
import type * as CryptoCodeModule from './cryptoCode.js';

export type CryptoCode = typeof CryptoCodeModule;

let loading: Promise<CryptoCode> | null = null;
let loaded: CryptoCode | null = null;

export function loadCrypto(): Promise<CryptoCode> {
  loading ??= import('./cryptoCode.js').then(
    (code) => (loaded = code),
    (error: unknown) => {
      loading = null;
      throw error;
    },
  );
  return loading;
}

/** The code, if it is already here. */
export function loadedCrypto(): CryptoCode | null {
  return loaded;
}

/** Starts fetching it now (a search starts, say), so it is here when it is needed. */
export function warmUpCrypto(): void {
  loadCrypto().catch(() => undefined);
}

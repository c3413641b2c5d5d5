/**
 * scrypt for the identity-key wrap (docs/encryption.md), off the main thread:
 * about a second of work that would otherwise hold up the page. In: the
 * password, salt and parameters. Out: the 32-byte key, or `null`.
 */
import { scrypt } from '@noble/hashes/scrypt.js';

type Job = { password: Uint8Array; salt: Uint8Array; logN: number; r: number; p: number };

self.onmessage = (event: MessageEvent<Job>) => {
  const { password, salt, logN, r, p } = event.data;
  try {
    self.postMessage(scrypt(password, salt, { N: 2 ** logN, r, p, dkLen: 32 }));
  } catch {
    self.postMessage(null);
  }
};

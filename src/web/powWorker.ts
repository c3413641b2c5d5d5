/**
 * Solves an ALTCHA challenge off the main thread, so typing stays smooth: the
 * fast path of powSha256.ts for METSONY's own challenges, altcha-lib's solver
 * (WebCrypto) for any other. In: the challenge. Out: the solution, or `null`
 * when it could not be found in time.
 */
import { type Challenge, solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/web/sha';
import { fits, solveFast } from './powSha256.js';

const TIMEOUT_MS = 60_000;

self.onmessage = async (event: MessageEvent<Challenge>) => {
  const challenge = event.data;
  try {
    self.postMessage(fits(challenge) ? solveFast(challenge) : await solveChallenge({ challenge, deriveKey, timeout: TIMEOUT_MS }));
  } catch {
    self.postMessage(null);
  }
};

/**
 * The anti-bot check of the doors (docs/protocol.md, "Challenges"): with
 * proof of work on, a challenge is fetched and solved in a Web Worker while
 * the person types, so it is usually ready when they press the button. Each
 * solution opens one door once; a refused one is replaced and the request
 * tried once more. With Turnstile, the widget's token is the proof instead.
 */
import { signal } from '@preact/signals';
import type { Challenge } from 'altcha-lib';
import * as api from '../api.js';
import { features, featuresLoaded } from './features.js';

/** What the Welcome screen says about the check, in words (`ms`: time to solve, when done). */
export type ProofState = { phase: 'idle' | 'off' | 'solving' | 'failed' } | { phase: 'ready'; ms: number };

export const proofState = signal<ProofState>({ phase: 'idle' });

/** A token the Turnstile widget handed over (SIGNUP_CHALLENGE=turnstile), used once. */
let turnstileToken: string | null = null;
let pending: Promise<string | undefined> | null = null;

export function setTurnstileToken(token: string | null): void {
  turnstileToken = token;
  proofState.value = token ? { phase: 'ready', ms: 0 } : { phase: 'idle' };
}

/** The ALTCHA payload the server reads: base64 of {challenge: {parameters, signature}, solution}. */
function encode(challenge: Challenge, solution: unknown): string {
  return btoa(JSON.stringify({ challenge: { parameters: challenge.parameters, signature: challenge.signature }, solution }));
}

function solveInWorker(challenge: Challenge): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('../powWorker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (event: MessageEvent<unknown>) => {
      worker.terminate();
      if (event.data) resolve(event.data);
      else reject(new Error('unsolved'));
    };
    worker.onerror = () => {
      worker.terminate();
      reject(new Error('worker failed'));
    };
    worker.postMessage(challenge);
  });
}

async function solveNext(): Promise<string | undefined> {
  await featuresLoaded();
  // Proof of work off (or Turnstile instead): no challenge to ask for.
  if (features.value.challenge !== 'pow') {
    proofState.value = { phase: 'off' };
    return undefined;
  }
  proofState.value = { phase: 'solving' };
  const started = performance.now();
  let challenge: Challenge;
  try {
    challenge = await api.getChallenge();
  } catch (e) {
    // 404: this server has proof of work off after all (its config was not known: that call failed).
    if (e instanceof api.ApiError && e.status === 404) {
      proofState.value = { phase: 'off' };
      return undefined;
    }
    throw e;
  }
  const solution = await solveInWorker(challenge);
  proofState.value = { phase: 'ready', ms: Math.round(performance.now() - started) };
  return encode(challenge, solution);
}

/**
 * A proof for the next `find` of an account the server is slowing down
 * (`challenge_required` on `find`): a harder challenge, asked for with the token.
 */
export async function findProof(token: string): Promise<string> {
  const challenge = await api.getChallenge(token);
  return encode(challenge, await solveInWorker(challenge));
}

/** Starts solving in the background, unless a solution is already on its way. */
export function prepareProof(): void {
  if (pending || proofState.value.phase === 'off' || turnstileToken) return;
  pending = solveNext();
  pending.catch(() => {
    pending = null;
    proofState.value = { phase: 'failed' };
  });
}

/** The proof for one request: the prepared one (waiting for it if need be), then it is spent. */
async function takeProof(): Promise<string | undefined> {
  if (turnstileToken) {
    const token = turnstileToken;
    setTurnstileToken(null);
    return token;
  }
  if (proofState.value.phase === 'off') return undefined;
  prepareProof();
  const proof = pending!;
  pending = null;
  try {
    return await proof;
  } catch {
    throw new api.ApiError(0, 'challenge_unsolved', 'The anti-bot check could not finish in this browser. Please try again.');
  }
}

/**
 * Runs a door's request with a proof. A proof the server refused (expired
 * while the page sat open, say) is replaced once; with Turnstile the person
 * solves the widget again instead.
 */
export async function withProof<T>(request: (proof: string | undefined) => Promise<T>): Promise<T> {
  try {
    return await request(await takeProof());
  } catch (e) {
    const refused = e instanceof api.ApiError && (e.code === 'challenge_failed' || e.code === 'challenge_required');
    if (!refused || proofState.value.phase === 'idle') throw e;
    return request(await takeProof());
  }
}

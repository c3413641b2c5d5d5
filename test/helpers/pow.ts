/** Proof of work as an outside client does it: GET /api/challenge, solve with altcha-lib, the ALTCHA payload as `proof`. */
import { type Challenge, type Solution, solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { api } from './http.js';

/** The ALTCHA v2 payload: base64 of {challenge: {parameters, signature}, solution}. */
export function encodeProof(challenge: Challenge, solution: Solution): string {
  return Buffer.from(JSON.stringify({ challenge: { parameters: challenge.parameters, signature: challenge.signature }, solution })).toString('base64');
}

export async function fetchChallenge(base: string, options: { for?: 'find'; token?: string } = {}): Promise<Challenge> {
  const res = await api<Challenge>(base, 'GET', `/api/challenge${options.for ? `?for=${options.for}` : ''}`, { token: options.token });
  if (res.status !== 200) throw new Error(`GET /api/challenge: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function solve(challenge: Challenge): Promise<string> {
  const solution = await solveChallenge({ challenge, deriveKey, timeout: 60_000 });
  if (!solution) throw new Error('the challenge was not solved in time');
  return encodeProof(challenge, solution);
}

/** A fresh challenge, solved. */
export async function proofFor(base: string, options: { for?: 'find'; token?: string } = {}): Promise<string> {
  return solve(await fetchChallenge(base, options));
}

/**
 * The gate of SIGNUP_CHALLENGE at the three doors (sign-up, sign-in with a
 * code, Google start) and the slowing of bot-like accounts on `find`:
 *
 * - `pow`: an ALTCHA proof (challenges.ts), its work set per address
 *   (difficulty.ts) and, for `find` of a slowed account, per account;
 * - `turnstile`: a Cloudflare Turnstile token at the doors (turnstile.ts);
 * - `off`: nothing at the doors.
 *
 * A slowed account (botSignals.ts) waits between searches in every mode and,
 * with `pow`, solves a harder challenge for each `find`.
 */
import type { Challenge } from 'altcha-lib';
import type { ChallengeConfig } from '../config.js';
import { type FrameOutcome, refuse } from '../errors.js';
import type { BotSignals } from './botSignals.js';
import type { Challenges } from './challenges.js';
import type { Difficulty } from './difficulty.js';
import type { IpKeys } from './ipKeys.js';
import type { Turnstile } from './turnstile.js';
import { Unavailable } from './unavailable.js';

/** Why a door refused: no proof, or a wrong/expired/spent one. */
export type DoorRefusal = 'challenge_required' | 'challenge_failed';

export type DoorkeeperDeps = {
  mode: ChallengeConfig['mode'];
  challenges: Challenges;
  difficulty: Difficulty;
  turnstile: Turnstile | undefined;
  ipKeys: IpKeys;
  signals: BotSignals;
  /** Levels above 0 of a slowed account's `find` challenge. */
  findLevel: number;
};

export class Doorkeeper {
  constructor(private readonly deps: DoorkeeperDeps) {}

  get mode(): ChallengeConfig['mode'] {
    return this.deps.mode;
  }

  /** A challenge for a door, at the address's level (and counted toward its bursts). */
  async doorChallenge(ip: string | undefined): Promise<Challenge> {
    const key = await this.addressKey(ip);
    const level = this.deps.difficulty.level(key);
    this.deps.difficulty.asked(key);
    return this.deps.challenges.issue(level, 'door');
  }

  /** A challenge for the next `find` of a signed-in account: harder the further past the threshold it is. */
  findChallenge(accountId: string): Promise<Challenge> {
    return this.deps.challenges.issue(this.findLevel(accountId), 'find');
  }

  /** undefined when the proof opens the door. */
  async checkDoor(ip: string | undefined, proof: string | undefined): Promise<DoorRefusal | undefined> {
    const { mode } = this.deps;
    if (mode === 'off') return undefined;
    const key = await this.addressKey(ip);
    const verdict = !proof ? 'challenge_required' : await this.verifyDoor(proof);
    if (verdict) this.deps.difficulty.failed(key);
    return verdict;
  }

  /** Before a `find`: undefined to go ahead, else the refusal (a wait, or a proof needed). */
  async checkFind(accountId: string, proof: string | undefined): Promise<FrameOutcome | undefined> {
    const { signals } = this.deps;
    if (signals.excess(accountId) === 0) return undefined;
    const wait = signals.findWait(accountId);
    if (wait > 0) return refuse('rate_limited', 'Slow down: wait a little before the next search.', { retryAfterMs: wait });
    if (this.deps.mode === 'pow') {
      if (!proof) return refuse('challenge_required', 'Solve a challenge (GET /api/challenge?for=find) and send it as `proof` with `find`.');
      if ((await this.deps.challenges.verify(proof, 'find', this.findLevel(accountId))) !== 'ok') return refuse('challenge_failed');
    }
    signals.searched(accountId);
    return undefined;
  }

  private findLevel(accountId: string): number {
    const excess = this.deps.signals.excess(accountId);
    return excess === 0 ? 0 : this.deps.findLevel + excess - 1;
  }

  private async verifyDoor(proof: string): Promise<DoorRefusal | undefined> {
    const { mode, turnstile, challenges } = this.deps;
    const verdict = mode === 'turnstile' ? await turnstile!.verify(proof) : await challenges.verify(proof, 'door');
    return verdict === 'ok' ? undefined : 'challenge_failed';
  }

  private addressKey(ip: string | undefined): Promise<string> {
    return this.deps.ipKeys.key(ip ?? 'unknown').catch((err: unknown) => {
      throw new Unavailable('the per-address key', undefined, { cause: err });
    });
  }
}

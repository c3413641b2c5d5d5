/**
 * Adaptive difficulty per client address: each address (by its keyed hash
 * from ipKeys.ts, never the address itself) has a level that rises by one
 * after a burst (CHALLENGE_BURST challenges asked for or failures, a failure
 * counting 3, without a quiet period between them) and falls by one for every
 * quiet period (CHALLENGE_QUIET_MS) without any. Memory of this node only, a
 * bounded map: several nodes each judge the addresses they see.
 */
import type { ChallengeConfig } from '../config.js';
import type { Clock } from './ipKeys.js';

export const FAILURE_WEIGHT = 3;
const ADDRESSES_MAX = 100_000;

type State = { level: number; count: number; last: number };

export class Difficulty {
  private readonly addresses = new Map<string, State>();

  constructor(
    private readonly config: Pick<ChallengeConfig, 'burst' | 'quietMs' | 'maxLevel'>,
    private readonly now: Clock = Date.now,
  ) {}

  /** The level of an address just now (after the quiet periods since it was last seen). */
  level(key: string): number {
    return this.current(key)?.level ?? 0;
  }

  /** A challenge was asked for from this address. */
  asked(key: string): void {
    this.add(key, 1);
  }

  /** A missing or wrong proof came from this address. */
  failed(key: string): void {
    this.add(key, FAILURE_WEIGHT);
  }

  private current(key: string): State | undefined {
    const state = this.addresses.get(key);
    if (!state) return undefined;
    const quiet = Math.floor((this.now() - state.last) / this.config.quietMs);
    if (quiet > 0) {
      state.level = Math.max(0, state.level - quiet);
      state.count = 0;
      state.last = this.now();
      if (state.level === 0) {
        this.addresses.delete(key);
        return undefined;
      }
    }
    return state;
  }

  private add(key: string, weight: number): void {
    let state = this.current(key);
    if (!state) {
      if (this.addresses.size >= ADDRESSES_MAX) this.addresses.delete(this.addresses.keys().next().value!);
      state = { level: 0, count: 0, last: this.now() };
      this.addresses.set(key, state);
    }
    state.count += weight;
    state.last = this.now();
    if (state.count >= this.config.burst) {
      state.level = Math.min(this.config.maxLevel, state.level + 1);
      state.count = 0;
    }
  }
}

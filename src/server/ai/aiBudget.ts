/**
 * The overall AI budget of one node (AI_BUDGET): model calls per clock hour,
 * translation and AI-partner replies together, so that free accounts from
 * many addresses cannot run up the provider's bill without bound.
 */
import { type ChatTurn, type LanguageModel, LanguageModelError } from './languageModel.js';

const HOUR_MS = 3600_000;

export class AiBudgetExhaustedError extends LanguageModelError {
  constructor(readonly retryAfterMs: number) {
    super('the AI budget for this hour is spent');
  }
}

/** `model` with at most `perHour` calls per clock hour; 0 means no overall budget. */
export function withAiBudget(model: LanguageModel, perHour: number, now: () => number = Date.now): LanguageModel {
  if (perHour <= 0) return model;
  let hour = -1;
  let used = 0;
  return {
    complete(turns: readonly ChatTurn[], options?: { maxTokens?: number }) {
      const t = now();
      const current = Math.floor(t / HOUR_MS);
      if (current !== hour) {
        hour = current;
        used = 0;
      }
      if (used >= perHour) return Promise.reject(new AiBudgetExhaustedError((current + 1) * HOUR_MS - t));
      used++;
      return model.complete(turns, options);
    },
  };
}

/** Output tokens in proportion to the input: `perChar` per input character, within [floor, cap]. */
export function outputTokens(inputChars: number, perChar: number, floor: number, cap: number): number {
  return Math.min(cap, Math.max(floor, Math.ceil(inputChars * perChar)));
}

/**
 * How much one reporter counts toward an automatic suspension (finding 7), so
 * that a handful of fresh accounts cannot suspend anyone:
 * - by account age: 0 below REPORT_MIN_ACCOUNT_AGE_MS (default 1 hour), rising
 *   linearly to 1 at REPORT_FULL_WEIGHT_AGE_MS (default 7 days);
 * - by history: divided by 1 + the number of this reporter's past reports a
 *   moderator closed as unfounded.
 * Reporters from one network count once (the heaviest of them; see
 * reportNetworks.ts), and every reason weighs the same: an `underage` report
 * goes first in the moderators' queue instead of counting double.
 */
export type WeightRules = { minAgeMs: number; fullAgeMs: number };

export function reporterWeight(accountAgeMs: number, unfoundedReports: number, rules: WeightRules): number {
  if (accountAgeMs < rules.minAgeMs) return 0;
  const span = rules.fullAgeMs - rules.minAgeMs;
  const byAge = span <= 0 ? 1 : Math.min(1, (accountAgeMs - rules.minAgeMs) / span);
  return byAge / (1 + unfoundedReports);
}

/** Sum of weights, counting each network once (its heaviest reporter); reporters of unknown network count alone. */
export function weightedSum(reporters: ReadonlyArray<{ weight: number; networks: readonly string[] }>): number {
  const seen = new Set<string>();
  let sum = 0;
  for (const r of [...reporters].sort((a, b) => b.weight - a.weight)) {
    if (r.networks.some((n) => seen.has(n))) continue;
    for (const n of r.networks) seen.add(n);
    sum += r.weight;
  }
  return sum;
}

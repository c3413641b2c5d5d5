/** Issue 9, finding 7: how much one reporter counts toward an automatic suspension. */
import { describe, expect, it } from 'vitest';
import { reporterWeight, weightedSum } from '../../src/server/domain/reporterWeight.js';

const HOUR = 3600_000;
const rules = { minAgeMs: HOUR, fullAgeMs: 7 * 24 * HOUR };

describe('reporterWeight', () => {
  it('is 0 in the first hour, rises linearly, and is 1 from a week on', () => {
    expect(reporterWeight(0, 0, rules)).toBe(0);
    expect(reporterWeight(HOUR - 1, 0, rules)).toBe(0);
    expect(reporterWeight(HOUR, 0, rules)).toBe(0);
    const half = reporterWeight(HOUR + (rules.fullAgeMs - HOUR) / 2, 0, rules);
    expect(half).toBeCloseTo(0.5);
    expect(reporterWeight(rules.fullAgeMs, 0, rules)).toBe(1);
    expect(reporterWeight(365 * 24 * HOUR, 0, rules)).toBe(1);
  });

  it('is divided by 1 + the reports closed as unfounded', () => {
    expect(reporterWeight(rules.fullAgeMs, 1, rules)).toBe(0.5);
    expect(reporterWeight(rules.fullAgeMs, 3, rules)).toBe(0.25);
  });

  it('is 1 from the minimum age when the full-weight age is not later', () => {
    expect(reporterWeight(5, 0, { minAgeMs: 0, fullAgeMs: 0 })).toBe(1);
  });
});

describe('weightedSum', () => {
  it('counts each network once, by its heaviest reporter; unknown networks count alone', () => {
    expect(
      weightedSum([
        { weight: 0.5, networks: ['n1'] },
        { weight: 1, networks: ['n1', 'old'] },
        { weight: 1, networks: ['old'] },
        { weight: 0.25, networks: [] },
        { weight: 0.25, networks: [] },
        { weight: 1, networks: ['n2'] },
      ]),
    ).toBe(2.5);
  });
});

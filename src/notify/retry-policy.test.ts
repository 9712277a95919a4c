import { describe, expect, it } from 'vitest';
import {
  backoffCeilingMs,
  DEFAULT_BASE_MS,
  DEFAULT_MAX_MS,
  isDeadLetter,
  MAX_ATTEMPTS,
  nextAttemptDelayMs,
} from './retry-policy.ts';

const HOUR_MS = 3_600_000;

describe('nextAttemptDelayMs', () => {
  it('stays within [0, min(max, base · 2^attempt)) for any random value', () => {
    for (let attempt = 0; attempt <= 40; attempt += 1) {
      const ceiling = Math.min(DEFAULT_MAX_MS, DEFAULT_BASE_MS * 2 ** attempt);
      expect(nextAttemptDelayMs(attempt, { random: () => 0 })).toBe(0);
      const highest = nextAttemptDelayMs(attempt, { random: () => 0.999_999_9 });
      expect(highest).toBeLessThan(ceiling);
      expect(highest).toBeGreaterThanOrEqual(ceiling - 1);
      const delay = nextAttemptDelayMs(attempt);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(ceiling);
    }
  });

  it('has a ceiling that doubles and then stays at the maximum', () => {
    const ceilings = Array.from({ length: 30 }, (_, attempt) => backoffCeilingMs(attempt));
    expect(ceilings.slice(0, 4)).toEqual([5_000, 10_000, 20_000, 40_000]);
    for (let i = 1; i < ceilings.length; i += 1) expect(ceilings[i]).toBeGreaterThanOrEqual(ceilings[i - 1]!);
    expect(ceilings.at(-1)).toBe(HOUR_MS);
    expect(backoffCeilingMs(5000)).toBe(HOUR_MS);
  });

  it('takes the jitter from the given random source (full jitter)', () => {
    expect(nextAttemptDelayMs(3, { random: () => 0.5 })).toBe(20_000);
    expect(nextAttemptDelayMs(3, { random: () => 0.25, baseMs: 1_000, maxMs: 4_000 })).toBe(1_000);
  });

  it('refuses a negative or fractional attempt', () => {
    expect(() => nextAttemptDelayMs(-1)).toThrow(RangeError);
    expect(() => nextAttemptDelayMs(1.5)).toThrow(RangeError);
    expect(() => nextAttemptDelayMs(Number.NaN)).toThrow(RangeError);
  });
});

describe('dead letters', () => {
  it('gives up after MAX_ATTEMPTS attempts', () => {
    expect(isDeadLetter(MAX_ATTEMPTS - 1)).toBe(false);
    expect(isDeadLetter(MAX_ATTEMPTS)).toBe(true);
    expect(isDeadLetter(3, 3)).toBe(true);
    expect(isDeadLetter(2, 3)).toBe(false);
  });

  it('spans the time MAX_ATTEMPTS documents: about 3.2 h expected, at most about 6.4 h', () => {
    // Delays come after attempts 1 … MAX_ATTEMPTS − 1; full jitter waits half the ceiling on average.
    let ceilingSumMs = 0;
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt += 1) ceilingSumMs += backoffCeilingMs(attempt);
    expect(ceilingSumMs / HOUR_MS).toBeCloseTo(6.42, 2);
    expect(ceilingSumMs / 2 / HOUR_MS).toBeCloseTo(3.21, 2);
  });
});

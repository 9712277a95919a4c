import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededNormal } from './detector-test-support.ts';
import {
  erfc,
  normalUpperTail,
  ROBUST_STRIDE,
  robustLearn,
  robustSigma,
  spreadFloor,
  twoSidedScore,
} from './robust-statistics.ts';

describe('erfc', () => {
  it('matches reference values to 1.2e-7 relative, far into the tail', () => {
    // Abramowitz & Stegun, Table 7.1, and erfc(5) = 1.5374597944e-12.
    const table: [number, number][] = [
      [0, 1],
      [0.5, 0.4795001222],
      [1, 0.1572992071],
      [2, 0.004677734981],
      [3, 2.209049699e-5],
      [5, 1.5374597944e-12],
    ];
    for (const [x, want] of table) expect(Math.abs(erfc(x) - want) / want).toBeLessThan(1.2e-7);
    expect(erfc(-1)).toBeCloseTo(2 - 0.1572992071, 7);
  });

  it('gives the usual normal tail and two-sided scores', () => {
    expect(normalUpperTail(0)).toBeCloseTo(0.5, 7);
    expect(normalUpperTail(1.959964)).toBeCloseTo(0.025, 6);
    expect(twoSidedScore(3)).toBeCloseTo(0.9973, 4);
    expect(twoSidedScore(-3)).toBe(twoSidedScore(3));
  });

  it('keeps scores in [0, 1] for every finite z', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (z) => {
        const s = twoSidedScore(z);
        return s >= 0 && s <= 1;
      }),
    );
  });
});

describe('robustLearn', () => {
  it('learns the mean and σ of normal noise', () => {
    const record = new Float64Array(ROBUST_STRIDE);
    const normal = seededNormal(7);
    for (let i = 0; i < 5000; i++) robustLearn(record, 0, 10 + 2 * normal(), 500, 3, 0);
    expect(record[1]).toBeCloseTo(10, 0);
    expect(robustSigma(record, 0, 0)).toBeGreaterThan(1.7);
    expect(robustSigma(record, 0, 0)).toBeLessThan(2.3);
  });

  it('is moved little by one wild value', () => {
    const record = new Float64Array(ROBUST_STRIDE);
    const normal = seededNormal(8);
    for (let i = 0; i < 200; i++) robustLearn(record, 0, normal(), 100, 3, 0);
    const before = [record[1]!, robustSigma(record, 0, 0)];
    robustLearn(record, 0, 1e6, 100, 3, 0);
    expect(Math.abs(record[1]! - before[0]!)).toBeLessThan(0.05);
    expect(robustSigma(record, 0, 0)).toBeLessThan(before[1]! * 1.05);
  });

  it('caps its count at the memory, so the record never grows', () => {
    const record = new Float64Array(ROBUST_STRIDE);
    for (let i = 0; i < 1000; i++) robustLearn(record, 0, i, 64, 3, 0);
    expect(record[0]).toBe(64);
  });

  it('floors spreads at the configured minimum or a relative epsilon', () => {
    expect(spreadFloor(0.5, 100)).toBe(0.5);
    expect(spreadFloor(0, 100)).toBeGreaterThan(0);
    expect(spreadFloor(0, -100)).toBeGreaterThan(0);
  });
});

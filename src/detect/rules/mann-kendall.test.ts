import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { erfc, mannKendall, senSlope, standardNormalCdf } from './mann-kendall.ts';

/** A small deterministic generator (Park & Miller minimal standard), so that "random" tests never flake. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 16_807) % 2_147_483_647;
    return state / 2_147_483_647;
  };
}

describe('mannKendall', () => {
  it('computes S, the tie-corrected variance, Z and p of a short declining series by hand', () => {
    // x = 5, 4, 4, 3, 2: of the 10 pairs, 9 fall and one (4, 4) is tied, so S = −9.
    // One tie group of t = 2: Σ t(t−1)(2t+5) = 2·1·9 = 18; Var(S) = (5·4·15 − 18) / 18 = 282/18.
    // Z = (S + 1) / √Var = −8 / √15.667 = −2.02116; p = 2(1 − Φ(2.02116)) = 0.043263.
    const r = mannKendall([5, 4, 4, 3, 2]);
    expect(r.n).toBe(5);
    expect(r.s).toBe(-9);
    expect(r.varianceS).toBeCloseTo(282 / 18, 12);
    expect(r.z).toBeCloseTo(-2.0211646, 6);
    expect(r.pValue).toBeCloseTo(0.0432627, 6);
    expect(r.tau).toBeCloseTo(-0.9, 12);
  });

  it('gives the textbook values of a strictly rising series of five: S = 10, Var = 50/3, p = 0.0275', () => {
    const r = mannKendall([1, 2, 3, 4, 5]);
    expect(r.s).toBe(10);
    expect(r.varianceS).toBeCloseTo(50 / 3, 12);
    expect(r.z).toBeCloseTo(9 / Math.sqrt(50 / 3), 12);
    expect(r.pValue).toBeCloseTo(0.0274863, 6);
  });

  it('finds a perfect decline of ten points significant far below 0.05', () => {
    // S = −45, Var = 10·9·25/18 = 125, Z = −44/√125 = −3.9355, p = 8.3·10⁻⁵.
    const r = mannKendall([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(r.s).toBe(-45);
    expect(r.varianceS).toBe(125);
    expect(r.pValue).toBeCloseTo(8.303e-5, 7);
  });

  it('has S = n(n−1)/2 on any strictly rising series and −n(n−1)/2 on any strictly falling one', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.double({ noNaN: true, noDefaultInfinity: true }), {
          minLength: 2,
          maxLength: 60,
          size: 'max',
          comparator: 'SameValueZero',
        }),
        (xs) => {
          const rising = [...xs].sort((a, b) => a - b);
          const n = rising.length;
          expect(mannKendall(rising).s).toBe((n * (n - 1)) / 2);
          expect(mannKendall(rising.reverse()).s).toBe(-(n * (n - 1)) / 2);
        },
      ),
    );
  });

  it('is a rank statistic: reversing time negates S, a rising affine map of the values keeps it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 2, maxLength: 40, size: 'max' }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: -100, max: 100 }),
        (xs, a, b) => {
          const r = mannKendall(xs);
          expect(mannKendall([...xs].reverse()).s + r.s).toBe(0);
          const mapped = mannKendall(xs.map((x) => a * x + b));
          expect(mapped.s).toBe(r.s);
          expect(mapped.varianceS).toBe(r.varianceS);
        },
      ),
    );
  });

  it('is not significant on a constant series (every pair tied, Var(S) = 0)', () => {
    const r = mannKendall([3, 3, 3, 3, 3, 3]);
    expect(r).toMatchObject({ s: 0, varianceS: 0, z: 0, pValue: 1 });
  });

  it('rejects white noise at about the nominal rate: 5 % at α = 0.05', () => {
    const random = lcg(20_240_601);
    let rejected = 0;
    const trials = 2000;
    for (let k = 0; k < trials; k++) {
      const noise = Array.from({ length: 30 }, () => random());
      if (mannKendall(noise).pValue < 0.05) rejected++;
    }
    expect(rejected / trials).toBeGreaterThan(0.03);
    expect(rejected / trials).toBeLessThan(0.07);
  });
});

describe('senSlope', () => {
  it('is the median of the pairwise slopes, computed by hand', () => {
    // Pairwise slopes of (0,1) (1,3) (2,2) (3,5) (4,4): 2, 0.5, 4/3, 0.75, −1, 1, 1/3, 3, 1, −1;
    // sorted −1, −1, 1/3, 0.5, 0.75, 1, 1, 4/3, 2, 3: the median of ten is (0.75 + 1)/2 = 0.875.
    expect(senSlope([0, 1, 2, 3, 4], [1, 3, 2, 5, 4])).toBe(0.875);
  });

  it('recovers the slope of a line sampled at irregular times, and shrugs off an outlier', () => {
    const times = [0, 1, 3, 4, 8, 9, 15, 16, 20];
    const line = times.map((t) => 7 - 0.25 * t);
    expect(senSlope(times, line)).toBeCloseTo(-0.25, 12);
    const spiked = [...line];
    spiked[4] = 1000;
    expect(senSlope(times, spiked)).toBeCloseTo(-0.25, 12);
  });

  it('is NaN without two distinct times', () => {
    expect(senSlope([5], [1])).toBeNaN();
  });
});

describe('standardNormalCdf', () => {
  it('matches tabulated values of Φ to 1e-7', () => {
    expect(standardNormalCdf(0)).toBeCloseTo(0.5, 7);
    expect(standardNormalCdf(1.96)).toBeCloseTo(0.9750021, 7);
    expect(standardNormalCdf(-1.644854)).toBeCloseTo(0.05, 7);
    expect(erfc(0)).toBeCloseTo(1, 7);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { livingPlanetIndex, type Population, populationLogRatios, quantile } from './lpi.ts';

const pop = (species: string, firstYear: number, counts: readonly number[]): Population => ({
  species,
  years: counts.map((_, i) => firstYear + i),
  counts,
});

describe('livingPlanetIndex', () => {
  it('reproduces a worked example: 2 species, 3 years, one species with two populations', () => {
    /*
     * Species A, one population:   2000: 100, 2001: 50,  2002: 25
     *   d_A(2001) = log10(50/100) = −0.30103, d_A(2002) = log10(25/50) = −0.30103
     * Species B, two populations:  B1 100, 100, 200   and   B2 10, 20, 20
     *   B1: d(2001) = 0,        d(2002) = +0.30103
     *   B2: d(2001) = +0.30103, d(2002) = 0
     *   d_B(t) = mean of its populations = +0.150515 in both years
     * Across species: d̄(2001) = d̄(2002) = (−0.30103 + 0.150515) / 2 = −0.0752575
     * I(2000) = 1
     * I(2001) = 1 · 10^−0.0752575 = 0.840896  (= 2^−¼)
     * I(2002) = 0.840896 · 10^−0.0752575 = 0.707107  (= 2^−½)
     */
    const lpi = livingPlanetIndex(
      [pop('A', 2000, [100, 50, 25]), pop('B', 2000, [100, 100, 200]), pop('B', 2000, [10, 20, 20])],
      { replicates: 0 },
    );
    expect(lpi.years).toEqual([2000, 2001, 2002]);
    expect(lpi.meanLogRatio[1]).toBeCloseTo(-0.0752575, 6);
    expect(lpi.meanLogRatio[2]).toBeCloseTo(-0.0752575, 6);
    expect(lpi.index[0]).toBe(1);
    expect(lpi.index[1]).toBeCloseTo(0.840896, 6);
    expect(lpi.index[2]).toBeCloseTo(2 ** -0.5, 6); // 0.707107
    expect(lpi.species).toEqual([0, 2, 2]);
  });

  it('is 1 in every year for stable populations', () => {
    const lpi = livingPlanetIndex([pop('A', 2010, [40, 40, 40, 40]), pop('B', 2010, [7, 7, 7, 7])], {
      replicates: 200,
    });
    expect(lpi.index).toEqual([1, 1, 1, 1]);
    expect(lpi.lower).toEqual([1, 1, 1, 1]);
    expect(lpi.upper).toEqual([1, 1, 1, 1]);
  });

  it('is 0.5^t when every population halves every year', () => {
    const lpi = livingPlanetIndex(
      [pop('A', 2000, [800, 400, 200, 100, 50]), pop('B', 2000, [64, 32, 16, 8, 4])],
      {
        replicates: 0,
      },
    );
    lpi.index.forEach((value, t) => {
      expect(value).toBeCloseTo(0.5 ** t, 12);
    });
  });

  it('interpolates a gap log-linearly: 100 → (gap) → 25 is two halvings', () => {
    const ratios = populationLogRatios({ species: 'A', years: [2000, 2002], counts: [100, 25] });
    expect(ratios.get(2001)).toBeCloseTo(Math.log10(0.5), 12);
    expect(ratios.get(2002)).toBeCloseTo(Math.log10(0.5), 12);
  });

  it('adds 1 % of the mean to every count of a series holding a zero', () => {
    // mean 50 → offset 0.5: log10(0.5 / 100.5), then log10(50.5 / 0.5)
    const ratios = populationLogRatios(pop('A', 2000, [100, 0, 50]));
    expect(ratios.get(2001)).toBeCloseTo(Math.log10(0.5 / 100.5), 12);
    expect(ratios.get(2002)).toBeCloseTo(Math.log10(50.5 / 0.5), 12);
  });

  it('leaves years no species covers unchanged, and a population speaks only for its span', () => {
    const lpi = livingPlanetIndex([pop('A', 2000, [10, 20]), pop('B', 2003, [10, 5])], {
      replicates: 0,
    });
    expect(lpi.years).toEqual([2000, 2001, 2002, 2003, 2004]);
    expect(lpi.species).toEqual([0, 1, 0, 0, 1]);
    expect(lpi.index[1]).toBeCloseTo(2, 12);
    expect(lpi.index[3]).toBeCloseTo(2, 12);
    expect(lpi.index[4]).toBeCloseTo(1, 12);
  });

  it('has a bootstrap interval that contains the index and is reproducible by seed', () => {
    const populations = [
      pop('A', 2000, [100, 90, 80, 70]),
      pop('B', 2000, [50, 55, 60, 66]),
      pop('C', 2000, [30, 27, 29, 25]),
      pop('D', 2000, [10, 9, 8, 9]),
    ];
    const lpi = livingPlanetIndex(populations, { replicates: 1000, seed: 7 });
    expect(lpi.replicates).toBe(1000);
    lpi.index.forEach((value, t) => {
      expect(lpi.lower[t]!).toBeLessThanOrEqual(value);
      expect(lpi.upper[t]!).toBeGreaterThanOrEqual(value);
    });
    expect(lpi.upper[3]! - lpi.lower[3]!).toBeGreaterThan(0);
    expect(livingPlanetIndex(populations, { replicates: 1000, seed: 7 })).toEqual(lpi);
  });

  it('has an interval collapsed onto the index when all species are identical', () => {
    const lpi = livingPlanetIndex([pop('A', 2000, [10, 8, 9, 4]), pop('B', 2000, [10, 8, 9, 4])], {
      replicates: 500,
      seed: 3,
    });
    lpi.index.forEach((value, t) => {
      expect(lpi.lower[t]).toBeCloseTo(value, 12);
      expect(lpi.upper[t]).toBeCloseTo(value, 12);
    });
  });

  it('is empty without populations', () => {
    expect(livingPlanetIndex([]).years).toEqual([]);
  });
});

describe('livingPlanetIndex properties', () => {
  const series = fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 2, maxLength: 8 });
  const populations = fc.array(
    fc.record({
      species: fc.constantFrom('A', 'B', 'C', 'D'),
      start: fc.integer({ min: 2000, max: 2004 }),
      counts: series,
    }),
    { minLength: 1, maxLength: 6 },
  );
  const toPopulations = (ps: { species: string; start: number; counts: number[] }[]) =>
    ps.map((p) => pop(p.species, p.start, p.counts));

  it('does not change when a population is scaled by a constant', () => {
    fc.assert(
      fc.property(
        populations,
        fc.integer({ min: 0, max: 5 }),
        fc.double({ min: 0.01, max: 1000, noNaN: true }),
        (ps, which, factor) => {
          const original = toPopulations(ps);
          const i = which % original.length;
          const scaled = original.map((p, j) =>
            j === i ? { ...p, counts: p.counts.map((c) => c * factor) } : p,
          );
          const a = livingPlanetIndex(original, { replicates: 0 }).index;
          const b = livingPlanetIndex(scaled, { replicates: 0 }).index;
          a.forEach((value, t) => {
            expect(b[t]! / value).toBeCloseTo(1, 9);
          });
        },
      ),
    );
  });

  it('does not depend on the order of species and populations', () => {
    fc.assert(
      fc.property(populations, (ps) => {
        const original = toPopulations(ps);
        const a = livingPlanetIndex(original, { replicates: 0 }).index;
        const b = livingPlanetIndex([...original].reverse(), { replicates: 0 }).index;
        a.forEach((value, t) => {
          expect(b[t]! / value).toBeCloseTo(1, 9);
        });
      }),
    );
  });
});

describe('quantile', () => {
  it('is type 7', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 0.025)).toBeCloseTo(1.075, 12);
  });
});

/** @module The Living Planet Index: chained log-ratios of population counts, averaged within species, then across species, with a species bootstrap. */

/*
 * Loh, J. et al. (2005). The Living Planet Index: using species population time series to track trends in
 *   biodiversity. Phil. Trans. R. Soc. B 360, 289–295 — the chain method used here.
 * Collen, B. et al. (2009). Monitoring change in vertebrate abundance: the Living Planet Index. Conservation
 *   Biology 23(2), 317–327 — zero counts (1 % of the mean added) and the bootstrap over species.
 *
 * Choices, stated:
 * - Zeros: a series holding a zero has 1 % of its mean added to every value (Collen et al. 2009), so the
 *   log-ratios stay finite and a constant factor still cancels out. A series of zeros only is left out.
 * - Gaps: missing years inside a population's span are interpolated log-linearly between the neighbouring
 *   counts (the chain method). The LPI fits a GAM to series of six or more points; we do not — GAM-free, so
 *   a result can be checked by hand. Nothing is extrapolated: a population speaks only for its own span.
 * - A year no species speaks for leaves the index where it was (d̄_t = 0) and is counted in `species`.
 */

/** One population: yearly abundance (counts or an index), years need not be contiguous or sorted. */
export interface Population {
  readonly species: string;
  readonly years: readonly number[];
  readonly counts: readonly number[];
}

export interface LpiOptions {
  /** The index is 1 in this year (default: the first year any population has). */
  readonly baseYear?: number;
  /** Last year of the index (default: the last year any population has). */
  readonly lastYear?: number;
  /** Bootstrap replicates (default 1000; 0 for none). */
  readonly replicates?: number;
  /** Seed of the bootstrap's PRNG: the same seed gives the same interval. */
  readonly seed?: number;
}

export interface LivingPlanetIndex {
  readonly years: number[];
  /** I_t, with I_base = 1. */
  readonly index: number[];
  /** 2.5th and 97.5th percentiles of the bootstrap indices (equal to `index` without replicates). */
  readonly lower: number[];
  readonly upper: number[];
  /** d̄_t, the mean species log10 ratio into year t (0 in the base year). */
  readonly meanLogRatio: number[];
  /** How many species speak for each year's change. */
  readonly species: number[];
  readonly replicates: number;
}

/** Per year, log10(N_t / N_{t−1}) of one population, after zero handling and gap interpolation. */
export function populationLogRatios(population: Population): Map<number, number> {
  const { years, counts } = population;
  if (years.length !== counts.length) {
    throw new RangeError(
      `population ${population.species}: ${years.length} years but ${counts.length} counts`,
    );
  }
  const byYear = new Map<number, number>();
  for (let i = 0; i < years.length; i++) {
    const year = years[i]!;
    const count = counts[i]!;
    if (!Number.isInteger(year) || !Number.isFinite(count) || count < 0) {
      throw new RangeError(`population ${population.species}: invalid year ${year} or count ${count}`);
    }
    // A year given twice is summed, as the counts of two surveys in one year would be.
    byYear.set(year, (byYear.get(year) ?? 0) + count);
  }
  const ordered = [...byYear.keys()].sort((a, b) => a - b);
  const ratios = new Map<number, number>();
  if (ordered.length < 2) return ratios;
  const values = ordered.map((y) => byYear.get(y)!);
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  if (mean === 0) return ratios;
  const offset = values.some((v) => v === 0) ? 0.01 * mean : 0;
  const logs = values.map((v) => Math.log10(v + offset));
  for (let i = 1; i < ordered.length; i++) {
    const from = ordered[i - 1]!;
    const to = ordered[i]!;
    // Log-linear interpolation spreads the change evenly over the missing years.
    const step = (logs[i]! - logs[i - 1]!) / (to - from);
    for (let year = from + 1; year <= to; year++) ratios.set(year, step);
  }
  return ratios;
}

/** Per species, the mean of its populations' log-ratios in each year any of them covers. */
export function speciesLogRatios(populations: readonly Population[]): Map<string, Map<number, number>> {
  const sums = new Map<string, Map<number, { sum: number; n: number }>>();
  for (const population of populations) {
    let bySpecies = sums.get(population.species);
    if (bySpecies === undefined) {
      bySpecies = new Map();
      sums.set(population.species, bySpecies);
    }
    for (const [year, d] of populationLogRatios(population)) {
      const cell = bySpecies.get(year) ?? { sum: 0, n: 0 };
      cell.sum += d;
      cell.n += 1;
      bySpecies.set(year, cell);
    }
  }
  const result = new Map<string, Map<number, number>>();
  for (const [species, byYear] of sums) {
    const means = new Map<number, number>();
    for (const [year, { sum, n }] of byYear) means.set(year, sum / n);
    result.set(species, means);
  }
  return result;
}

/**
 * The index from species log-ratios: d̄_t = mean over the species that have d_t, I_t = I_{t−1}·10^{d̄_t}, and
 * a 95 % interval from `replicates` resamples of the species with replacement (Collen et al. 2009).
 */
export function livingPlanetIndex(
  populations: readonly Population[],
  options: LpiOptions = {},
): LivingPlanetIndex {
  const perSpecies = [...speciesLogRatios(populations).values()];
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const p of populations) {
    for (const y of p.years) {
      first = Math.min(first, y);
      last = Math.max(last, y);
    }
  }
  const baseYear = options.baseYear ?? first;
  const lastYear = options.lastYear ?? last;
  if (!Number.isFinite(baseYear) || !Number.isFinite(lastYear) || lastYear < baseYear) {
    return { years: [], index: [], lower: [], upper: [], meanLogRatio: [], species: [], replicates: 0 };
  }
  const years: number[] = [];
  for (let y = baseYear; y <= lastYear; y++) years.push(y);

  const { index, meanLogRatio, species } = chain(perSpecies, years);
  const replicates = Math.max(0, Math.floor(options.replicates ?? 1000));
  if (replicates === 0 || perSpecies.length === 0) {
    return { years, index, lower: [...index], upper: [...index], meanLogRatio, species, replicates: 0 };
  }
  const random = mulberry32(options.seed ?? 1);
  const samples = years.map(() => new Float64Array(replicates));
  const resample: Map<number, number>[] = new Array(perSpecies.length);
  for (let r = 0; r < replicates; r++) {
    for (let i = 0; i < perSpecies.length; i++) {
      resample[i] = perSpecies[Math.floor(random() * perSpecies.length)]!;
    }
    const replicate = chain(resample, years).index;
    for (let t = 0; t < years.length; t++) samples[t]![r] = replicate[t]!;
  }
  const lower: number[] = [];
  const upper: number[] = [];
  for (const sample of samples) {
    sample.sort();
    lower.push(quantile(sample, 0.025));
    upper.push(quantile(sample, 0.975));
  }
  return { years, index, lower, upper, meanLogRatio, species, replicates };
}

function chain(perSpecies: readonly Map<number, number>[], years: readonly number[]) {
  const index: number[] = [];
  const meanLogRatio: number[] = [];
  const species: number[] = [];
  let level = 1;
  years.forEach((year, t) => {
    let sum = 0;
    let n = 0;
    if (t > 0) {
      for (const byYear of perSpecies) {
        const d = byYear.get(year);
        if (d !== undefined) {
          sum += d;
          n++;
        }
      }
    }
    const d = n > 0 ? sum / n : 0;
    level *= 10 ** d;
    index.push(level);
    meanLogRatio.push(d);
    species.push(n);
  });
  return { index, meanLogRatio, species };
}

/** Hyndman & Fan (1996) type 7, R's default: linear between order statistics. `sorted` is ascending. */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** A small seeded PRNG in [0, 1) (Tommy Ettinger's Mulberry32): reproducible bootstraps without a dependency. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

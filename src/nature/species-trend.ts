/** @module Population trends per species and area: yearly counts, Mann-Kendall with Sen's slope on log counts, and the signal a significant decline raises. */
import { mannKendall, senSlope } from '../detect/rules/mann-kendall.ts';
import type { SignalDraft } from '../detect/signal.ts';

/** A population: one species in one area (null: all of an organisation's records), counted per year. */
export interface PopulationSeries {
  readonly species: string;
  readonly areaId: number | null;
  readonly areaName: string | null;
  /** Ascending, each year once. */
  readonly years: number[];
  /** Sum of individualCount per year (a record without a count counts one individual). */
  readonly counts: number[];
}

/** One row of yearly counts as storage groups them. */
export interface YearlyCount {
  readonly species: string;
  readonly areaId: number | null;
  readonly areaName: string | null;
  readonly year: number;
  readonly count: number;
}

/** Groups yearly counts into populations, sorted by species then area. */
export function populationsOf(rows: readonly YearlyCount[]): PopulationSeries[] {
  const byKey = new Map<
    string,
    { species: string; areaId: number | null; areaName: string | null; years: Map<number, number> }
  >();
  for (const r of rows) {
    const key = `${r.areaId ?? ''}\u0000${r.species}`;
    let population = byKey.get(key);
    if (population === undefined) {
      population = { species: r.species, areaId: r.areaId, areaName: r.areaName, years: new Map() };
      byKey.set(key, population);
    }
    population.years.set(r.year, (population.years.get(r.year) ?? 0) + r.count);
  }
  return [...byKey.values()]
    .map((p) => {
      const years = [...p.years.keys()].sort((a, b) => a - b);
      return {
        species: p.species,
        areaId: p.areaId,
        areaName: p.areaName,
        years,
        counts: years.map((y) => p.years.get(y)!),
      };
    })
    .sort((a, b) => a.species.localeCompare(b.species) || (a.areaId ?? 0) - (b.areaId ?? 0));
}

/** Mann-Kendall needs a few years before a decline means anything; five is the least that can reach p < 0.05. */
export const MIN_TREND_YEARS = 5;
export const TREND_ALPHA = 0.05;

export interface PopulationTrend {
  readonly n: number;
  readonly pValue: number;
  readonly tau: number;
  /** Sen's slope of the counts, individuals per year. */
  readonly senSlope: number;
  /** Sen's slope of log10 counts as a yearly rate: −0.062 is "fell 6.2 % a year". */
  readonly ratePerYear: number;
  readonly direction: 'declining' | 'increasing' | 'stable';
  /** p < {@link TREND_ALPHA} and a negative slope. */
  readonly significantDecline: boolean;
}

/**
 * The trend of a population's yearly counts, or null with fewer than {@link MIN_TREND_YEARS} years. The
 * yearly rate is Sen's slope of log10 counts (zeros lifted by 1 % of the mean, as in the LPI), so it reads as
 * a percentage whatever the population's size; Mann-Kendall, being rank-based, is the same on either scale.
 * With n < 10 the p-value is the normal approximation's and only indicative (Hirsch et al. 1982).
 */
export function populationTrend(years: readonly number[], counts: readonly number[]): PopulationTrend | null {
  if (years.length < MIN_TREND_YEARS) return null;
  const test = mannKendall(counts);
  const slope = senSlope(years, counts);
  const mean = counts.reduce((s, c) => s + c, 0) / counts.length;
  const offset = counts.some((c) => c === 0) ? 0.01 * mean : 0;
  const logSlope =
    mean === 0
      ? 0
      : senSlope(
          years,
          counts.map((c) => Math.log10(c + offset)),
        );
  const ratePerYear = 10 ** logSlope - 1;
  const significant = test.pValue < TREND_ALPHA && test.s !== 0;
  return {
    n: test.n,
    pValue: test.pValue,
    tau: test.tau,
    senSlope: slope,
    ratePerYear,
    direction: !significant ? 'stable' : test.s < 0 ? 'declining' : 'increasing',
    significantDecline: significant && test.s < 0 && slope <= 0 && logSlope < 0,
  };
}

/** "p = 0.012", "p < 0.001": two significant digits are all a p-value deserves. */
export function formatP(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${Number(p.toPrecision(2))}`;
}

/** "Population of Panthera tigris in Sundarbans fell 6.2 % a year since 2015 (Mann-Kendall p = 0.01)". */
export function describeDecline(population: PopulationSeries, trend: PopulationTrend): string {
  const where = population.areaName === null ? '' : ` in ${population.areaName}`;
  const percent = (Math.abs(trend.ratePerYear) * 100).toFixed(1);
  return (
    `Population of ${population.species}${where} fell ${percent} % a year since ${population.years[0]} ` +
    `(Mann-Kendall ${formatP(trend.pValue)})`
  );
}

/** The detector name species trends are raised under; the warning stage reads the hazard from `details.variable`. */
export const SPECIES_TREND_DETECTOR = 'species_trend';

/**
 * The signal of a significant decline, raised at `nowMs` (a slow hazard is judged when it is evaluated, not
 * in the years it happened). The key holds the last year counted, so evaluating the same data again raises
 * nothing new and a new year of data raises a new signal.
 */
export function declineSignal(
  organisationId: number,
  population: PopulationSeries,
  trend: PopulationTrend,
  nowMs: number,
): SignalDraft {
  const first = population.years[0]!;
  const last = population.years[population.years.length - 1]!;
  return {
    organisationId,
    seriesId: null,
    stationId: null,
    areaId: population.areaId,
    raisedBy: { origin: 'detector', detector: SPECIES_TREND_DETECTOR },
    kind: 'trend',
    state: 'firing',
    startMs: nowMs,
    endMs: null,
    score: Math.min(1, Math.max(0, 1 - trend.pValue)),
    observed: population.counts[population.counts.length - 1]!,
    expected: null,
    spread: null,
    unit: 'individuals',
    leadTimeS: null,
    sentence: describeDecline(population, trend),
    details: {
      variable: 'species_count',
      species: population.species,
      first_year: first,
      last_year: last,
      years: population.years,
      counts: population.counts,
      p_value: trend.pValue,
      tau: trend.tau,
      sen_slope: trend.senSlope,
      rate_per_year: trend.ratePerYear,
    },
    dedupeKey: `species_decline:${population.areaId ?? '*'}:${population.species}:${first}-${last}`,
  };
}

/** @module Soil indicators, their trends (Mann-Kendall, Sen's slope over yearly means) and which directions are degradation. */
import { mannKendall, senSlope } from '../detect/rules/mann-kendall.ts';
import { formatValue, type SignalDraft } from '../detect/signal.ts';
import { formatP, MIN_TREND_YEARS, TREND_ALPHA } from './species-trend.ts';

/**
 * Which way each indicator degrades, after the FAO Voluntary Guidelines for Sustainable Soil Management
 * (2017, §3): loss of organic carbon, erosion, compaction (bulk density) and acidification. Moisture has no
 * degradation direction here: drying is drought, warned as `ecological_drought` by its own rules.
 * `warns`: a degrading trend becomes a signal, and through hazards.ts a warning (soil_organic_carbon →
 * soil_carbon_loss; soil_erosion and soil_bulk_density → soil_erosion). Acidification is reported only,
 * because no hazard in the taxonomy names it.
 */
export const SOIL_INDICATORS = [
  { variable: 'soil_organic_carbon', label: 'Soil organic carbon', degradation: 'falling', warns: true },
  { variable: 'soil_moisture', label: 'Soil moisture', degradation: null, warns: false },
  { variable: 'soil_erosion', label: 'Soil erosion', degradation: 'rising', warns: true },
  { variable: 'soil_ph', label: 'Soil pH', degradation: 'falling', warns: false },
  { variable: 'soil_bulk_density', label: 'Bulk density', degradation: 'rising', warns: true },
] as const satisfies readonly {
  variable: string;
  label: string;
  degradation: 'rising' | 'falling' | null;
  warns: boolean;
}[];
export type SoilIndicator = (typeof SOIL_INDICATORS)[number];
export const SOIL_VARIABLES: readonly string[] = SOIL_INDICATORS.map((i) => i.variable);

export function soilIndicator(variable: string): SoilIndicator | undefined {
  return SOIL_INDICATORS.find((i) => i.variable === variable);
}

export interface SoilTrend {
  readonly n: number;
  /** Sen's slope of the yearly means, in the series unit per year. */
  readonly slopePerYear: number;
  readonly pValue: number;
  /** `none` unless Mann-Kendall finds a trend at p < 0.05. */
  readonly direction: 'rising' | 'falling' | 'none';
  readonly degradation: boolean;
}

/**
 * The trend of one indicator's yearly means (soil changes over years; seasonal wetting and drying within a
 * year is not a trend), or null with fewer than {@link MIN_TREND_YEARS} years.
 */
export function soilTrend(
  variable: string,
  years: readonly number[],
  means: readonly number[],
): SoilTrend | null {
  if (years.length < MIN_TREND_YEARS) return null;
  const test = mannKendall(means);
  const slope = senSlope(years, means);
  const direction = test.pValue >= TREND_ALPHA || test.s === 0 ? 'none' : test.s > 0 ? 'rising' : 'falling';
  const degradation = direction !== 'none' && soilIndicator(variable)?.degradation === direction;
  return { n: test.n, slopePerYear: slope, pValue: test.pValue, direction, degradation };
}

export interface SoilSeriesContext {
  readonly organisationId: number;
  readonly seriesId: number;
  readonly stationId: number;
  readonly stationName: string;
  readonly variable: string;
  readonly unit: string;
  readonly years: readonly number[];
  readonly means: readonly number[];
}

export const SOIL_TREND_DETECTOR = 'soil_trend';

/**
 * The signal of a degrading trend, or null when the trend is not degradation or the indicator does not warn.
 * Raised on the series, so the warning stage takes the hazard from its variable and the area from its station.
 */
export function degradationSignal(
  context: SoilSeriesContext,
  trend: SoilTrend,
  nowMs: number,
): SignalDraft | null {
  const indicator = soilIndicator(context.variable);
  if (indicator === undefined || !indicator.warns || !trend.degradation) return null;
  const first = context.years[0]!;
  const last = context.years[context.years.length - 1]!;
  const verb = trend.direction === 'falling' ? 'fell' : 'rose';
  const sentence =
    `${indicator.label} at ${context.stationName} ${verb} ${formatValue(Math.abs(trend.slopePerYear))} ${context.unit} ` +
    `a year since ${first} (Mann-Kendall ${formatP(trend.pValue)})`;
  return {
    organisationId: context.organisationId,
    seriesId: context.seriesId,
    stationId: context.stationId,
    areaId: null,
    raisedBy: { origin: 'detector', detector: SOIL_TREND_DETECTOR },
    kind: 'trend',
    state: 'firing',
    startMs: nowMs,
    endMs: null,
    score: Math.min(1, Math.max(0, 1 - trend.pValue)),
    observed: context.means[context.means.length - 1]!,
    expected: context.means[0]!,
    spread: null,
    unit: context.unit,
    leadTimeS: null,
    sentence,
    details: {
      first_year: first,
      last_year: last,
      years: context.years,
      means: context.means,
      p_value: trend.pValue,
      slope_per_year: trend.slopePerYear,
      direction: trend.direction,
    },
    dedupeKey: `${SOIL_TREND_DETECTOR}:${context.seriesId}:${first}-${last}`,
  };
}

/**
 * @module The monitoring chart's arithmetic: buckets that never exceed the requested number of points, and
 * the bands drawn behind the data — the seasonal baseline's expected range and the Holt-Winters forecast —
 * evaluated from the detectors' stored snapshots without learning anything.
 */

import type { EnsembleSnapshot } from '../detect/detectors/ensemble.ts';
import { createHoltWinters, type HoltWintersSnapshot } from '../detect/detectors/holt-winters.ts';
import { createSeasonalBaseline } from '../detect/detectors/seasonal-baseline.ts';
import { utcOffsetMinutesOf } from '../detect/detectors.ts';
import { FORECAST_HORIZON_S, forecastModelConfig } from '../detect/forecast-detector.ts';
import { NICE_BUCKETS_S } from './downsampling.ts';

/** Bucket widths people read easily, sub-minute ones included for second-resolution sensors. */
const EXPLORER_BUCKETS_S = [1, 2, 5, 10, 15, 30, ...NICE_BUCKETS_S];

/** The origin buckets are aligned to (as in `bucketedObservations`): the same bucket always covers the same instants. */
export const BUCKET_ORIGIN_MS = Date.UTC(2000, 0, 1);

export interface ExplorerBuckets {
  readonly bucketS: number;
  /** Buckets start at originMs + k·bucketS. */
  readonly originMs: number;
}

/** How many aligned buckets [fromMs, toMs) touches: a range that starts mid-bucket touches one more than span / width. */
export function bucketCount(fromMs: number, toMs: number, bucket: ExplorerBuckets): number {
  const widthMs = bucket.bucketS * 1000;
  return (
    Math.floor((toMs - 1 - bucket.originMs) / widthMs) - Math.floor((fromMs - bucket.originMs) / widthMs) + 1
  );
}

/**
 * The narrowest readable bucket whose aligned buckets over the range number at most `maxPoints`. Ranges
 * too long for the widest one (centuries at a few points) get buckets of their own width starting at `fromMs`.
 */
export function explorerBuckets(fromMs: number, toMs: number, maxPoints: number): ExplorerBuckets {
  for (const bucketS of EXPLORER_BUCKETS_S) {
    const bucket = { bucketS, originMs: BUCKET_ORIGIN_MS };
    if (bucketCount(fromMs, toMs, bucket) <= maxPoints) return bucket;
  }
  return { bucketS: Math.ceil((toMs - fromMs) / 1000 / Math.max(1, maxPoints)), originMs: fromMs };
}

/** The start of every bucket that [fromMs, toMs) touches, oldest first. */
export function bucketStarts(fromMs: number, toMs: number, bucket: ExplorerBuckets): number[] {
  const widthMs = bucket.bucketS * 1000;
  const first = bucket.originMs + Math.floor((fromMs - bucket.originMs) / widthMs) * widthMs;
  const starts: number[] = [];
  for (let t = first; t < toMs; t += widthMs) starts.push(t);
  return starts;
}

export interface BandPoint {
  readonly tMs: number;
  readonly expected: number;
  readonly lower: number;
  readonly upper: number;
}

/**
 * The band drawn around the baseline: the ensemble takes residuals below 3 σ as no evidence at all
 * (its `quietZ`), so inside this band a value cannot raise a signal on the baseline's account.
 */
export const BASELINE_BAND_Z = 3;

export interface BaselineSettings {
  /** The series' declared range (QC hard limits), with which the ensemble normalises values. */
  readonly range: { readonly min: number; readonly max: number } | null;
  /** IANA zone of the station: the daily profile follows local hours. */
  readonly timeZone: string | null;
  /** The variable cannot be negative (`VariableDefinition.nonNegative`): the band stops at 0. */
  readonly nonNegative: boolean;
}

/**
 * A band edge or centre line of a quantity that cannot be negative, held at 0: a symmetric band around a
 * small concentration otherwise promises values no sensor can read. Clamping all three keeps lower ≤ centre ≤ upper.
 */
const floorAtZero = (value: number, nonNegative: boolean): number =>
  nonNegative ? Math.max(0, value) : value;

/**
 * The seasonal baseline's expected value and band at each time, from the ensemble's snapshot (the
 * `ensemble` row of detector_state), in the series' unit; empty without a usable snapshot. Configured as
 * `ENSEMBLE_DETECTOR` configures it: the same range normalisation, spread floor and zone offset.
 */
export function baselineBand(
  snapshot: unknown,
  settings: BaselineSettings,
  timesMs: readonly number[],
  z = BASELINE_BAND_Z,
): BandPoint[] {
  const seasonal = (snapshot as Partial<EnsembleSnapshot> | null)?.seasonal;
  if ((snapshot as { kind?: unknown } | null)?.kind !== 'ensemble' || seasonal === undefined) return [];
  const range = settings.range;
  const hasRange =
    range !== null && Number.isFinite(range.min) && Number.isFinite(range.max) && range.max > range.min;
  const offset = hasRange ? range.min : 0;
  const scale = hasRange ? range.max - range.min : 1;
  let baseline: ReturnType<typeof createSeasonalBaseline>;
  try {
    baseline = createSeasonalBaseline(
      { minSpread: hasRange ? 0.002 : 0, utcOffsetMinutes: utcOffsetMinutesOf(settings.timeZone) },
      seasonal,
    );
  } catch {
    return []; // a snapshot of another version: no band rather than a wrong one
  }
  const nonNegative = settings.nonNegative;
  const band: BandPoint[] = [];
  for (const tMs of timesMs) {
    // A missing value (NaN) makes the baseline say what it expects and return before learning.
    const out = baseline.update({ timeMs: tMs, value: Number.NaN });
    if (out.expected === null || out.spread === null) continue;
    const expected = out.expected * scale + offset;
    const half = z * out.spread * scale;
    band.push({
      tMs,
      expected: floorAtZero(expected, nonNegative),
      lower: floorAtZero(expected - half, nonNegative),
      upper: floorAtZero(expected + half, nonNegative),
    });
  }
  return band;
}

export interface ForecastPoint {
  readonly tMs: number;
  readonly mean: number;
  readonly lower: number;
  readonly upper: number;
}

/**
 * The forecast detector's Holt-Winters model (the `forecast` row of detector_state) run `FORECAST_HORIZON_S`
 * ahead of its last observation, as the detector itself looks ahead; the band is ±1.96 σ_h, σ_h grown from
 * the model's robust spread of one-step errors (Hyndman et al. 2008, §6.3); `originMs` is the time of that
 * last observation. No points until the model has learnt two seasons, or without a usable snapshot. For a
 * variable that cannot be negative (`nonNegative`) the mean and band stop at 0.
 */
export function forecastBand(
  snapshot: unknown,
  cadenceS: number,
  { nonNegative }: { readonly nonNegative: boolean },
): { readonly originMs: number | null; readonly points: ForecastPoint[] } {
  const none = { originMs: null, points: [] };
  const model = (snapshot as { model?: HoltWintersSnapshot } | null)?.model;
  if (model === undefined) return none;
  let forecast: ReturnType<ReturnType<typeof createHoltWinters>['forecastAhead']>;
  try {
    forecast = createHoltWinters(forecastModelConfig(cadenceS), model).forecastAhead(
      Math.max(1, Math.round(FORECAST_HORIZON_S / Math.max(1, cadenceS))),
    );
  } catch {
    return none;
  }
  const { originMs, stepMs } = forecast;
  if (originMs === null || stepMs === null) return none;
  return {
    originMs,
    points: forecast.mean.map((mean, j) => ({
      tMs: originMs + (j + 1) * stepMs,
      mean: floorAtZero(mean, nonNegative),
      lower: floorAtZero(forecast.lower[j] ?? mean, nonNegative),
      upper: floorAtZero(forecast.upper[j] ?? mean, nonNegative),
    })),
  };
}

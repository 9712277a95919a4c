/** @module Additive Holt-Winters forecaster and detector (Holt 1957, Winters 1960), robustified, with h-step forecasts, bands and threshold crossings for predictive signals. */

import { ROBUST_STRIDE, robustLearn, robustSigma, spreadFloor, twoSidedScore } from './robust-statistics.ts';
import {
  checkSetting,
  checkSnapshot,
  type DetectorOutput,
  type DetectorSnapshot,
  restoreArray,
  type StreamingDetector,
  type Writable,
} from './streaming-detector.ts';

export interface HoltWintersConfig {
  /** Level smoothing, error-correction form. Default 0.1. */
  readonly alpha?: number;
  /** Trend smoothing, error-correction form (β = α·β* of the classical form). Default 0.002. */
  readonly beta?: number;
  /** Seasonal smoothing. Default 0.1. */
  readonly gamma?: number;
  /** Trend damping φ in (0, 1] (Gardner & McKenzie 1985); 1 is the undamped Holt-Winters trend. Default 1. */
  readonly damping?: number;
  /** Season length in samples; 0 or 1 for none. Default: `seasonPeriodMs` / cadence. */
  readonly seasonLength?: number;
  /** The season in time, used with the cadence when `seasonLength` is not given. Default one day. */
  readonly seasonPeriodMs?: number;
  /** Sampling interval. Default: the median of the first 8 intervals. Known, it also lets gaps advance the season. */
  readonly cadenceMs?: number;
  /** A season of more samples than this is not modelled (1-second data over a day, say). Default 4096. */
  readonly maxSeasonLength?: number;
  /**
   * Samples used to start level and trend when there is no season (a least-squares line). With a
   * season, the start takes two seasons (Winters' classical start). Default 12.
   */
  readonly initSamples?: number;
  /** Samples the residual spread remembers. Default 200. */
  readonly residualMemory?: number;
  /** Forecast errors are clipped at this many σ before they update the state (Gelper, Fried & Croux 2010). Default 3. */
  readonly huberK?: number;
  /** The smallest spread, in the series' unit. Default 0: a tiny relative epsilon. */
  readonly minSpread?: number;
}

export interface HoltWintersSnapshot extends DetectorSnapshot {
  readonly kind: 'holt_winters';
  /** `cadence`: learning the sampling interval; `init`: the first two seasons (or `initSamples`); `run`: forecasting. */
  readonly phase: 'cadence' | 'init' | 'run';
  readonly cadenceMs: number | null;
  /** Intervals seen while the cadence is inferred (at most 8). */
  readonly intervals: readonly number[];
  readonly seasonLength: number;
  /** The seasonal components; during `init`, the sum of the values seen in each slot. */
  readonly seasonal: readonly number[];
  /** During `init` only: per slot, the count of values and the sum of their step positions. */
  readonly initSlots: readonly number[];
  readonly level: number;
  readonly trend: number;
  /** Seasonal slot of the next step. */
  readonly index: number;
  readonly lastTimeMs: number | null;
  /**
   * Sums over the start (t in steps from the first sample): n, Σt, Σy, Σt², Σt·y, the latest t, and the
   * count and sum of the values in the first season.
   */
  readonly start: readonly number[];
  /** count, location, mean absolute deviation of the one-step forecast errors. */
  readonly residual: readonly number[];
}

export interface HoltWintersForecast {
  /** Time of the last observation the forecast starts from. */
  readonly originMs: number | null;
  /** Time per step, when the cadence is known. */
  readonly stepMs: number | null;
  /** `mean[j]` is the forecast j + 1 steps ahead. */
  readonly mean: readonly number[];
  readonly lower: readonly number[];
  readonly upper: readonly number[];
  /** The band is mean ± z·σ_h. */
  readonly z: number;
}

export interface HoltWinters extends StreamingDetector<HoltWintersSnapshot> {
  /** Point forecasts and a ±z·σ_h band for 1…steps ahead (allocates; not for the hot path). */
  forecastAhead(steps: number, z?: number): HoltWintersForecast;
}

const CADENCE_INTERVALS = 8;
const START_FIELDS = 8;
const DAY_MS = 86_400_000;
/** Residuals needed before the detector scores. */
const MIN_RESIDUALS = 10;
const REASON_SCORE = 0.99;

export function createHoltWinters(
  config: HoltWintersConfig = {},
  snapshot?: HoltWintersSnapshot,
): HoltWinters {
  const alpha = checkSetting('alpha', config.alpha ?? 0.1, 0, 1, true);
  const beta = checkSetting('beta', config.beta ?? 0.002, 0, alpha);
  const gamma = checkSetting('gamma', config.gamma ?? 0.1, 0, 1);
  const phi = checkSetting('damping', config.damping ?? 1, 0, 1, true);
  const seasonPeriodMs = checkSetting('seasonPeriodMs', config.seasonPeriodMs ?? DAY_MS, 0, 1e15, true);
  const maxSeasonLength = checkSetting('maxSeasonLength', config.maxSeasonLength ?? 4096, 1, 1e7);
  const initSamples = checkSetting('initSamples', config.initSamples ?? 12, 2, 1e7);
  const residualMemory = checkSetting('residualMemory', config.residualMemory ?? 200, 1, 1e9);
  const huberK = checkSetting('huberK', config.huberK ?? 3, 0, 1e3, true);
  const minSpread = checkSetting('minSpread', config.minSpread ?? 0, 0, Number.MAX_VALUE);
  if (config.seasonLength !== undefined)
    checkSetting('seasonLength', config.seasonLength, 0, maxSeasonLength);
  if (config.cadenceMs !== undefined) checkSetting('cadenceMs', config.cadenceMs, 0, 1e15, true);

  let phase: HoltWintersSnapshot['phase'] = 'cadence';
  let cadenceMs: number | null = config.cadenceMs ?? null;
  let intervals: number[] = [];
  let seasonLength = 0;
  let seasonal = new Float64Array(0);
  let initSlots = new Float64Array(0);
  let level = 0;
  let trend = 0;
  let index = 0;
  let lastTimeMs: number | null = null;
  let start = new Float64Array(START_FIELDS);
  let residual = new Float64Array(ROBUST_STRIDE);

  function seasonLengthFor(cadence: number | null): number {
    if (config.seasonLength !== undefined) return Math.round(config.seasonLength);
    if (cadence === null) return 0;
    const length = Math.round(seasonPeriodMs / cadence);
    return length >= 2 && length <= maxSeasonLength ? length : 0;
  }

  function enterInit(): void {
    phase = 'init';
    seasonLength = seasonLengthFor(cadenceMs);
    seasonal = new Float64Array(seasonLength > 1 ? seasonLength : 0);
    initSlots = new Float64Array(2 * seasonal.length);
  }

  if (snapshot) {
    checkSnapshot(snapshot, 'holt_winters');
    phase = snapshot.phase;
    cadenceMs = snapshot.cadenceMs;
    intervals = [...snapshot.intervals];
    seasonLength = snapshot.seasonLength;
    const slots = seasonLength > 1 ? seasonLength : 0;
    seasonal = restoreArray(snapshot.seasonal, slots, 'seasonal');
    initSlots = restoreArray(snapshot.initSlots, phase === 'init' ? 2 * slots : 0, 'initSlots');
    level = snapshot.level;
    trend = snapshot.trend;
    index = snapshot.index;
    lastTimeMs = snapshot.lastTimeMs;
    start = restoreArray(snapshot.start, START_FIELDS, 'start');
    residual = restoreArray(snapshot.residual, ROBUST_STRIDE, 'residual');
  } else if (config.seasonLength !== undefined || cadenceMs !== null) {
    enterInit();
  }

  const out: Writable<DetectorOutput> = { score: 0, expected: null, spread: null, reason: null };

  /** Steps from the last observation to `timeMs`: at least 1, more across a gap when the cadence is known. */
  function stepsSince(timeMs: number): number {
    if (lastTimeMs === null || cadenceMs === null) return 1;
    const steps = Math.round((timeMs - lastTimeMs) / cadenceMs);
    return Math.max(steps, 1);
  }

  /** φ + φ² + … + φ^m. */
  function dampedSum(m: number): number {
    return phi === 1 ? m : (phi * (1 - phi ** m)) / (1 - phi);
  }

  function finishInit(): void {
    const n = start[0]!;
    const sumT = start[1]!;
    const sumY = start[2]!;
    const sumTT = start[3]!;
    const sumTY = start[4]!;
    const lastT = start[5]!;
    const meanT = sumT / n;
    const meanY = sumY / n;
    const length = seasonal.length;
    if (length > 0) {
      // Winters' start: the trend from the means of the first two seasons, each slot's component
      // its mean deviation from that line.
      const n1 = start[6]!;
      const n2 = n - n1;
      trend = n1 > 0 && n2 > 0 ? ((sumY - start[7]!) / n2 - start[7]! / n1) / length : 0;
      for (let i = 0; i < length; i++) {
        const count = initSlots[2 * i]!;
        if (count > 0) {
          const position = initSlots[2 * i + 1]! / count;
          seasonal[i] = seasonal[i]! / count - (meanY + trend * (position - meanT));
        }
      }
      fillUnseenSlots();
    } else {
      const denominator = n * sumTT - sumT * sumT;
      trend = denominator > 0 ? (n * sumTY - sumT * sumY) / denominator : 0;
    }
    level = meanY + trend * (lastT - meanT);
    initSlots = new Float64Array(0);
    phase = 'run';
  }

  /** Slots that saw no value during the start (a gap) get the linear interpolation of their seen neighbours. */
  function fillUnseenSlots(): void {
    const length = seasonal.length;
    let first = -1;
    for (let i = 0; i < length && first < 0; i++) if (initSlots[2 * i]! > 0) first = i;
    if (first < 0) return;
    // Once around the circle from the first seen slot, across each run of unseen ones.
    let previous = first;
    for (let step = 1; step <= length; step++) {
      const i = (first + step) % length;
      if (initSlots[2 * i] === 0) continue;
      const span = step - ((previous - first + length) % length);
      for (let gap = 1; gap < span; gap++) {
        const f = gap / span;
        seasonal[(previous + gap) % length] = (1 - f) * seasonal[previous]! + f * seasonal[i]!;
      }
      previous = i;
    }
  }

  function learnInit(value: number, steps: number): void {
    const n = start[0]!;
    const stepAt = n === 0 ? 0 : start[5]! + steps;
    const length = seasonal.length;
    start[0] = n + 1;
    start[1] = start[1]! + stepAt;
    start[2] = start[2]! + value;
    start[3] = start[3]! + stepAt * stepAt;
    start[4] = start[4]! + stepAt * value;
    start[5] = stepAt;
    if (length > 0) {
      index = stepAt % length;
      seasonal[index] = seasonal[index]! + value;
      initSlots[2 * index] = initSlots[2 * index]! + 1;
      initSlots[2 * index + 1] = initSlots[2 * index + 1]! + stepAt;
      if (stepAt < length) {
        start[6] = start[6]! + 1;
        start[7] = start[7]! + value;
      }
    }
    const done = length > 0 ? stepAt + 1 >= 2 * length : n + 1 >= initSamples;
    if (done) {
      finishInit();
      if (length > 0) index = (stepAt + 1) % length;
    }
  }

  const detector: HoltWinters = {
    kind: 'holt_winters',
    update(input) {
      out.score = 0;
      out.reason = null;
      const { timeMs, value } = input;
      if (!Number.isFinite(timeMs) || !Number.isFinite(value)) {
        out.expected =
          phase === 'run' ? level + phi * trend + (seasonal.length > 0 ? seasonal[index]! : 0) : null;
        out.spread = null;
        return out;
      }
      if (phase === 'cadence') {
        out.expected = null;
        out.spread = null;
        if (lastTimeMs !== null && timeMs > lastTimeMs) intervals.push(timeMs - lastTimeMs);
        lastTimeMs = timeMs;
        if (intervals.length >= CADENCE_INTERVALS) {
          const sorted = [...intervals].sort((a, b) => a - b);
          cadenceMs = sorted[sorted.length >> 1]!;
          intervals = [];
          enterInit();
          // This sample opens the first season.
          learnInit(value, 1);
        }
        return out;
      }
      const steps = stepsSince(timeMs);
      lastTimeMs = timeMs;
      if (phase === 'init') {
        out.expected = start[0]! > 0 ? start[2]! / start[0]! : null;
        out.spread = null;
        learnInit(value, steps);
        return out;
      }
      const length = seasonal.length;
      if (steps > 1) {
        // Across a gap the state runs on as its own forecast.
        const missing = steps - 1;
        level += trend * dampedSum(missing);
        trend *= phi ** missing;
        if (length > 0) index = (index + missing) % length;
      }
      const season = length > 0 ? seasonal[index]! : 0;
      const expected = level + phi * trend + season;
      const floor = spreadFloor(minSpread, expected);
      const sigma = robustSigma(residual, 0, floor);
      const error = value - expected;
      out.expected = expected;
      out.spread = residual[0]! >= 2 ? sigma : null;
      if (residual[0]! >= MIN_RESIDUALS) {
        const score = twoSidedScore(error / sigma);
        out.score = score;
        if (score >= REASON_SCORE) out.reason = error > 0 ? 'above_forecast' : 'below_forecast';
      }
      let clipped = error;
      if (residual[0]! >= MIN_RESIDUALS) {
        const limit = huberK * sigma;
        if (clipped > limit) clipped = limit;
        else if (clipped < -limit) clipped = -limit;
      }
      // Error-correction form of additive (damped) Holt-Winters (Hyndman et al. 2008, Table 2.1).
      level = level + phi * trend + alpha * clipped;
      trend = phi * trend + beta * clipped;
      if (length > 0) {
        seasonal[index] = season + gamma * clipped;
        index = index + 1 === length ? 0 : index + 1;
      }
      robustLearn(residual, 0, error, residualMemory, huberK, floor);
      return out;
    },
    forecastAhead(steps, z = 1.96) {
      checkSetting('steps', steps, 0, 1e7);
      const mean: number[] = [];
      const lower: number[] = [];
      const upper: number[] = [];
      if (phase !== 'run') return { originMs: lastTimeMs, stepMs: cadenceMs, mean, lower, upper, z };
      const length = seasonal.length;
      const sigma = robustSigma(residual, 0, spreadFloor(minSpread, level));
      // Forecast variance of the additive class-1 ETS models (Hyndman et al. 2008, §6.3):
      // σ_h² = σ²·(1 + Σ_{j<h} c_j²), c_j = α + β·(φ + … + φ^j) + γ·[j is a multiple of m].
      let sumC2 = 0;
      for (let j = 1; j <= steps; j++) {
        const season = length > 0 ? seasonal[(index + j - 1) % length]! : 0;
        const point = level + trend * dampedSum(j) + season;
        const half = z * sigma * Math.sqrt(1 + sumC2);
        mean.push(point);
        lower.push(point - half);
        upper.push(point + half);
        const c = alpha + beta * dampedSum(j) + (length > 0 && j % length === 0 ? gamma : 0);
        sumC2 += c * c;
      }
      return { originMs: lastTimeMs, stepMs: cadenceMs, mean, lower, upper, z };
    },
    snapshot() {
      return {
        kind: 'holt_winters',
        version: 1,
        phase,
        cadenceMs,
        intervals: [...intervals],
        seasonLength,
        seasonal: Array.from(seasonal),
        initSlots: Array.from(initSlots),
        level,
        trend,
        index,
        lastTimeMs,
        start: Array.from(start),
        residual: Array.from(residual),
      };
    },
  };
  return detector;
}

export interface CrossingOptions {
  /** `up`: the first step at or above the threshold; `down`: at or below. Default `up`. */
  readonly direction?: 'up' | 'down';
  /** Use the band edge toward the threshold (upper for `up`) instead of the point forecast. Default false. */
  readonly band?: boolean;
}

/**
 * Steps ahead (1-based) until the forecast first reaches `threshold`, or null within its horizon:
 * the lead time of a predictive signal is this times `forecast.stepMs`.
 */
export function firstCrossing(
  forecast: HoltWintersForecast,
  threshold: number,
  options: CrossingOptions = {},
): number | null {
  const up = (options.direction ?? 'up') === 'up';
  const path = options.band ? (up ? forecast.upper : forecast.lower) : forecast.mean;
  for (let j = 0; j < path.length; j++) {
    const v = path[j]!;
    if (up ? v >= threshold : v <= threshold) return j + 1;
  }
  return null;
}

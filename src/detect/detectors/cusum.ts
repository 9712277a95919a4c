/** @module Two-sided CUSUM change detector (Page 1954) on residuals standardised by a robust reference, reset after each alarm. */

import { ROBUST_STRIDE, robustLearn, robustSigma, spreadFloor } from './robust-statistics.ts';
import {
  checkSetting,
  checkSnapshot,
  type DetectorOutput,
  type DetectorSnapshot,
  restoreArray,
  type StreamingDetector,
  type Writable,
} from './streaming-detector.ts';

export interface CusumConfig {
  /** Allowance (slack) per sample, in σ: shifts of about 2k σ are detected fastest. Default 0.5. */
  readonly k?: number;
  /**
   * Decision interval, in σ: an alarm when a cumulative sum reaches it. Default 8: with k = 0.5 about
   * 10⁴ in-control samples between false alarms (two-sided, Siegmund's approximation), where the
   * textbook h = 5 gives ~470 — too many across thousands of minute series. A 1σ shift is then found
   * in ~18 samples, a 3σ shift in ~4.
   */
  readonly h?: number;
  /** Samples learned before judging, at the start and again after each alarm. Default 30. */
  readonly warmup?: number;
  /** Samples the reference (location, spread) remembers. Default 500. */
  readonly memory?: number;
  /** Standardised residuals are clipped at ±zClip, so one spike cannot reach h alone. Default 3. */
  readonly zClip?: number;
  /** Residuals are clipped at this many σ when the reference learns. Default 3. */
  readonly huberK?: number;
  /** The smallest spread, in the series' unit. Default 0: a tiny relative epsilon. */
  readonly minSpread?: number;
  /**
   * An alarm is called a drift when its run has at least this many samples and a least-squares line
   * through them rises significantly (t ≥ 2) from near the allowance. Default 10.
   */
  readonly minDriftRun?: number;
  /**
   * An alarm in the same direction as one fewer than this many samples before is also a drift: the
   * level kept moving after the reference was learned again. Default 200.
   */
  readonly driftWindow?: number;
}

export interface CusumOutput extends DetectorOutput {
  /** At an alarm, when the excursion that caused it began: the change-point estimate. */
  readonly changeStartMs: number | null;
}

/** One side's excursion: sum, run length, Σu, Σj·u and Σu² over the run (u the clipped z, j = 0…n−1), run start. */
const SIDE_STRIDE = 6;

export interface CusumSnapshot extends DetectorSnapshot {
  readonly kind: 'cusum';
  /** count, location, mean absolute deviation of the reference. */
  readonly reference: readonly number[];
  /** Upper then lower side, `SIDE_STRIDE` numbers each. */
  readonly sides: readonly number[];
  /** Direction of the last alarm (1 up, −1 down, 0 none within `driftWindow`) and samples since it. */
  readonly lastAlarm: readonly [number, number];
}

export type Cusum = StreamingDetector<CusumSnapshot, CusumOutput>;

export function createCusum(config: CusumConfig = {}, snapshot?: CusumSnapshot): Cusum {
  const k = checkSetting('k', config.k ?? 0.5, 0, 100);
  const h = checkSetting('h', config.h ?? 8, 0, 1e6, true);
  const warmup = checkSetting('warmup', config.warmup ?? 30, 2, 1e9);
  const memory = checkSetting('memory', config.memory ?? 500, warmup, 1e9);
  const zClip = checkSetting('zClip', config.zClip ?? 3, 0, 1e6, true);
  const huberK = checkSetting('huberK', config.huberK ?? 3, 0, 1e3, true);
  const minSpread = checkSetting('minSpread', config.minSpread ?? 0, 0, Number.MAX_VALUE);
  const minDriftRun = checkSetting('minDriftRun', config.minDriftRun ?? 10, 3, 1e9);
  const driftWindow = checkSetting('driftWindow', config.driftWindow ?? 200, 0, 1e9);

  let reference = new Float64Array(ROBUST_STRIDE);
  let sides = new Float64Array(2 * SIDE_STRIDE);
  let lastDirection = 0;
  let sinceAlarm = 0;
  if (snapshot) {
    checkSnapshot(snapshot, 'cusum');
    reference = restoreArray(snapshot.reference, reference.length, 'reference');
    sides = restoreArray(snapshot.sides, sides.length, 'sides');
    [lastDirection, sinceAlarm] = snapshot.lastAlarm;
  }

  const out: Writable<CusumOutput> = {
    score: 0,
    expected: null,
    spread: null,
    reason: null,
    changeStartMs: null,
  };

  /** Adds `u` (already signed so that this side rises) to the side at `at`; returns its sum. */
  function accumulate(at: number, u: number, timeMs: number): number {
    const sum = sides[at]! + u - k;
    if (sum <= 0) {
      sides.fill(0, at, at + SIDE_STRIDE);
      return 0;
    }
    const n = sides[at + 1]!;
    if (n === 0) sides[at + 5] = timeMs;
    sides[at] = sum;
    sides[at + 1] = n + 1;
    sides[at + 2] = sides[at + 2]! + u;
    sides[at + 3] = sides[at + 3]! + n * u;
    sides[at + 4] = sides[at + 4]! + u * u;
    return sum;
  }

  /**
   * Fits u = a + b·j over the run by least squares: a drift rises significantly from near the
   * allowance, a level shift is flat at its new level (a noisy start of the run aside).
   */
  function isDrift(at: number): boolean {
    const n = sides[at + 1]!;
    if (n < minDriftRun) return false;
    const sumJ = (n * (n - 1)) / 2;
    const sxx = ((n - 1) * n * (2 * n - 1)) / 6 - (sumJ * sumJ) / n;
    const sumU = sides[at + 2]!;
    const sxy = sides[at + 3]! - (sumJ * sumU) / n;
    const syy = sides[at + 4]! - (sumU * sumU) / n;
    const b = sxy / sxx;
    const residualVariance = Math.max(syy - b * sxy, 0) / (n - 2);
    const t = b / Math.sqrt(residualVariance / sxx + 1e-300);
    const a = sumU / n - (b * sumJ) / n;
    const start = a - k;
    const end = a + b * (n - 1) - k;
    return t >= 2 && end > 0 && start < end / 3;
  }

  return {
    kind: 'cusum',
    update(input) {
      out.score = 0;
      out.reason = null;
      out.changeStartMs = null;
      const value = input.value;
      const learned = reference[0]!;
      const location = reference[1]!;
      const floor = spreadFloor(minSpread, location);
      out.expected = learned > 0 ? location : null;
      out.spread = learned > 1 ? robustSigma(reference, 0, floor) : null;
      if (!Number.isFinite(value) || !Number.isFinite(input.timeMs)) return out;
      if (lastDirection !== 0 && ++sinceAlarm >= driftWindow) lastDirection = 0;
      if (learned < warmup) {
        robustLearn(reference, 0, value, memory, huberK, floor);
        return out;
      }
      const sigma = robustSigma(reference, 0, floor);
      let z = (value - location) / sigma;
      if (z > zClip) z = zClip;
      else if (z < -zClip) z = -zClip;
      const upper = accumulate(0, z, input.timeMs);
      const lower = accumulate(SIDE_STRIDE, -z, input.timeMs);
      if (upper >= h || lower >= h) {
        const at = upper >= lower ? 0 : SIDE_STRIDE;
        const direction = at === 0 ? 1 : -1;
        const drift = isDrift(at) || direction === lastDirection;
        out.score = 1;
        out.reason =
          at === 0 ? (drift ? 'drift_up' : 'level_shift_up') : drift ? 'drift_down' : 'level_shift_down';
        lastDirection = direction;
        sinceAlarm = 0;
        out.changeStartMs = sides[at + 5]!;
        // A new regime: forget the old reference and learn again from this sample on.
        sides.fill(0);
        reference.fill(0);
        robustLearn(reference, 0, value, memory, huberK, floor);
        return out;
      }
      out.score = Math.max(upper, lower) / h;
      robustLearn(reference, 0, value, memory, huberK, floor);
      return out;
    },
    snapshot() {
      return {
        kind: 'cusum',
        version: 1,
        reference: Array.from(reference),
        sides: Array.from(sides),
        lastAlarm: [lastDirection, sinceAlarm],
      };
    },
  };
}

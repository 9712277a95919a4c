/** @module The default detector: seasonal baseline, Holt-Winters, CUSUM and a seen-range rule, through the anomaly likelihood, with a refractory period so it fires once, early, per anomaly. */

import {
  type AnomalyLikelihoodConfig,
  type AnomalyLikelihoodSnapshot,
  createAnomalyLikelihood,
} from './anomaly-likelihood.ts';
import { type CusumConfig, type CusumSnapshot, createCusum } from './cusum.ts';
import { createHoltWinters, type HoltWintersConfig, type HoltWintersSnapshot } from './holt-winters.ts';
import {
  createSeasonalBaseline,
  type SeasonalBaselineConfig,
  type SeasonalBaselineSnapshot,
} from './seasonal-baseline.ts';
import {
  checkSetting,
  checkSnapshot,
  type DetectorOutput,
  type DetectorReason,
  type DetectorSnapshot,
  type StreamingDetector,
  type Writable,
} from './streaming-detector.ts';

/*
 * Why this shape (NAB, /work/shared/nab/NOTES.md): one more detected window is worth ~17 false
 * positives, early detection inside a window earns more, and repeated alarms cost; the detectors that
 * score best normalise with the series' declared range, post-process raw scores with the anomaly
 * likelihood, add a "spatial" rule (a value beyond the range seen so far) and suppress after each
 * detection.
 *
 * Raw evidence is sparse, like an HTM raw score: a member's residual gives nothing below `quietZ` σ and
 * 1 from `loudZ` σ on, so ordinary noise keeps the likelihood's long-run distribution near zero and a
 * few large residuals stand out in the short-window mean. The CUSUM watches the seasonal baseline's
 * residual, so a daily cycle is not a change but a shift away from it is. Defaults were chosen on
 * NAB's shared half with coarse, round values (see the module's report); they are not per-file.
 */

export type EnsembleMember = 'seasonal' | 'holtWinters' | 'cusum' | 'spatial' | 'likelihood';

export interface EnsembleConfig {
  /**
   * The series' declared range (its QC hard limits; NAB's inputMin/inputMax): values are normalised
   * with it, and spreads floored at `minSpread` of it. Without it the raw values are used.
   */
  readonly range?: { readonly min: number; readonly max: number };
  /** The score at or above which the ensemble fires, then stays quiet for `refractorySamples`. Default 0.5. */
  readonly threshold?: number;
  /** Samples suppressed (score 0) after a firing. Default 200. */
  readonly refractorySamples?: number;
  /** Samples before the seen-range rule may fire. Default 300. */
  readonly spatialWarmup?: number;
  /**
   * A value beyond the seen range by more than this fraction of it is a spatial anomaly. Default 0.05
   * (Numenta's). 0.03 scored ~1 point more on NAB's shared half but fires on ordinary noise a day into a
   * noisy daily cycle (the single-spike test), so the published value stays.
   */
  readonly spatialTolerance?: number;
  /**
   * The smallest member spread, as a fraction of the declared range (default 0.002); without a range,
   * in the series' unit (default 0: a tiny relative epsilon).
   */
  readonly minSpread?: number;
  /** Residuals below this many σ are no evidence. Default 3. */
  readonly quietZ?: number;
  /** Residuals from this many σ on are full evidence. Default 8. */
  readonly loudZ?: number;
  /** Member settings; the ensemble's own defaults are in `ENSEMBLE_MEMBER_DEFAULTS`. */
  readonly seasonal?: SeasonalBaselineConfig;
  readonly holtWinters?: HoltWintersConfig;
  readonly cusum?: CusumConfig;
  readonly likelihood?: AnomalyLikelihoodConfig;
}

export interface EnsembleOutput extends DetectorOutput {
  /** Each member's own score in [0, 1], and the likelihood's, for reporting members alone. */
  readonly members: Readonly<Record<EnsembleMember, number>>;
  /** The raw evidence fed to the likelihood. */
  readonly raw: number;
  /** True at a firing; the samples after it are suppressed. */
  readonly fired: boolean;
}

export interface EnsembleSnapshot extends DetectorSnapshot {
  readonly kind: 'ensemble';
  readonly seasonal: SeasonalBaselineSnapshot;
  readonly holtWinters: HoltWintersSnapshot;
  readonly cusum: CusumSnapshot;
  readonly likelihood: AnomalyLikelihoodSnapshot;
  /** Values seen, and their minimum and maximum (normalised), for the spatial rule. */
  readonly seen: number;
  readonly seenMin: number;
  readonly seenMax: number;
  readonly refractoryLeft: number;
}

export type Ensemble = StreamingDetector<EnsembleSnapshot, EnsembleOutput>;

/**
 * Where the ensemble departs from its members' own defaults:
 * - a non-seasonal Holt-Winters (`seasonLength: 0`): the seasonal baseline already models the daily
 *   cycle, so the forecaster's job here is the complementary one, a departure from the recent level
 *   whatever the time of day; a seasonal one duplicated the baseline and needed two seasons to start
 *   (on NAB's shared half: 71.0 non-seasonal against 68.5 seasonal, standard profile);
 * - a slower level (α = 0.05 against the member's 0.1), whose one-step residuals then carry evidence
 *   for ~20 samples, the likelihood's short window (NAB shared half: 71.3 with 0.05, 71.0 with 0.01 or 0.02);
 * - a more eager CUSUM, whose alarms are only evidence here;
 * - and a 20-sample short window for the likelihood (10 or 15 let isolated bursts of noise through:
 *   twice the false positives, mostly on the Twitter files).
 */
export const ENSEMBLE_MEMBER_DEFAULTS = {
  holtWinters: { seasonLength: 0, alpha: 0.05 },
  cusum: { h: 5 },
  likelihood: { shortWindow: 20 },
} as const satisfies {
  holtWinters: HoltWintersConfig;
  cusum: CusumConfig;
  likelihood: AnomalyLikelihoodConfig;
};

export function createEnsemble(config: EnsembleConfig = {}, snapshot?: EnsembleSnapshot): Ensemble {
  const range = config.range;
  const hasRange =
    range !== undefined && Number.isFinite(range.min) && Number.isFinite(range.max) && range.max > range.min;
  const offset = hasRange ? range.min : 0;
  const scale = hasRange ? range.max - range.min : 1;
  const threshold = checkSetting('threshold', config.threshold ?? 0.5, 0, 1, true);
  const refractorySamples = checkSetting('refractorySamples', config.refractorySamples ?? 200, 0, 1e9);
  const spatialWarmup = checkSetting('spatialWarmup', config.spatialWarmup ?? 300, 0, 1e9);
  const spatialTolerance = checkSetting('spatialTolerance', config.spatialTolerance ?? 0.05, 0, 1e6);
  const minSpread = checkSetting(
    'minSpread',
    config.minSpread ?? (hasRange ? 0.002 : 0),
    0,
    Number.MAX_VALUE,
  );
  const quietZ = checkSetting('quietZ', config.quietZ ?? 3, 0, 1e3);
  const loudZ = checkSetting('loudZ', config.loudZ ?? 8, quietZ, 1e3, true);

  if (snapshot) checkSnapshot(snapshot, 'ensemble');
  const seasonal = createSeasonalBaseline({ minSpread, ...config.seasonal }, snapshot?.seasonal);
  const holtWinters = createHoltWinters(
    { minSpread, ...ENSEMBLE_MEMBER_DEFAULTS.holtWinters, ...config.holtWinters },
    snapshot?.holtWinters,
  );
  const cusum = createCusum(
    { minSpread, ...ENSEMBLE_MEMBER_DEFAULTS.cusum, ...config.cusum },
    snapshot?.cusum,
  );
  const likelihood = createAnomalyLikelihood(
    { ...ENSEMBLE_MEMBER_DEFAULTS.likelihood, ...config.likelihood },
    snapshot?.likelihood,
  );

  let seen = 0;
  let seenMin = 0;
  let seenMax = 0;
  let refractoryLeft = 0;
  if (snapshot) {
    seen = snapshot.seen;
    seenMin = snapshot.seenMin;
    seenMax = snapshot.seenMax;
    refractoryLeft = snapshot.refractoryLeft;
  }

  const members: Writable<Record<EnsembleMember, number>> = {
    seasonal: 0,
    holtWinters: 0,
    cusum: 0,
    spatial: 0,
    likelihood: 0,
  };
  const out: Writable<EnsembleOutput> = {
    score: 0,
    expected: null,
    spread: null,
    reason: null,
    members,
    raw: 0,
    fired: false,
  };
  const span = loudZ - quietZ;
  const member = { timeMs: 0, value: 0 };

  /** Sparse evidence of one residual: 0 up to quietZ σ, 1 from loudZ σ. */
  function evidence(value: number, expected: number | null, spread: number | null): number {
    if (expected === null || spread === null) return 0;
    const z = Math.abs(value - expected) / spread;
    return z <= quietZ ? 0 : z >= loudZ ? 1 : (z - quietZ) / span;
  }

  return {
    kind: 'ensemble',
    update(input) {
      out.score = 0;
      out.reason = null;
      out.fired = false;
      out.raw = 0;
      const value = (input.value - offset) / scale;
      member.timeMs = input.timeMs;
      member.value = value;
      const s = seasonal.update(member);
      members.seasonal = s.score;
      let strongest = evidence(value, s.expected, s.spread);
      let reason: DetectorReason | null = s.reason;
      let expected = s.expected;
      let spread = s.spread;
      const hw = holtWinters.update(member);
      members.holtWinters = hw.score;
      const hwEvidence = evidence(value, hw.expected, hw.spread);
      if (hwEvidence > strongest) {
        strongest = hwEvidence;
        reason = hw.reason;
      }
      if (hw.spread !== null) {
        expected = hw.expected;
        spread = hw.spread;
      }
      // The CUSUM sees the residual from the seasonal baseline (missing until the baseline exists).
      member.value = s.expected === null ? Number.NaN : value - s.expected;
      const c = cusum.update(member);
      member.value = value;
      members.cusum = c.score;
      out.expected = expected === null ? null : expected * scale + offset;
      out.spread = spread === null ? null : spread * scale;
      if (!Number.isFinite(value) || !Number.isFinite(input.timeMs)) {
        members.spatial = 0;
        members.likelihood = 0;
        return out;
      }

      let spatial = 0;
      let spatialReason: DetectorReason | null = null;
      if (seen === 0) {
        seenMin = value;
        seenMax = value;
      } else {
        const tolerance = (seenMax - seenMin) * spatialTolerance;
        if (seen >= spatialWarmup && seenMax > seenMin) {
          if (value > seenMax + tolerance) {
            spatial = 1;
            spatialReason = 'above_seen_range';
          } else if (value < seenMin - tolerance) {
            spatial = 1;
            spatialReason = 'below_seen_range';
          }
        }
        if (value > seenMax) seenMax = value;
        if (value < seenMin) seenMin = value;
      }
      if (seen < spatialWarmup || seen === 0) seen++;
      members.spatial = spatial;

      const raw = Math.max(strongest, c.score >= 1 ? 1 : 0);
      out.raw = raw;
      member.value = raw;
      const l = likelihood.update(member);
      members.likelihood = l.score;

      let score = l.score;
      if (l.reason !== null) reason ??= l.reason;
      if (c.score >= 1 && c.reason !== null) reason = c.reason;
      if (spatial > score) {
        score = spatial;
        reason = spatialReason;
      }
      if (refractoryLeft > 0) {
        refractoryLeft--;
        return out;
      }
      out.score = score;
      if (score >= threshold) {
        out.fired = true;
        out.reason = reason ?? 'improbable_scores';
        refractoryLeft = refractorySamples;
      }
      return out;
    },
    snapshot() {
      return {
        kind: 'ensemble',
        version: 1,
        seasonal: seasonal.snapshot(),
        holtWinters: holtWinters.snapshot(),
        cusum: cusum.snapshot(),
        likelihood: likelihood.snapshot(),
        seen,
        seenMin,
        seenMax,
        refractoryLeft,
      };
    },
  };
}

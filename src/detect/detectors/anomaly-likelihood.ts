/** @module Anomaly likelihood (Ahmad, Lavin, Purdy & Agha 2017): how improbable the recent mean of raw anomaly scores is under their long-run distribution. */

import { normalUpperTail } from './robust-statistics.ts';
import {
  checkSetting,
  checkSnapshot,
  type DetectorOutput,
  type DetectorSnapshot,
  restoreArray,
  type StreamingDetector,
  type Writable,
} from './streaming-detector.ts';

/*
 * After Numenta's `nupic/algorithms/anomaly_likelihood.py` (`AnomalyLikelihood.anomalyProbability`,
 * as used by NAB's numenta detector): raw scores are averaged over a short window (10); the averages
 * are modelled as a normal distribution over a long history (8640 records there, re-estimated every
 * 100), with the mean floored at 0.03 and the variance at 0.0003; the likelihood is 1 − Q(z) of the
 * current average; a "red" tail probability (≤ 1e-5) directly after another red one is softened to
 * the "yellow" 1e-3 (`_filterLikelihoods`), so a sustained anomaly is red once; and the log score is
 * log(1.0000000001 − likelihood) / log(1e-10).
 *
 * Differences, each for bounded memory and O(1) work: the long-run mean and variance are exponentially
 * weighted (an exact running mean for the first `longMemory` samples) instead of a 8640-long window
 * re-estimated every 100 records; and only averages *above* the mean are improbable (nupic mirrors
 * the lower tail too, which calls an unusually quiet stretch an anomaly).
 */

export interface AnomalyLikelihoodConfig {
  /** Raw scores averaged for the short-window mean. Default 10. */
  readonly shortWindow?: number;
  /** Samples the long-run distribution remembers. Default 4000. */
  readonly longMemory?: number;
  /** Raw scores ignored at the start while the scoring model itself learns. Default 300. */
  readonly learningPeriod?: number;
  /** Averages learned after that before any likelihood is reported. Default 100. */
  readonly estimationSamples?: number;
  /** Default 0.03, as nupic. */
  readonly meanFloor?: number;
  /** Default 0.0003, as nupic. */
  readonly varianceFloor?: number;
}

export interface AnomalyLikelihoodOutput extends DetectorOutput {
  /** 1 − the tail probability of the short-window mean: 0.5 while learning. */
  readonly likelihood: number;
}

export interface AnomalyLikelihoodSnapshot extends DetectorSnapshot {
  readonly kind: 'anomaly_likelihood';
  /** Raw scores learned (capped once past learning and estimation). */
  readonly seen: number;
  /** The last `shortWindow` raw scores, a ring. */
  readonly window: readonly number[];
  readonly windowAt: number;
  readonly windowSum: number;
  /** count, mean, variance of the short-window means. */
  readonly distribution: readonly number[];
  /** The previous unfiltered tail probability. */
  readonly previousTail: number;
}

/**
 * A post-processor of raw scores: `update({ timeMs, value })` takes the raw anomaly score in [0, 1]
 * as `value`; its `score` is the log likelihood score in [0, 1] (0.5 at a tail probability of 1e-5).
 */
export type AnomalyLikelihood = StreamingDetector<AnomalyLikelihoodSnapshot, AnomalyLikelihoodOutput>;

const RED_TAIL = 1e-5;
const YELLOW_TAIL = 1e-3;
const LOG_1E_10 = Math.log(1e-10);

/** nupic's `computeLogLikelihood`, from the tail probability p = 1 − likelihood. */
export function logLikelihoodScore(tail: number): number {
  return Math.max(0, Math.log(tail + 1e-10) / LOG_1E_10);
}

export function createAnomalyLikelihood(
  config: AnomalyLikelihoodConfig = {},
  snapshot?: AnomalyLikelihoodSnapshot,
): AnomalyLikelihood {
  const shortWindow = checkSetting('shortWindow', config.shortWindow ?? 10, 1, 1e6);
  const longMemory = checkSetting('longMemory', config.longMemory ?? 4000, 1, 1e9);
  const learningPeriod = checkSetting('learningPeriod', config.learningPeriod ?? 300, 0, 1e9);
  const estimationSamples = checkSetting('estimationSamples', config.estimationSamples ?? 100, 1, 1e9);
  const meanFloor = checkSetting('meanFloor', config.meanFloor ?? 0.03, 0, 1);
  const varianceFloor = checkSetting('varianceFloor', config.varianceFloor ?? 0.0003, 0, 1, true);
  const ready = learningPeriod + estimationSamples;

  let seen = 0;
  let window = new Float64Array(Math.round(shortWindow));
  let windowAt = 0;
  let windowSum = 0;
  let distribution = new Float64Array(3);
  let previousTail = 1;
  if (snapshot) {
    checkSnapshot(snapshot, 'anomaly_likelihood');
    seen = snapshot.seen;
    window = restoreArray(snapshot.window, window.length, 'window');
    windowAt = snapshot.windowAt;
    windowSum = snapshot.windowSum;
    distribution = restoreArray(snapshot.distribution, 3, 'distribution');
    previousTail = snapshot.previousTail;
  }

  const out: Writable<AnomalyLikelihoodOutput> = {
    score: logLikelihoodScore(0.5),
    expected: null,
    spread: null,
    reason: null,
    likelihood: 0.5,
  };

  return {
    kind: 'anomaly_likelihood',
    update(input) {
      out.reason = null;
      out.likelihood = 0.5;
      out.score = logLikelihoodScore(0.5);
      // A missing score says nothing expected: carrying the last step's over would make the output depend on
      // whether the detector was restored from a snapshot in between (found by the checkpoint property).
      out.expected = null;
      out.spread = null;
      const raw = input.value;
      if (!Number.isFinite(raw)) return out;
      // Short-window mean, over as many scores as seen while the window fills (nupic's MovingAverage).
      windowSum += raw - window[windowAt]!;
      window[windowAt] = raw;
      windowAt++;
      if (windowAt === window.length) {
        // Re-add the ring once per lap, so rounding in the running sum never accumulates.
        windowAt = 0;
        windowSum = 0;
        for (let i = 0; i < window.length; i++) windowSum += window[i]!;
      }
      if (seen <= ready) seen++;
      const filled = Math.min(seen, window.length);
      const average = windowSum / filled;
      if (seen <= learningPeriod) return out;

      const n = distribution[0]!;
      const mean = distribution[1]!;
      const variance = distribution[2]!;
      if (seen > ready) {
        const floorMean = Math.max(mean, meanFloor);
        const sd = Math.sqrt(Math.max(variance, varianceFloor));
        out.expected = floorMean;
        out.spread = sd;
        const rawTail = average > floorMean ? normalUpperTail((average - floorMean) / sd) : 1;
        // nupic's filter: only the first of consecutive red tails stays red.
        const tail = rawTail <= RED_TAIL && previousTail <= RED_TAIL ? YELLOW_TAIL : rawTail;
        previousTail = rawTail;
        out.likelihood = 1 - tail;
        out.score = logLikelihoodScore(tail);
        if (tail <= RED_TAIL) out.reason = 'improbable_scores';
      }
      // Exponentially weighted mean and variance of the short-window means (West 1979 form).
      const count = n < longMemory ? n + 1 : n;
      const weight = 1 / count;
      const delta = average - mean;
      distribution[0] = count;
      distribution[1] = mean + weight * delta;
      distribution[2] = (1 - weight) * (variance + weight * delta * delta);
      return out;
    },
    snapshot() {
      return {
        kind: 'anomaly_likelihood',
        version: 1,
        seen,
        window: Array.from(window),
        windowAt,
        windowSum,
        distribution: Array.from(distribution),
        previousTail,
      };
    },
  };
}

/** @module Numerical helpers of the streaming detectors: normal tail probabilities and a robust, exponentially weighted location and scale. */

/** σ of a normal distribution per unit of its mean absolute deviation: √(π/2). */
export const SIGMA_PER_MEAN_ABS_DEV = Math.sqrt(Math.PI / 2);

/**
 * Complementary error function with fractional error below 1.2e-7 everywhere, so tail
 * probabilities stay accurate far out (Numerical Recipes, 2nd ed., §6.2, `erfcc`, a Chebyshev fit).
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  let poly = 0.17087277;
  poly = -0.82215223 + t * poly;
  poly = 1.48851587 + t * poly;
  poly = -1.13520398 + t * poly;
  poly = 0.27886807 + t * poly;
  poly = -0.18628806 + t * poly;
  poly = 0.09678418 + t * poly;
  poly = 0.37409196 + t * poly;
  poly = 1.00002368 + t * poly;
  poly = -1.26551223 + t * poly;
  const r = t * Math.exp(-z * z + poly);
  return x >= 0 ? r : 2 - r;
}

/** Q(z): the probability that a normal variable lies more than `z` standard deviations above its mean. */
export function normalUpperTail(z: number): number {
  return 0.5 * erfc(z * Math.SQRT1_2);
}

/**
 * The score of a standardised residual: P(|Z| < |z|). Uniform on [0, 1] when the model holds,
 * 0.683 at 1σ, 0.954 at 2σ, 0.9973 at 3σ.
 */
export function twoSidedScore(z: number): number {
  // erfc(0) is 1 + 3e-8 in this fit: keep the score inside [0, 1].
  return Math.max(0, 1 - erfc(Math.abs(z) * Math.SQRT1_2));
}

/**
 * A robust location/scale record is three numbers in a Float64Array: the count of samples learned
 * (capped at the memory), the location, and the mean absolute deviation of the residuals.
 */
export const ROBUST_STRIDE = 3;

/** Samples learned without clipping, so that a scale exists before it is used to clip. */
const UNCLIPPED_SAMPLES = 5;

/** The σ-like spread of the record at `at`, never below `floor`. */
export function robustSigma(state: Float64Array, at: number, floor: number): number {
  const sigma = state[at + 2]! * SIGMA_PER_MEAN_ABS_DEV;
  return Math.max(sigma, floor);
}

/**
 * Learns `x` into the record at `at`: an exponentially weighted mean and mean absolute deviation whose
 * residuals are clipped at `huberK` σ (Huber 1964), so that one wild value moves neither much.
 * The weight is 1/n for the first `memory` samples (an exact running mean) and 1/`memory` after, so the
 * record forgets at a fixed rate and its size never grows with the stream.
 */
export function robustLearn(
  state: Float64Array,
  at: number,
  x: number,
  memory: number,
  huberK: number,
  floor: number,
): void {
  const n = state[at]! + 1;
  if (n <= memory) state[at] = n;
  if (n === 1) {
    state[at + 1] = x;
    state[at + 2] = 0;
    return;
  }
  const weight = n < memory ? 1 / n : 1 / memory;
  const residual = x - state[at + 1]!;
  let clipped = residual;
  let size = residual < 0 ? -residual : residual;
  if (n > UNCLIPPED_SAMPLES) {
    const limit = huberK * robustSigma(state, at, floor);
    if (size > limit) {
      clipped = residual > 0 ? limit : -limit;
      size = limit;
    }
  }
  state[at + 1] = state[at + 1]! + weight * clipped;
  state[at + 2] = state[at + 2]! + weight * (size - state[at + 2]!);
}

/** The smallest spread used to standardise: the configured one, or a relative epsilon so that z stays finite. */
export function spreadFloor(minSpread: number, expected: number): number {
  const epsilon = 1e-9 * (expected < 0 ? 1 - expected : 1 + expected);
  return Math.max(minSpread, epsilon);
}

/** @module Ingest-time quality control of one series: range, rate-of-change, spike and stuck-sensor checks that flag each new value good, suspect or rejected, in the spirit of Delft-FEWS validation rules. */

/**
 * Validation limits of one series, in the series' unit. Every check is optional: an absent
 * limit disables its check. Hard limits separate impossible values (instrument fault, no-data
 * codes like -9999) from merely unusual ones (soft limits, temporal checks), as Delft-FEWS's
 * hard/soft min/max and rate-of-change validation rules do.
 */
export interface QcLimits {
  /** Outside [hardMin, hardMax] → 'rejected': the value is kept for audit but excluded from analysis. */
  readonly hardMin?: number;
  readonly hardMax?: number;
  /** Outside [softMin, softMax] → 'suspect'. */
  readonly softMin?: number;
  readonly softMax?: number;
  /** |Δvalue| / Δt(s) against the previous non-rejected value above this → 'suspect'. */
  readonly maxRatePerS?: number;
  /** This many consecutive identical non-rejected values, the current included, → 'suspect'. At least 2. */
  readonly stuckCount?: number;
  /** |value − median of the previous spikeWindow non-rejected values| above this → 'suspect'. */
  readonly spikeThreshold?: number;
  /** Number of previous values whose median the spike check compares with; default 5. */
  readonly spikeWindow?: number;
}

export type QcFlag = 'good' | 'suspect' | 'rejected';
export type QcRule = 'hard_min' | 'hard_max' | 'soft_min' | 'soft_max' | 'rate_of_change' | 'stuck' | 'spike';

/** Stored as smallint; codes are never reused. */
export const QC_FLAG_CODES: Readonly<Record<QcFlag, number>> = Object.freeze({
  good: 0,
  suspect: 1,
  rejected: 2,
});

/** Stored as smallint, 0 meaning no rule fired; codes are never reused. */
export const QC_RULE_CODES: Readonly<Record<QcRule, number>> = Object.freeze({
  hard_min: 1,
  hard_max: 2,
  soft_min: 3,
  soft_max: 4,
  rate_of_change: 5,
  stuck: 6,
  spike: 7,
});

const FLAGS_BY_CODE: readonly QcFlag[] = ['good', 'suspect', 'rejected'];
const RULES_BY_CODE: readonly (QcRule | null)[] = [
  null,
  'hard_min',
  'hard_max',
  'soft_min',
  'soft_max',
  'rate_of_change',
  'stuck',
  'spike',
];

export function qcFlagOfCode(n: number): QcFlag {
  const flag = Number.isInteger(n) ? FLAGS_BY_CODE[n] : undefined;
  if (flag === undefined) throw new RangeError(`Unknown QC flag code ${n}`);
  return flag;
}

export function qcRuleOfCode(n: number): QcRule | null {
  const rule = Number.isInteger(n) ? RULES_BY_CODE[n] : undefined;
  if (rule === undefined) throw new RangeError(`Unknown QC rule code ${n}`);
  return rule;
}

export interface QcPoint {
  readonly timeMs: number;
  readonly value: number;
  readonly flag: QcFlag;
}

export interface QcVerdict {
  readonly flag: QcFlag;
  /** The rule that set the flag; null when the value is good, or when a non-number was rejected. */
  readonly rule: QcRule | null;
}

export const DEFAULT_SPIKE_WINDOW = 5;
/** The spike median is taken by sorting the window for every point, which stays cheap only while it is small. */
export const MAX_SPIKE_WINDOW = 25;

const LIMIT_KEYS: readonly (keyof QcLimits)[] = [
  'hardMin',
  'hardMax',
  'softMin',
  'softMax',
  'maxRatePerS',
  'stuckCount',
  'spikeThreshold',
  'spikeWindow',
];

/** `base` with every limit that `override` sets replaced (a station's limits over its variable's defaults). */
export function mergeLimits(base: QcLimits, override: Partial<QcLimits> | undefined): QcLimits {
  if (override === undefined) return base;
  const merged: { -readonly [K in keyof QcLimits]?: number } = { ...base };
  for (const key of LIMIT_KEYS) {
    const v = override[key];
    if (v !== undefined) merged[key] = v;
  }
  return merged;
}

export interface QcLimitsProblem {
  readonly field: keyof QcLimits;
  readonly reason: string;
}

/** What is wrong with a set of limits, for the edge to report field by field; empty when they are usable. */
export function qcLimitsProblems(limits: QcLimits): readonly QcLimitsProblem[] {
  const problems: QcLimitsProblem[] = [];
  for (const field of LIMIT_KEYS) {
    const v = limits[field];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) {
      problems.push({ field, reason: 'must be a finite number' });
    }
  }
  if (problems.length > 0) return problems;
  const { hardMin, hardMax, softMin, softMax, maxRatePerS, stuckCount, spikeThreshold, spikeWindow } = limits;
  if (hardMin !== undefined && hardMax !== undefined && hardMin > hardMax) {
    problems.push({ field: 'hardMin', reason: 'must not exceed hardMax' });
  }
  if (softMin !== undefined && softMax !== undefined && softMin > softMax) {
    problems.push({ field: 'softMin', reason: 'must not exceed softMax' });
  }
  if (maxRatePerS !== undefined && maxRatePerS <= 0) {
    problems.push({ field: 'maxRatePerS', reason: 'must be positive' });
  }
  if (stuckCount !== undefined && !(Number.isInteger(stuckCount) && stuckCount >= 2)) {
    problems.push({ field: 'stuckCount', reason: 'must be an integer of at least 2' });
  }
  if (spikeThreshold !== undefined && spikeThreshold <= 0) {
    problems.push({ field: 'spikeThreshold', reason: 'must be positive' });
  }
  if (
    spikeWindow !== undefined &&
    !(Number.isInteger(spikeWindow) && spikeWindow >= 1 && spikeWindow <= MAX_SPIKE_WINDOW)
  ) {
    problems.push({ field: 'spikeWindow', reason: `must be an integer from 1 to ${MAX_SPIKE_WINDOW}` });
  }
  return problems;
}

/**
 * How many previous points the temporal checks look back on. Counted in non-rejected points:
 * rejected points never serve as reference, so a caller fetches this many of the series' most
 * recent non-rejected points (fetching more, or rejected ones besides, changes nothing).
 */
export function historyNeeded(limits: QcLimits): number {
  let n = 0;
  if (limits.maxRatePerS !== undefined) n = 1;
  if (limits.spikeThreshold !== undefined) n = Math.max(n, limits.spikeWindow ?? DEFAULT_SPIKE_WINDOW);
  if (limits.stuckCount !== undefined) n = Math.max(n, limits.stuckCount - 1);
  return n;
}

// Verdicts are shared immutable values, so checking allocates nothing per point but the result slot.
function verdict(flag: QcFlag, rule: QcRule | null): QcVerdict {
  return Object.freeze({ flag, rule });
}
const GOOD = verdict('good', null);
const REJECTED_NOT_A_NUMBER = verdict('rejected', null);
const REJECTED_HARD_MIN = verdict('rejected', 'hard_min');
const REJECTED_HARD_MAX = verdict('rejected', 'hard_max');
const SUSPECT_SOFT_MIN = verdict('suspect', 'soft_min');
const SUSPECT_SOFT_MAX = verdict('suspect', 'soft_max');
const SUSPECT_RATE = verdict('suspect', 'rate_of_change');
const SUSPECT_SPIKE = verdict('suspect', 'spike');
const SUSPECT_STUCK = verdict('suspect', 'stuck');

/**
 * Checks the new points of one series.
 *
 * history: the series' most recent stored points before `incoming`, oldest first (see historyNeeded).
 * incoming: new points of ONE series, sorted by time ascending, with unique times.
 * Returns one verdict per incoming point; each checked point becomes history for the next
 * (rejected points never serve as reference). Checks run in the order hard limits, soft
 * limits, rate of change, spike, stuck; the first rule that fires wins. Values on a limit pass.
 * Non-finite values are rejected: ±Infinity as beyond the hard limits, NaN with no rule.
 * The spike check waits until spikeWindow reference values exist.
 *
 * Because the outcome depends only on the reference points, checking a sequence in one call
 * equals checking it in two, the second given the first's points with their flags as history.
 *
 * @throws RangeError when the limits are unusable (qcLimitsProblems) or incoming is not in strictly ascending time order.
 */
export function checkQuality(
  limits: QcLimits,
  history: readonly QcPoint[],
  incoming: readonly { readonly timeMs: number; readonly value: number }[],
): QcVerdict[] {
  const problems = qcLimitsProblems(limits);
  if (problems.length > 0) {
    const list = problems.map((p) => `${p.field} ${p.reason}`).join('; ');
    throw new RangeError(`Unusable QC limits: ${list}`);
  }
  const { hardMin, hardMax, softMin, softMax, maxRatePerS, stuckCount, spikeThreshold } = limits;
  const window = spikeThreshold !== undefined ? (limits.spikeWindow ?? DEFAULT_SPIKE_WINDOW) : 0;

  // Reference state, fed only with non-rejected points.
  let hasPrevious = false;
  let previousTimeMs = 0;
  let previousValue = 0;
  const ring = new Float64Array(window); // last `window` reference values, oldest overwritten first
  const scratch = new Float64Array(window); // sorted copy of the ring for the median
  let ringSize = 0;
  let ringNext = 0;
  let runValue = 0;
  let runLength = 0; // consecutive reference values equal to runValue, ending at the latest

  const remember = (timeMs: number, value: number): void => {
    hasPrevious = true;
    previousTimeMs = timeMs;
    previousValue = value;
    if (window > 0) {
      ring[ringNext] = value;
      ringNext = (ringNext + 1) % window;
      if (ringSize < window) ringSize++;
    }
    if (runLength > 0 && value === runValue) {
      runLength++;
    } else {
      runValue = value;
      runLength = 1;
    }
  };

  for (const point of history) {
    if (point.flag !== 'rejected') remember(point.timeMs, point.value);
  }

  // Reads the reference state before the point itself is remembered.
  const judge = (timeMs: number, value: number): QcVerdict => {
    if (Number.isNaN(value)) return REJECTED_NOT_A_NUMBER;
    if (value === -Infinity || (hardMin !== undefined && value < hardMin)) return REJECTED_HARD_MIN;
    if (value === Infinity || (hardMax !== undefined && value > hardMax)) return REJECTED_HARD_MAX;
    if (softMin !== undefined && value < softMin) return SUSPECT_SOFT_MIN;
    if (softMax !== undefined && value > softMax) return SUSPECT_SOFT_MAX;
    if (maxRatePerS !== undefined && hasPrevious) {
      const dtS = (timeMs - previousTimeMs) / 1000;
      // dtS ≤ 0 only when history overlaps incoming, against the contract; no rate is measurable then.
      if (dtS > 0 && Math.abs(value - previousValue) / dtS > maxRatePerS) return SUSPECT_RATE;
    }
    if (spikeThreshold !== undefined && ringSize === window) {
      if (Math.abs(value - median(ring, scratch)) > spikeThreshold) return SUSPECT_SPIKE;
    }
    if (stuckCount !== undefined) {
      const run = runLength > 0 && value === runValue ? runLength + 1 : 1;
      if (run >= stuckCount) return SUSPECT_STUCK;
    }
    return GOOD;
  };

  const verdicts = new Array<QcVerdict>(incoming.length);
  for (let i = 0; i < incoming.length; i++) {
    const { timeMs, value } = incoming[i]!;
    if (i > 0 && !(timeMs > incoming[i - 1]!.timeMs)) {
      throw new RangeError(`incoming[${i}].timeMs is not after incoming[${i - 1}].timeMs`);
    }
    const verdict = judge(timeMs, value);
    verdicts[i] = verdict;
    if (verdict.flag !== 'rejected') remember(timeMs, value);
  }
  return verdicts;
}

/** Median of a full ring; the ring's order does not matter, so it is copied and sorted in place. */
function median(ring: Float64Array, scratch: Float64Array): number {
  scratch.set(ring);
  scratch.sort();
  const n = scratch.length;
  const mid = n >> 1;
  return n % 2 === 1 ? scratch[mid]! : (scratch[mid - 1]! + scratch[mid]!) / 2;
}

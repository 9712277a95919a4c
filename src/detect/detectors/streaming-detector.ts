/** @module The contract of EW4E's streaming anomaly detectors: one pass, never the future, bounded memory, state as plain JSON. */

/** One observation of one series. A non-finite `value` is a missing observation: judged as nothing, learned from not at all. */
export interface DetectorInput {
  readonly timeMs: number;
  readonly value: number;
}

/** Short machine-readable causes, set only when a detector's score is high. */
export type DetectorReason =
  | 'above_baseline'
  | 'below_baseline'
  | 'above_forecast'
  | 'below_forecast'
  | 'level_shift_up'
  | 'level_shift_down'
  | 'drift_up'
  | 'drift_down'
  | 'improbable_scores'
  | 'above_seen_range'
  | 'below_seen_range';

export interface DetectorOutput {
  /** How anomalous this observation is, in [0, 1]. */
  readonly score: number;
  /** What the detector expected at this time, from what it had learned before this observation. */
  readonly expected: number | null;
  /** A robust, σ-like scale around `expected`. */
  readonly spread: number | null;
  readonly reason: DetectorReason | null;
}

export type DetectorKind = 'seasonal_baseline' | 'cusum' | 'holt_winters' | 'anomaly_likelihood' | 'ensemble';

/** Every snapshot is tagged, so a stored state names the detector that can resume it. */
export interface DetectorSnapshot {
  readonly kind: DetectorKind;
  readonly version: 1;
}

export interface StreamingDetector<S extends DetectorSnapshot, O extends DetectorOutput = DetectorOutput> {
  readonly kind: S['kind'];
  /**
   * Judges `input` against what was learned before it, then learns from it.
   * The returned object is reused by the next call (no allocation per observation): copy what you keep.
   */
  update(input: DetectorInput): O;
  /**
   * The whole state as plain JSON (finite numbers, arrays, strings, null): `create…(config, snapshot)`
   * with the same configuration resumes exactly here.
   */
  snapshot(): S;
}

/** The writable twin of an output type: detectors fill one instance in place. */
export type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** Throws when a snapshot is not one this detector and configuration can resume. */
export function checkSnapshot(snapshot: DetectorSnapshot, kind: DetectorKind): void {
  if (snapshot.kind !== kind || snapshot.version !== 1) {
    throw new RangeError(
      `cannot resume a ${kind} detector from a ${snapshot.kind} v${snapshot.version} snapshot`,
    );
  }
}

/** A copy of a snapshot's numeric array as a Float64Array of the expected length, or an error naming the field. */
export function restoreArray(
  values: readonly number[],
  length: number,
  field: string,
): Float64Array<ArrayBuffer> {
  if (values.length !== length) {
    throw new RangeError(
      `snapshot field ${field} has ${values.length} numbers, the configuration needs ${length}`,
    );
  }
  return Float64Array.from(values);
}

/** Throws a RangeError naming the setting unless `min <= value <= max` (or `<` when `exclusiveMin`). */
export function checkSetting(
  name: string,
  value: number,
  min: number,
  max: number,
  exclusiveMin = false,
): number {
  const ok = Number.isFinite(value) && (exclusiveMin ? value > min : value >= min) && value <= max;
  if (!ok)
    throw new RangeError(`${name} must lie in ${exclusiveMin ? '(' : '['}${min}, ${max}], got ${value}`);
  return value;
}

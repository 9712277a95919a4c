/** @module One series judged by a threshold condition: optional trailing aggregate, hold time before firing, hysteresis before clearing. */
import { DEFAULT_CADENCE_S, type ThresholdCondition } from './rule-definition.ts';
import type { ThresholdSeriesState } from './rule-state.ts';
import { cleared, firing, type RuleTransition } from './rule-transition.ts';
import { TrailingWindow } from './trailing-window.ts';

/**
 * The condition is judged at each point of the series, never between points and never on clock ticks:
 * the value is known only when data comes.
 *
 * - The judged value is the point itself, or the aggregate over (t − windowS, t]; with `minCoverage`
 *   the aggregate is unknown until that share of the window's slots hold data.
 * - Inactive: the condition holds when the value is strictly beyond `level`. It fires at the first point
 *   at which it has held at every point for at least `forS` (so with forS = 0, at the first point beyond).
 *   A point not beyond, or an unknown value, restarts the count.
 * - Active: it clears at the first point not strictly beyond `clearAt` (default `level`), so that a value
 *   wandering around the level between clearAt and level does not flap. An unknown value leaves it active:
 *   missing data is no evidence of an end (that is what stale rules are for).
 *
 * Memory: the window's slots, at most ⌈windowS / cadenceS⌉ + 1, and five numbers.
 */
export class ThresholdTracker {
  readonly series: string;
  readonly #condition: ThresholdCondition;
  readonly #windowMs: number;
  readonly #requiredSlots: number;
  readonly #window: TrailingWindow | null;
  #lastMs: number;
  #active: boolean;
  #holdsSinceMs: number | null;
  #activeSinceMs: number | null;
  #peak: number | null;

  constructor(condition: ThresholdCondition, series: string, state?: ThresholdSeriesState) {
    this.series = series;
    this.#condition = condition;
    const aggregate = condition.aggregate;
    const cadenceS = aggregate?.cadenceS ?? DEFAULT_CADENCE_S;
    this.#windowMs = (aggregate?.windowS ?? 0) * 1000;
    this.#requiredSlots =
      aggregate?.minCoverage === undefined
        ? 1
        : Math.ceil(aggregate.minCoverage * (aggregate.windowS / cadenceS) - 1e-9);
    if (state !== undefined && (state.window === null) !== (aggregate === undefined)) {
      throw new RangeError(`snapshot of series ${series}: window does not match the rule's aggregate`);
    }
    this.#window =
      aggregate === undefined ? null : new TrailingWindow(cadenceS * 1000, state?.window ?? undefined);
    this.#lastMs = state?.lastMs ?? Number.NEGATIVE_INFINITY;
    this.#active = state?.active ?? false;
    this.#holdsSinceMs = state?.holdsSinceMs ?? null;
    this.#activeSinceMs = state?.activeSinceMs ?? null;
    this.#peak = state?.peak ?? null;
  }

  get active(): boolean {
    return this.#active;
  }

  /** Time of the last point taken, or -Infinity before the first. */
  get lastMs(): number {
    return this.#lastMs;
  }

  /** Takes a point; one at or before the last point taken is ignored (history is never rewritten). */
  observe(timeMs: number, value: number): RuleTransition | null {
    if (!(timeMs > this.#lastMs)) return null;
    this.#lastMs = timeMs;
    const { when, level, aggregate } = this.#condition;
    const clearAt = this.#condition.clearAt ?? level;
    const forMs = (this.#condition.forS ?? 0) * 1000;
    const windowS = aggregate?.windowS ?? null;

    let judged: number | null = value;
    let points = 1;
    const window = this.#window;
    if (window !== null && aggregate !== undefined) {
      window.add(timeMs, value);
      window.dropBefore(timeMs - this.#windowMs, true);
      judged = window.length >= this.#requiredSlots ? window.aggregate(aggregate.fn) : null;
      points = window.length;
    }
    const beyond = (x: number, limit: number) => (when === 'above' ? x > limit : x < limit);

    if (!this.#active) {
      if (judged === null || !beyond(judged, level)) {
        this.#holdsSinceMs = null;
        return null;
      }
      this.#holdsSinceMs ??= timeMs;
      const heldMs = timeMs - this.#holdsSinceMs;
      if (heldMs < forMs) return null;
      this.#active = true;
      this.#activeSinceMs = timeMs;
      this.#peak = judged;
      const detail: Record<string, number> = {
        exceedance: when === 'above' ? judged - level : level - judged,
        heldS: heldMs / 1000,
        slots: points,
      };
      if (level !== 0) detail.ratio = judged / level;
      return firing(timeMs, this.series, judged, level, windowS, detail);
    }

    if (judged === null) return null;
    if (this.#peak === null || beyond(judged, this.#peak)) this.#peak = judged;
    if (beyond(judged, clearAt)) return null;
    const activeS = (timeMs - (this.#activeSinceMs ?? timeMs)) / 1000;
    const peak = this.#peak;
    this.#active = false;
    this.#holdsSinceMs = null;
    this.#activeSinceMs = null;
    this.#peak = null;
    return cleared(timeMs, this.series, judged, clearAt, windowS, { peak, activeS, slots: points });
  }

  snapshot(): ThresholdSeriesState {
    return {
      series: this.series,
      lastMs: this.#lastMs,
      active: this.#active,
      holdsSinceMs: this.#holdsSinceMs,
      activeSinceMs: this.#activeSinceMs,
      peak: this.#peak,
      window: this.#window?.snapshot() ?? null,
    };
  }
}

/** @module The trailing window of one series: epoch-aligned slots holding count, sum, min and max, so that memory is bounded by window ÷ cadence whatever the data rate. */
import type { AggregateFn } from './rule-definition.ts';

/**
 * The window as plain JSON: parallel arrays, oldest slot first. `t` is the time of the first point of
 * each slot; a slot leaves the window with its first point, so the window never reaches back further
 * than its length.
 */
export interface WindowState {
  readonly t: number[];
  readonly n: number[];
  readonly sum: number[];
  readonly min: number[];
  readonly max: number[];
}

/**
 * Points are merged into slots of `cadenceMs` aligned to the Unix epoch (hourly slots start on the
 * hour). Aggregates are exact for every point still in the window: count, sum, min and max merge
 * without loss, and only the edge moves, a whole slot at a time. When data comes no faster than one
 * point per slot — cadence at most the data interval, timestamps on the grid — every slot holds one
 * point and the window is exactly (t − windowS, t].
 *
 * Bound: slot keys are distinct and their first points lie within a window of length W, so a window
 * holds at most ⌈W / cadence⌉ + 1 slots (windowSlotBound in rule-definition.ts).
 *
 * Aggregates are recomputed by a scan of the slots rather than kept as running sums: no rounding drift,
 * and a restored window yields bit-for-bit the same results.
 */
export class TrailingWindow {
  readonly #cadenceMs: number;
  // Parallel arrays from `#head` on; dropped slots are compacted away once they are the larger part.
  #t: number[] = [];
  #n: number[] = [];
  #sum: number[] = [];
  #min: number[] = [];
  #max: number[] = [];
  #head = 0;

  constructor(cadenceMs: number, state?: Readonly<Record<keyof WindowState, readonly number[]>>) {
    if (!(cadenceMs > 0)) throw new RangeError(`cadenceMs must be positive, got ${cadenceMs}`);
    this.#cadenceMs = cadenceMs;
    if (state !== undefined) {
      const length = state.t.length;
      for (const [name, values] of Object.entries(state)) {
        if (values.length !== length) {
          throw new RangeError(`window state: ${name} has ${values.length} values, t has ${length}`);
        }
      }
      this.#t = [...state.t];
      this.#n = [...state.n];
      this.#sum = [...state.sum];
      this.#min = [...state.min];
      this.#max = [...state.max];
    }
  }

  get length(): number {
    return this.#t.length - this.#head;
  }

  /** Adds a point; times must not decrease (the caller drops late points). */
  add(timeMs: number, value: number): void {
    const last = this.#t.length - 1;
    if (
      last >= this.#head &&
      Math.floor(this.#t[last]! / this.#cadenceMs) === Math.floor(timeMs / this.#cadenceMs)
    ) {
      this.#n[last]! += 1;
      this.#sum[last]! += value;
      if (value < this.#min[last]!) this.#min[last] = value;
      if (value > this.#max[last]!) this.#max[last] = value;
      return;
    }
    this.#t.push(timeMs);
    this.#n.push(1);
    this.#sum.push(value);
    this.#min.push(value);
    this.#max.push(value);
  }

  /** Drops the slots whose first point is before `cutoffMs` (`inclusive`: at or before it). */
  dropBefore(cutoffMs: number, inclusive: boolean): void {
    while (
      this.#head < this.#t.length &&
      (inclusive ? this.#t[this.#head]! <= cutoffMs : this.#t[this.#head]! < cutoffMs)
    ) {
      this.#head++;
    }
    this.#compact();
  }

  /** Keeps only the latest `count` slots. */
  keepLast(count: number): void {
    if (this.length > count) this.#head = this.#t.length - count;
    this.#compact();
  }

  timeAt(i: number): number {
    return this.#t[this.#head + i]!;
  }

  meanAt(i: number): number {
    return this.#sum[this.#head + i]! / this.#n[this.#head + i]!;
  }

  /** The aggregate over the whole window, or NaN when it is empty. */
  aggregate(fn: AggregateFn): number {
    const from = this.#head;
    const to = this.#t.length;
    if (from === to) return Number.NaN;
    switch (fn) {
      case 'sum':
      case 'mean': {
        let sum = 0;
        let n = 0;
        for (let i = from; i < to; i++) {
          sum += this.#sum[i]!;
          n += this.#n[i]!;
        }
        return fn === 'sum' ? sum : sum / n;
      }
      case 'min': {
        let min = Number.POSITIVE_INFINITY;
        for (let i = from; i < to; i++) if (this.#min[i]! < min) min = this.#min[i]!;
        return min;
      }
      case 'max': {
        let max = Number.NEGATIVE_INFINITY;
        for (let i = from; i < to; i++) if (this.#max[i]! > max) max = this.#max[i]!;
        return max;
      }
      default: {
        const unreachable: never = fn;
        throw new TypeError(`unknown aggregate ${String(unreachable)}`);
      }
    }
  }

  /** The lowest (or highest) value in the window and the time of the first slot holding it; null when empty. */
  extreme(which: 'min' | 'max'): { readonly value: number; readonly timeMs: number } | null {
    const values = which === 'min' ? this.#min : this.#max;
    let best = -1;
    for (let i = this.#head; i < this.#t.length; i++) {
      if (best < 0 || (which === 'min' ? values[i]! < values[best]! : values[i]! > values[best]!)) best = i;
    }
    return best < 0 ? null : { value: values[best]!, timeMs: this.#t[best]! };
  }

  snapshot(): WindowState {
    const h = this.#head;
    return {
      t: this.#t.slice(h),
      n: this.#n.slice(h),
      sum: this.#sum.slice(h),
      min: this.#min.slice(h),
      max: this.#max.slice(h),
    };
  }

  #compact(): void {
    if (this.#head === 0 || this.#head * 2 < this.#t.length) return;
    const h = this.#head;
    this.#t = this.#t.slice(h);
    this.#n = this.#n.slice(h);
    this.#sum = this.#sum.slice(h);
    this.#min = this.#min.slice(h);
    this.#max = this.#max.slice(h);
    this.#head = 0;
  }
}

/** @module Seasonal baseline detector: a robust location and spread per hour of day (or hour of week), falling back to a global baseline while a slot is young. */

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

export interface SeasonalBaselineConfig {
  /** `hour_of_day`: 24 slots; `hour_of_week`: 168 slots (needs weeks of data to fill). Default `hour_of_day`. */
  readonly profile?: 'hour_of_day' | 'hour_of_week';
  /** The fixed offset of the local time the profile follows (a weekday starts at local midnight). Default 0, UTC. */
  readonly utcOffsetMinutes?: number;
  /** Samples a slot remembers (exponential memory). Default 64. */
  readonly slotMemory?: number;
  /** Samples the global fallback remembers. Default 1000. */
  readonly globalMemory?: number;
  /** A slot's weight grows linearly to 1 over this many samples; the global baseline has the rest. Default 8. */
  readonly minSlotSamples?: number;
  /**
   * A slot's spread is shrunk toward the pooled spread of all residuals around the profile, as if
   * the pool were this many samples (a slot's own spread from a dozen samples is often 40 % off).
   * Default 8, as many as a slot needs to be trusted.
   */
  readonly pooledSamples?: number;
  /** Residuals are clipped at this many σ when learning. Default 3. */
  readonly huberK?: number;
  /** The smallest spread, in the series' unit (a sensor's resolution, say). Default 0: a tiny relative epsilon. */
  readonly minSpread?: number;
}

export interface SeasonalBaselineSnapshot extends DetectorSnapshot {
  readonly kind: 'seasonal_baseline';
  /** `ROBUST_STRIDE` numbers per slot: count, location, mean absolute deviation. */
  readonly slots: readonly number[];
  readonly global: readonly number[];
  /** count, location, mean absolute deviation of the residuals from the profile, all slots pooled. */
  readonly pooled: readonly number[];
}

export type SeasonalBaseline = StreamingDetector<SeasonalBaselineSnapshot>;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Reasons are given from |z| ≈ 2.58 on. */
const REASON_SCORE = 0.99;

export function createSeasonalBaseline(
  config: SeasonalBaselineConfig = {},
  snapshot?: SeasonalBaselineSnapshot,
): SeasonalBaseline {
  const weekly = (config.profile ?? 'hour_of_day') === 'hour_of_week';
  const slotCount = weekly ? 168 : 24;
  const offsetMs = checkSetting('utcOffsetMinutes', config.utcOffsetMinutes ?? 0, -1440, 1440) * 60_000;
  const slotMemory = checkSetting('slotMemory', config.slotMemory ?? 64, 1, 1e9);
  const globalMemory = checkSetting('globalMemory', config.globalMemory ?? 1000, 1, 1e9);
  const minSlotSamples = checkSetting('minSlotSamples', config.minSlotSamples ?? 8, 1, 1e9);
  const pooledSamples = checkSetting('pooledSamples', config.pooledSamples ?? 8, 0, 1e9);
  const huberK = checkSetting('huberK', config.huberK ?? 3, 0, 1e3, true);
  const minSpread = checkSetting('minSpread', config.minSpread ?? 0, 0, Number.MAX_VALUE);

  let slots = new Float64Array(slotCount * ROBUST_STRIDE);
  let global = new Float64Array(ROBUST_STRIDE);
  let pooled = new Float64Array(ROBUST_STRIDE);
  if (snapshot) {
    checkSnapshot(snapshot, 'seasonal_baseline');
    slots = restoreArray(snapshot.slots, slots.length, 'slots');
    global = restoreArray(snapshot.global, global.length, 'global');
    pooled = restoreArray(snapshot.pooled, pooled.length, 'pooled');
  }

  const out: Writable<DetectorOutput> = { score: 0, expected: null, spread: null, reason: null };

  function slotOf(timeMs: number): number {
    const local = timeMs + offsetMs;
    const day = Math.floor(local / DAY_MS);
    const hour = Math.floor((local - day * DAY_MS) / HOUR_MS);
    if (!weekly) return hour;
    // 1970-01-01 was a Thursday: day 0 is weekday 4 when Sunday is 0.
    const weekday = (((day + 4) % 7) + 7) % 7;
    return weekday * 24 + hour;
  }

  return {
    kind: 'seasonal_baseline',
    update(input) {
      out.score = 0;
      out.reason = null;
      if (!Number.isFinite(input.timeMs) || global[0] === 0) {
        out.expected = null;
        out.spread = null;
        if (Number.isFinite(input.timeMs) && Number.isFinite(input.value)) {
          robustLearn(global, 0, input.value, globalMemory, huberK, 0);
          robustLearn(slots, slotOf(input.timeMs) * ROBUST_STRIDE, input.value, slotMemory, huberK, 0);
        }
        return out;
      }
      const at = slotOf(input.timeMs) * ROBUST_STRIDE;
      const slotSamples = slots[at]!;
      const w = slotSamples >= minSlotSamples ? 1 : slotSamples / minSlotSamples;
      const globalLocation = global[1]!;
      const expected = w * slots[at + 1]! + (1 - w) * globalLocation;
      const floor = spreadFloor(minSpread, expected);
      let slotSpread = robustSigma(slots, at, floor);
      const poolWeight = pooled[0]! > 1 ? pooledSamples : 0;
      if (poolWeight > 0) {
        const pool = robustSigma(pooled, 0, floor);
        slotSpread = Math.sqrt(
          (slotSamples * slotSpread * slotSpread + poolWeight * pool * pool) / (slotSamples + poolWeight),
        );
      }
      const spread =
        w * slotSpread + (1 - w) * robustSigma(global, 0, spreadFloor(minSpread, globalLocation));
      out.expected = expected;
      out.spread = spread;
      const value = input.value;
      if (!Number.isFinite(value)) return out;
      const z = (value - expected) / spread;
      const score = twoSidedScore(z);
      out.score = score;
      if (score >= REASON_SCORE) out.reason = z > 0 ? 'above_baseline' : 'below_baseline';
      robustLearn(global, 0, value, globalMemory, huberK, spreadFloor(minSpread, globalLocation));
      robustLearn(slots, at, value, slotMemory, huberK, floor);
      if (w === 1) robustLearn(pooled, 0, value - expected, globalMemory, huberK, floor);
      return out;
    },
    snapshot() {
      return {
        kind: 'seasonal_baseline',
        version: 1,
        slots: Array.from(slots),
        global: Array.from(global),
        pooled: Array.from(pooled),
      };
    },
  };
}

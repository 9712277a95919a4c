/** @module Predictive detection: a Holt-Winters forecast per series, checked against the levels of the threshold rules that watch it; lead time is what early warning is for. */
import {
  createHoltWinters,
  firstCrossing,
  type HoltWinters,
  type HoltWintersConfig,
  type HoltWintersSnapshot,
} from './detectors/holt-winters.ts';
import type {
  DetectorKind,
  DetectorReading,
  ForecastLevel,
  SeriesContext,
  SeriesDetector,
} from './series-detector.ts';

/** How far ahead the forecast looks. Six hours gives a city time to act on an air-pollution episode. */
export const FORECAST_HORIZON_S = 6 * 3600;
/**
 * How long a trend is believed: its pull on the forecast halves every this long (a damped trend, Gardner &
 * McKenzie 1985, with φ per step from the cadence). Undamped, a trend learnt at the top of a rise went on for the
 * whole horizon: on the 29 NAB series, 6-hour forecasts had 1.11× the error of repeating yesterday (geometric mean
 * of the MAE ratios); with a half-life of the horizon, 1.00×, while a steady rise still carries ≈ 70 % of its
 * slope to the horizon (`npm run bench -- forecast`). Shorter half-lives score better on NAB, whose server and
 * traffic series seldom trend for hours; pollution episodes do, and the lead time comes from the trend.
 */
export const TREND_HALF_LIFE_S = FORECAST_HORIZON_S;

/** The model settings of the forecast, for a series sampled every `cadenceS`: shared with the explorer's band. */
export function forecastModelConfig(cadenceS: number): HoltWintersConfig {
  return { damping: 2 ** (-Math.max(1, cadenceS) / TREND_HALF_LIFE_S) };
}

/** The forecast is recomputed every this many observations: a horizon's worth of steps each time costs too much per sample. */
const EVERY = 10;
/** Samples learnt before any forecast is trusted: two days of minute data, enough for two daily seasons. */
const WARMUP = 2 * 1440;

interface ForecastState {
  readonly model: HoltWintersSnapshot;
  readonly seen: number;
  /**
   * Rules whose crossing was announced, with how many checks in a row the forecast has not crossed since:
   * an announcement stands until the level is reached or a whole horizon passes with no crossing in sight,
   * so that a forecast wavering around the level does not announce the same episode twice.
   */
  readonly announced: readonly (readonly [ruleId: number, quietChecks: number])[];
}

const QUIET: DetectorReading = { score: 0, expected: null, spread: null, reason: null };

export function createForecastDetector(context: SeriesContext, snapshot: unknown): SeriesDetector {
  const state = snapshot as ForecastState | undefined;
  let model: HoltWinters;
  let seen = 0;
  let announced = new Map<number, number>();
  try {
    model = createHoltWinters(forecastModelConfig(context.cadenceS), state?.model);
    seen = state?.seen ?? 0;
    announced = new Map(state?.announced ?? []);
  } catch {
    model = createHoltWinters(forecastModelConfig(context.cadenceS));
  }
  const horizonSteps = Math.max(1, Math.round(FORECAST_HORIZON_S / context.cadenceS));
  const patience = Math.ceil(horizonSteps / EVERY);
  return {
    update(timeMs, value) {
      model.update({ timeMs, value });
      seen++;
      if (context.levels.length === 0 || seen < WARMUP || seen % EVERY !== 0) return QUIET;
      const forecast = model.forecastAhead(horizonSteps);
      let best: DetectorReading = QUIET;
      for (const level of context.levels) {
        const reached = level.when === 'above' ? value >= level.level : value <= level.level;
        if (reached) {
          announced.delete(level.ruleId); // the rule itself speaks now
          continue;
        }
        const steps = firstCrossing(forecast, level.level, {
          direction: level.when === 'above' ? 'up' : 'down',
        });
        const quiet = announced.get(level.ruleId);
        if (steps === null) {
          if (quiet !== undefined) {
            if (quiet + 1 >= patience) announced.delete(level.ruleId);
            else announced.set(level.ruleId, quiet + 1);
          }
          continue;
        }
        announced.set(level.ruleId, 0);
        if (quiet !== undefined) continue;
        const leadTimeS = Math.round((steps * (forecast.stepMs ?? context.cadenceS * 1000)) / 1000);
        const reading: DetectorReading = {
          // the nearer the crossing, the surer and the more urgent
          score: Math.max(0.5, 1 - steps / horizonSteps / 2),
          expected: forecast.mean[steps - 1] ?? null,
          spread:
            forecast.upper[steps - 1] !== undefined
              ? (forecast.upper[steps - 1]! - forecast.mean[steps - 1]!) / forecast.z
              : null,
          reason: 'forecast_crossing',
          leadTimeS,
          level,
        };
        if (reading.score > best.score) best = reading;
      }
      return best;
    },
    snapshot: (): ForecastState => ({ model: model.snapshot(), seen, announced: [...announced.entries()] }),
  };
}

export const FORECAST_DETECTOR: DetectorKind = {
  name: 'forecast',
  threshold: 0.5,
  create: createForecastDetector,
};

export type { ForecastLevel };

import { describe, expect, it } from 'vitest';
import { createHoltWinters } from './detectors/holt-winters.ts';
import {
  createForecastDetector,
  FORECAST_HORIZON_S,
  forecastModelConfig,
  TREND_HALF_LIFE_S,
} from './forecast-detector.ts';
import type { SeriesContext } from './series-detector.ts';

const T0 = Date.UTC(2026, 10, 10);
const context: SeriesContext = {
  seriesId: 1,
  organisationId: 1,
  stationId: 1,
  variable: 'pm25',
  variableName: 'PM2.5',
  unit: 'µg/m³',
  stationName: 'Dhaka Agargaon',
  timeZone: null,
  cadenceS: 60,
  range: null,
  levels: [{ ruleId: 7, ruleVersion: 1, ruleName: 'PM2.5 above 50', when: 'above', level: 50 }],
};

/** A slow rise of 0.6 µg/m³ an hour on a daily cycle: the mean crosses 50 a little before minute 4000. */
const rising = (i: number) =>
  10 + i * 0.01 + 3 * Math.sin((i / 1440) * 2 * Math.PI) + Math.sin(i * 12.9898) * 0.3;
const flat = (i: number) => 30 + 3 * Math.sin((i / 1440) * 2 * Math.PI) + Math.sin(i * 12.9898) * 0.3;

function run(values: (i: number) => number, n: number, ctx = context, splitAt?: number) {
  let detector = createForecastDetector(ctx, undefined);
  const firings: { i: number; leadTimeS: number }[] = [];
  for (let i = 0; i < n; i++) {
    if (i === splitAt)
      detector = createForecastDetector(ctx, JSON.parse(JSON.stringify(detector.snapshot())));
    const r = detector.update(T0 + i * 60_000, values(i));
    if (r.score >= 0.5) firings.push({ i, leadTimeS: r.leadTimeS ?? Number.NaN });
  }
  return firings;
}

describe('forecast detector', () => {
  it('announces a coming crossing once, within the horizon and before the level is reached', () => {
    const firings = run(rising, 4300);
    const firstReached = Array.from({ length: 4300 }, (_, i) => i).find((i) => rising(i) >= 50)!;
    expect(firings).toHaveLength(1);
    const [f] = firings;
    expect(f!.i).toBeLessThan(firstReached);
    expect(f!.leadTimeS).toBeGreaterThan(0);
    expect(f!.leadTimeS).toBeLessThanOrEqual(FORECAST_HORIZON_S);
    // the forecast crossing lands within a few hours of the real one
    expect(Math.abs(f!.i + f!.leadTimeS / 60 - firstReached)).toBeLessThan(5 * 60);
  });

  it('stays quiet on a series that never approaches the level, and without rules', () => {
    expect(run(flat, 5000)).toEqual([]);
    expect(run(rising, 4300, { ...context, levels: [] })).toEqual([]);
  });

  it('resumes exactly from a snapshot', () => {
    expect(run(rising, 4300, context, 3500)).toEqual(run(rising, 4300));
  });
});

describe('forecastModelConfig', () => {
  it('halves a trend’s pull on the forecast every TREND_HALF_LIFE_S, whatever the cadence', () => {
    for (const cadenceS of [60, 300, 3600]) {
      // Without a season, each forecast step up is the damped trend alone.
      const model = createHoltWinters({ ...forecastModelConfig(cadenceS), seasonLength: 0 });
      const steps = Math.round(TREND_HALF_LIFE_S / cadenceS);
      // A steady rise over four days: the model learns its slope.
      for (let i = 0; i < (4 * 86_400) / cadenceS; i++)
        model.update({ timeMs: T0 + i * cadenceS * 1000, value: i * cadenceS * 1e-3 });
      const { mean } = model.forecastAhead(steps + 2);
      const stepUp = (k: number) => mean[k]! - mean[k - 1]!;
      expect(stepUp(1)).toBeGreaterThan(0);
      // From one step ahead to a half-life further, the step up halves.
      expect(stepUp(steps + 1) / stepUp(1)).toBeCloseTo(0.5, 2);
    }
  });
});

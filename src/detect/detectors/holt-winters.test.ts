import { describe, expect, it } from 'vitest';
import {
  checkpointProperty,
  DAY_MS,
  dailySine,
  expectSameSize,
  HOUR_MS,
  indexesWhere,
  MINUTE_MS,
  run,
  START_MS,
  seededNormal,
  snapshotSizes,
} from './detector-test-support.ts';
import {
  createHoltWinters,
  firstCrossing,
  type HoltWintersForecast,
  type HoltWintersSnapshot,
} from './holt-winters.ts';
import { twoSidedScore } from './robust-statistics.ts';

const ALARM = twoSidedScore(4.5);
const STEP_MS = 5 * MINUTE_MS;

function forecastOf(mean: number[], halfWidth = 0): HoltWintersForecast {
  return {
    originMs: 0,
    stepMs: STEP_MS,
    mean,
    lower: mean.map((m) => m - halfWidth),
    upper: mean.map((m) => m + halfWidth),
    z: 1.96,
  };
}

describe('createHoltWinters', () => {
  it('forecasts a linear ramp exactly and finds the step where it crosses a threshold', () => {
    const detector = createHoltWinters({ seasonLength: 0 });
    // y = 10 + 0.5 t for t = 0…99; y reaches 200.25 first at t = 381, i.e. 282 steps after t = 99.
    for (let t = 0; t < 100; t++) detector.update({ timeMs: START_MS + t * STEP_MS, value: 10 + 0.5 * t });
    const forecast = detector.forecastAhead(400);
    expect(forecast.mean[0]).toBeCloseTo(60, 9);
    expect(forecast.stepMs).toBeNull();
    expect(firstCrossing(forecast, 200.25)).toBe(282);
    expect(firstCrossing(forecast, 1e6)).toBeNull();
    expect(firstCrossing(forecast, 0, { direction: 'down' })).toBeNull();
  });

  it('finds the crossing of a noisy seasonal ramp within 10 %, the upper band first', () => {
    const normal = seededNormal(21);
    const season = 24;
    const truth = (t: number) => 0.1 * t + 0.5 * Math.sin((2 * Math.PI * t) / season);
    const detector = createHoltWinters({ seasonLength: season, cadenceMs: HOUR_MS });
    const n = 30 * season;
    for (let t = 0; t < n; t++)
      detector.update({ timeMs: START_MS + t * HOUR_MS, value: truth(t) + 0.3 * normal() });
    const threshold = truth(n - 1) + 20;
    let trueStep = 1;
    while (truth(n - 1 + trueStep) < threshold) trueStep++;
    const forecast = detector.forecastAhead(400);
    expect(forecast.stepMs).toBe(HOUR_MS);
    const meanStep = firstCrossing(forecast, threshold)!;
    expect(Math.abs(meanStep - trueStep)).toBeLessThanOrEqual(0.1 * trueStep);
    const bandStep = firstCrossing(forecast, threshold, { band: true })!;
    expect(bandStep).toBeLessThan(meanStep);
  });

  it('widens its band with the horizon', () => {
    const detector = createHoltWinters({ seasonLength: 12 });
    const normal = seededNormal(22);
    for (let t = 0; t < 600; t++)
      detector.update({ timeMs: START_MS + t * STEP_MS, value: Math.cos(t / 2) + normal() });
    const { mean, lower, upper } = detector.forecastAhead(48);
    const width = upper.map((u, j) => u - lower[j]!);
    for (let j = 1; j < width.length; j++) expect(width[j]).toBeGreaterThanOrEqual(width[j - 1]!);
    expect(mean).toHaveLength(48);
  });

  it('infers the cadence and a daily season from the timestamps', () => {
    const detector = createHoltWinters();
    for (const input of dailySine(3, 23)) detector.update(input);
    const snapshot = detector.snapshot();
    expect(snapshot.cadenceMs).toBe(STEP_MS);
    expect(snapshot.seasonLength).toBe(288);
    expect(snapshot.phase).toBe('run');
  });

  it('raises no alarm on a noisy daily cycle, and flags a spike at the spike', () => {
    const inputs = dailySine(10, 24);
    const spike = 8 * 288 + 100;
    inputs[spike] = { timeMs: inputs[spike]!.timeMs, value: inputs[spike]!.value + 6 };
    const outputs = run(createHoltWinters(), inputs);
    const afterWarmup = 2 * 288;
    expect(
      indexesWhere(outputs.slice(afterWarmup), (o) => o.score >= ALARM).map((i) => i + afterWarmup),
    ).toEqual([spike]);
    expect(outputs[spike]!.reason).toBe('above_forecast');
  });

  it('keeps its season aligned across a gap when the cadence is known', () => {
    const inputs = dailySine(6, 25).filter((input) => {
      const t = input.timeMs - START_MS;
      return t < 4 * DAY_MS + 2 * HOUR_MS || t >= 4 * DAY_MS + 9 * HOUR_MS; // seven hours missing
    });
    const withHoles = inputs.map((input, i) => (i % 101 === 0 ? { ...input, value: Number.NaN } : input));
    const outputs = run(createHoltWinters(), withHoles);
    expect(indexesWhere(outputs.slice(2 * 288), (o) => o.score >= ALARM)).toEqual([]);
    const afterGap = withHoles.findIndex((input) => input.timeMs >= START_MS + 4 * DAY_MS + 9 * HOUR_MS);
    expect(outputs[afterGap]!.score).toBeLessThan(0.999);
  });

  it('resumes exactly from a snapshot taken anywhere, in every phase', () => {
    checkpointProperty(
      (snapshot?: HoltWintersSnapshot) => createHoltWinters({ seasonPeriodMs: 4 * STEP_MS }, snapshot),
      300,
      200,
    );
    checkpointProperty(
      (snapshot?: HoltWintersSnapshot) => createHoltWinters({ seasonLength: 0, damping: 0.9 }, snapshot),
      200,
      100,
    );
    checkpointProperty((snapshot?: HoltWintersSnapshot) => createHoltWinters({}, snapshot), 800, 30);
  });

  it('keeps its state the same size however long the stream', () => {
    const normal = seededNormal(26);
    expectSameSize(
      snapshotSizes(
        () => createHoltWinters(),
        (i) => ({ timeMs: START_MS + i * STEP_MS, value: 10 * Math.sin(i / 40) + normal() }),
        10_000,
        100_000,
      ),
    );
  });

  it('rejects settings out of range and a snapshot of another kind', () => {
    expect(() => createHoltWinters({ alpha: 0 })).toThrow(/alpha/);
    expect(() => createHoltWinters({ alpha: 0.1, beta: 0.2 })).toThrow(/beta/);
    const other = { kind: 'cusum', version: 1 } as unknown as HoltWintersSnapshot;
    expect(() => createHoltWinters({}, other)).toThrow(RangeError);
  });
});

describe('firstCrossing', () => {
  it('counts steps from 1, upward or downward, on the mean or the band', () => {
    const forecast = forecastOf([1, 2, 3, 4, 5], 1);
    expect(firstCrossing(forecast, 3)).toBe(3);
    expect(firstCrossing(forecast, 3, { band: true })).toBe(2);
    expect(firstCrossing(forecast, 1, { direction: 'down' })).toBe(1);
    expect(firstCrossing(forecast, 0.5, { direction: 'down' })).toBeNull();
    expect(firstCrossing(forecast, 0.5, { direction: 'down', band: true })).toBe(1);
    expect(firstCrossing(forecastOf([]), 0)).toBeNull();
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkpointProperty,
  DAY_MS,
  dailySine,
  expectSameSize,
  HOUR_MS,
  indexesWhere,
  MINUTE_MS,
  noise,
  regular,
  run,
  START_MS,
  seededNormal,
  snapshotSizes,
} from './detector-test-support.ts';
import { createEnsemble, type EnsembleConfig, type EnsembleSnapshot } from './ensemble.ts';
import type { DetectorInput } from './streaming-detector.ts';

const STEP_MS = 5 * MINUTE_MS;
const SAMPLES_PER_DAY = 288;

function firings(inputs: readonly DetectorInput[], config: EnsembleConfig = {}): number[] {
  const detector = createEnsemble(config);
  return indexesWhere(
    inputs.map((input) => detector.update(input).fired),
    (fired) => fired,
  );
}

/** The daily sine of the test support, with its declared range. */
const SINE_RANGE = { min: 0, max: 40 };

describe('createEnsemble', () => {
  it('flags a step at t = 500 beyond the seen range at once, and nothing before it', () => {
    const inputs = dailySine(5, 31).map((input, i) =>
      i >= 500 ? { ...input, value: input.value + 8 } : input,
    );
    const found = firings(inputs, { range: SINE_RANGE });
    expect(found[0]).toBeGreaterThanOrEqual(500);
    expect(found[0]).toBeLessThanOrEqual(502);
  });

  it('fires on new records of light-tailed noise now and then: the seen-range rule is Numenta’s', () => {
    // A known cost of the rule (kept because NAB rewards it): a stationary Gaussian series sets new
    // records at a rate of ~1/n, and the 5 % tolerance stops only some of them.
    const found = firings(regular(noise(5000, 30, 1, 10), STEP_MS), { range: { min: 0, max: 40 } });
    expect(found.length).toBeLessThanOrEqual(5);
  });

  it('flags a level shift that stays inside the seen range within 30 samples', () => {
    const inputs = dailySine(14, 32);
    const start = 9 * SAMPLES_PER_DAY + 24; // 02:00 on day 10, near the nightly low
    const shifted = inputs.map((input, i) => (i >= start ? { ...input, value: input.value + 4 } : input));
    const found = firings(shifted, { range: SINE_RANGE });
    const after = found.filter((i) => i >= 2 * SAMPLES_PER_DAY);
    expect(after[0]).toBeGreaterThanOrEqual(start);
    expect(after[0]).toBeLessThanOrEqual(start + 30);
  });

  it('flags a single spike at the spike', () => {
    const inputs = dailySine(7, 33);
    const spike = 5 * SAMPLES_PER_DAY + 100;
    inputs[spike] = { timeMs: inputs[spike]!.timeMs, value: 36 };
    const outputs = run(createEnsemble({ range: SINE_RANGE }), inputs);
    expect(indexesWhere(outputs, (o) => o.fired)).toEqual([spike]);
    expect(outputs[spike]!.reason).toBe('above_seen_range');
    expect(outputs[spike]!.score).toBe(1);
  });

  it('raises no alarm on a noisy daily cycle, and flags a night hour at day level in that hour', () => {
    const inputs = dailySine(14, 34);
    expect(firings(inputs, { range: SINE_RANGE }).filter((i) => i >= SAMPLES_PER_DAY)).toEqual([]);
    const night = 9 * SAMPLES_PER_DAY + 30; // 02:30 on day 10, for one hour
    const anomalous = inputs.map((input, i) =>
      i >= night && i < night + 12 ? { ...input, value: 28 + (input.value - 10) * 0.1 } : input,
    );
    const found = firings(anomalous, { range: SINE_RANGE }).filter((i) => i >= SAMPLES_PER_DAY);
    expect(found).toHaveLength(1);
    expect(found[0]).toBeGreaterThanOrEqual(night);
    expect(found[0]).toBeLessThan(night + 12);
  });

  it('fires once per sustained anomaly, then keeps quiet for the refractory period', () => {
    const inputs = dailySine(14, 35);
    const start = 8 * SAMPLES_PER_DAY;
    const anomalous = inputs.map((input, i) =>
      i >= start && i < start + 150 ? { ...input, value: input.value + 6 } : input,
    );
    const detector = createEnsemble({ range: SINE_RANGE, refractorySamples: 200 });
    const outputs = run(detector, anomalous);
    const found = indexesWhere(outputs, (o) => o.fired).filter((i) => i >= SAMPLES_PER_DAY);
    expect(found).toHaveLength(1);
    expect(found[0]).toBeGreaterThanOrEqual(start);
    expect(found[0]).toBeLessThan(start + 20);
    // Suppressed, not blind: the members still see the anomaly while the score stays 0.
    const during = outputs[found[0]! + 20]!;
    expect(during.score).toBe(0);
    expect(Math.max(during.members.seasonal, during.members.holtWinters)).toBeGreaterThan(0.99);
  });

  it('takes gaps in time and missing values without alarms or crashes', () => {
    const inputs = dailySine(14, 36).filter((input) => {
      const t = input.timeMs - START_MS;
      return (
        !(t >= 5 * DAY_MS && t < 6 * DAY_MS + 5 * HOUR_MS) && !(t >= 10 * DAY_MS && t < 10 * DAY_MS + HOUR_MS)
      );
    });
    const withHoles = inputs.map((input, i) => (i % 89 === 0 ? { ...input, value: Number.NaN } : input));
    const outputs = run(createEnsemble({ range: SINE_RANGE }), withHoles);
    expect(indexesWhere(outputs, (o) => o.fired).filter((i) => i >= SAMPLES_PER_DAY)).toEqual([]);
    expect(outputs.every((o) => o.score >= 0 && o.score <= 1)).toBe(true);
  });

  it('scores the same in any unit once given the range in that unit', () => {
    const inputs = dailySine(10, 37);
    const spike = 7 * SAMPLES_PER_DAY + 40;
    inputs[spike] = { timeMs: inputs[spike]!.timeMs, value: 38 };
    const scaled = inputs.map((input) => ({ timeMs: input.timeMs, value: 1000 * input.value - 273 }));
    const a = run(createEnsemble({ range: SINE_RANGE }), inputs);
    const b = run(createEnsemble({ range: { min: -273, max: 40_000 - 273 } }), scaled);
    expect(indexesWhere(b, (o) => o.fired)).toEqual(indexesWhere(a, (o) => o.fired));
    for (let i = 0; i < a.length; i++) expect(b[i]!.score).toBeCloseTo(a[i]!.score, 6);
    expect(b[spike]!.expected! / 1000).toBeCloseTo((a[spike]!.expected! * 1000 - 273) / 1000, 3);
  });

  it('reports every member’s score', () => {
    const inputs = dailySine(3, 38);
    const outputs = run(createEnsemble({ range: SINE_RANGE }), inputs);
    const last = outputs[outputs.length - 1]!;
    expect(Object.keys(last.members).sort()).toEqual([
      'cusum',
      'holtWinters',
      'likelihood',
      'seasonal',
      'spatial',
    ]);
    for (const o of outputs) {
      for (const score of [o.score, ...Object.values(o.members)]) {
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(1);
      }
    }
    // In the series' unit again, near the last value.
    expect(Math.abs(last.expected! - inputs[inputs.length - 1]!.value)).toBeLessThan(2);
  });

  it('resumes exactly from a snapshot taken anywhere', () => {
    const small: EnsembleConfig = {
      range: { min: -50, max: 50 },
      refractorySamples: 7,
      spatialWarmup: 10,
      holtWinters: { seasonLength: 6 },
      cusum: { warmup: 5, memory: 20 },
      likelihood: { learningPeriod: 10, estimationSamples: 5, longMemory: 40 },
    };
    checkpointProperty((snapshot?: EnsembleSnapshot) => createEnsemble(small, snapshot), 300, 150);
    checkpointProperty((snapshot?: EnsembleSnapshot) => createEnsemble({}, snapshot), 1000, 15);
  });

  it('keeps its state the same size however long the stream', () => {
    const normal = seededNormal(39);
    expectSameSize(
      snapshotSizes(
        () => createEnsemble({ range: SINE_RANGE }),
        (i) => {
          const timeMs = START_MS + i * STEP_MS;
          return { timeMs, value: 20 + 10 * Math.sin((2 * Math.PI * i) / SAMPLES_PER_DAY) + normal() };
        },
        10_000,
        100_000,
      ),
    );
  });
});

// A real series: NAB's files and labelled windows (Lavin & Ahmad 2015), when the shared copy is present.
const NAB_DIR = '/work/shared/nab';

interface NabSeries {
  readonly inputs: DetectorInput[];
  readonly range: { min: number; max: number };
  /** Row indexes [first, last] of each labelled window, inclusive. */
  readonly windows: [number, number][];
}

function readNab(file: string): NabSeries {
  const rows = readFileSync(`${NAB_DIR}/data/${file}`, 'utf8').trim().split('\n').slice(1);
  const stamps: string[] = [];
  const inputs = rows.map((row) => {
    const [stamp, value] = row.split(',') as [string, string];
    stamps.push(stamp);
    // NAB's timestamps are `YYYY-MM-DD HH:MM:SS`, taken as UTC.
    return { timeMs: Date.parse(`${stamp.replace(' ', 'T')}Z`), value: Number(value) };
  });
  const labels = JSON.parse(readFileSync(`${NAB_DIR}/labels/combined_windows.json`, 'utf8')) as Record<
    string,
    [string, string][]
  >;
  const windows = (labels[file] ?? []).map(
    ([from, to]) => [stamps.indexOf(from.slice(0, 19)), stamps.indexOf(to.slice(0, 19))] as [number, number],
  );
  const values = inputs.map((input) => input.value);
  return { inputs, range: { min: Math.min(...values), max: Math.max(...values) }, windows };
}

describe.skipIf(!existsSync(NAB_DIR))('createEnsemble on NAB series', () => {
  /** Firings after the probationary 15 % (at most 750 rows), as NAB scores them. */
  function scoredFirings(series: NabSeries): { inWindows: Set<number>; outside: number[] } {
    const probation = Math.min(Math.floor(0.15 * series.inputs.length), 750);
    const found = firings(series.inputs, { range: series.range }).filter((i) => i >= probation);
    const inWindows = new Set<number>();
    const outside: number[] = [];
    for (const i of found) {
      const w = series.windows.findIndex(([first, last]) => i >= first && i <= last);
      if (w >= 0) inWindows.add(w);
      else outside.push(i);
    }
    return { inWindows, outside };
  }

  it('finds both failures of ec2_cpu_utilization_5f5533 inside their windows, with no false alarm', () => {
    const series = readNab('realAWSCloudwatch/ec2_cpu_utilization_5f5533.csv');
    expect(series.windows).toHaveLength(2);
    const { inWindows, outside } = scoredFirings(series);
    expect(inWindows.size).toBe(2);
    expect(outside).toEqual([]);
  });

  // A known trade: the seasonal Holt-Winters member the ensemble had before also caught nyc_taxi's second
  // calendar anomaly (four of five); the non-seasonal member that replaced it scores ~2.7 NAB points more over
  // the 31 shared files. Which windows are found is pinned, so that a change in either direction is seen.
  it('finds nyc_taxi anomalies 1, 3 and 5 of 5, with no false alarm', () => {
    const series = readNab('realKnownCause/nyc_taxi.csv');
    expect(series.windows).toHaveLength(5);
    const { inWindows, outside } = scoredFirings(series);
    expect([...inWindows].sort()).toEqual([0, 2, 4]);
    expect(outside).toEqual([]);
  });
});

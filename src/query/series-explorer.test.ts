import { describe, expect, it } from 'vitest';
import { createEnsemble } from '../detect/detectors/ensemble.ts';
import { createHoltWinters } from '../detect/detectors/holt-winters.ts';
import { baselineBand, bucketCount, bucketStarts, explorerBuckets, forecastBand } from './series-explorer.ts';

const HOUR = 3_600_000;

describe('explorerBuckets', () => {
  it('never gives more aligned buckets than asked for, whatever the range and its offset', () => {
    for (const points of [2, 7, 48, 600, 10_000]) {
      for (const spanMs of [
        1000,
        59_000,
        3 * HOUR,
        86_400_000 + 17,
        400 * 86_400_000,
        200 * 365 * 86_400_000,
      ]) {
        for (const offsetMs of [0, 1, 29_999, 7 * HOUR + 13]) {
          const from = Date.UTC(2024, 0, 1) + offsetMs;
          const bucket = explorerBuckets(from, from + spanMs, points);
          expect(bucketCount(from, from + spanMs, bucket)).toBeLessThanOrEqual(points);
          expect(bucketStarts(from, from + spanMs, bucket)).toHaveLength(
            bucketCount(from, from + spanMs, bucket),
          );
        }
      }
    }
  });

  it('counts the extra bucket a range starting mid-bucket touches', () => {
    // 10 hours from 00:00:30 touch 601 one-minute buckets, so 600 points need five-minute ones.
    const from = Date.UTC(2024, 0, 1, 0, 0, 30);
    expect(explorerBuckets(from, from + 10 * HOUR, 600).bucketS).toBe(300);
    expect(explorerBuckets(from - 30_000, from - 30_000 + 10 * HOUR, 600).bucketS).toBe(60);
  });
});

describe('baselineBand', () => {
  it('reads the ensemble snapshot without learning, in the series unit', () => {
    const range = { min: 0, max: 500 };
    const ensemble = createEnsemble({ range });
    for (let i = 0; i < 3 * 1440; i++) {
      const t = Date.UTC(2024, 0, 1) + i * 60_000;
      ensemble.update({ timeMs: t, value: 100 + 50 * Math.sin((2 * Math.PI * i) / 1440) });
    }
    const snapshot = ensemble.snapshot();
    const before = JSON.stringify(snapshot);
    const at6 = Date.UTC(2024, 0, 4, 6);
    const band = baselineBand(snapshot, { range, timeZone: null, nonNegative: false }, [
      at6,
      at6 + 12 * HOUR,
    ]);
    expect(JSON.stringify(snapshot)).toBe(before);
    expect(band).toHaveLength(2);
    expect(band[0]!.expected).toBeGreaterThan(140);
    expect(band[1]!.expected).toBeLessThan(60);
    for (const b of band) expect(b.lower < b.expected && b.expected < b.upper).toBe(true);
    expect(
      baselineBand({ kind: 'something else' }, { range, timeZone: null, nonNegative: false }, [at6]),
    ).toEqual([]);
    expect(baselineBand(undefined, { range, timeZone: null, nonNegative: false }, [at6])).toEqual([]);
  });
});

/** A repeatable wobble in [-1, 1] (no Math.random: the same band every run). */
const wobble = (i: number) => Math.sin(i * 12.9898) * 0.5 + Math.sin(i * 78.233) * 0.5;

describe('bands of a quantity that cannot be negative', () => {
  // PM2.5 on a clean day: a few µg/m³ with noise, normalised by the preset's QC range as the ensemble does.
  const range = { min: -10, max: 2000 };
  const at = (i: number) => Date.UTC(2024, 0, 1) + i * 600_000;
  const value = (i: number) => 3 + 2 * Math.sin((2 * Math.PI * i) / 144) + 1.5 * wobble(i);

  it('stops the baseline band at 0, and leaves it alone for a quantity that can go below', () => {
    const ensemble = createEnsemble({ range });
    for (let i = 0; i < 4 * 144; i++) ensemble.update({ timeMs: at(i), value: value(i) });
    const times = Array.from({ length: 24 }, (_, h) => Date.UTC(2024, 0, 5, h));
    const free = baselineBand(ensemble.snapshot(), { range, timeZone: null, nonNegative: false }, times);
    const held = baselineBand(ensemble.snapshot(), { range, timeZone: null, nonNegative: true }, times);
    expect(free).toHaveLength(24);
    expect(
      free.some((b) => b.lower < 0),
      'the unclamped band dips below 0 here',
    ).toBe(true);
    expect(held).toHaveLength(24);
    for (const [i, b] of held.entries()) {
      const f = free[i]!;
      expect(b.lower).toBe(Math.max(0, f.lower));
      expect(b.expected).toBe(Math.max(0, f.expected));
      expect(b.upper).toBe(f.upper);
      expect(b.lower <= b.expected && b.expected <= b.upper).toBe(true);
    }
  });

  it('stops the forecast mean and band at 0', () => {
    const model = createHoltWinters({});
    // Falling steadily for three days to 0.5 µg/m³: the trend carries the forecast's mean below 0 too.
    for (let i = 0; i < 3 * 144; i++) model.update({ timeMs: at(i), value: 18.5 - i / 24 + wobble(i) / 2 });
    const snapshot = { model: model.snapshot() };
    const free = forecastBand(snapshot, 600, { nonNegative: false });
    const held = forecastBand(snapshot, 600, { nonNegative: true });
    expect(free.points.length).toBeGreaterThan(0);
    expect(held.originMs).toBe(free.originMs);
    expect(
      free.points.some((p) => p.mean < 0),
      'the unclamped mean goes below 0 here',
    ).toBe(true);
    expect(held.points).toEqual(
      free.points.map((p) => ({
        tMs: p.tMs,
        mean: Math.max(0, p.mean),
        lower: Math.max(0, p.lower),
        upper: Math.max(0, p.upper),
      })),
    );
    for (const p of held.points) expect(p.lower >= 0 && p.mean >= p.lower && p.upper >= p.mean).toBe(true);
  });
});

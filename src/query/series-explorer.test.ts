import { describe, expect, it } from 'vitest';
import { createEnsemble } from '../detect/detectors/ensemble.ts';
import { baselineBand, bucketCount, bucketStarts, explorerBuckets } from './series-explorer.ts';

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
    const band = baselineBand(snapshot, { range, timeZone: null }, [at6, at6 + 12 * HOUR]);
    expect(JSON.stringify(snapshot)).toBe(before);
    expect(band).toHaveLength(2);
    expect(band[0]!.expected).toBeGreaterThan(140);
    expect(band[1]!.expected).toBeLessThan(60);
    for (const b of band) expect(b.lower < b.expected && b.expected < b.upper).toBe(true);
    expect(baselineBand({ kind: 'something else' }, { range, timeZone: null }, [at6])).toEqual([]);
    expect(baselineBand(undefined, { range, timeZone: null }, [at6])).toEqual([]);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeHints,
  encodedSizeOf,
  encodeHints,
  OBSERVATION_PARTITIONS,
  type ObservationHint,
  partitionOf,
  subjectOf,
} from './observation-hint.ts';

const hint = fc.record({
  seriesId: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  organisationId: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  newestMs: fc.integer({ min: -8.64e15, max: 8.64e15 }),
});

describe('observation hints', () => {
  it('put a series always on the same one of 32 partitions, and spread consecutive series over all of them', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (id) => {
        const p = partitionOf(id);
        expect(Number.isInteger(p) && p >= 0 && p < OBSERVATION_PARTITIONS).toBe(true);
        expect(subjectOf(id)).toBe(`ew4e.obs.${p}`);
      }),
    );
    const used = new Set(Array.from({ length: 64 }, (_, i) => partitionOf(1000 + i)));
    expect(used.size).toBe(OBSERVATION_PARTITIONS);
    expect(subjectOf(33)).toBe('ew4e.obs.1');
  });

  it('survive the wire unchanged, bare or with their rows, many to a message', () => {
    const carrying = fc
      .tuple(
        hint,
        fc.uniqueArray(fc.integer({ min: -8.64e15, max: 8.64e15 }), { maxLength: 300 }),
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 300, maxLength: 300 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      )
      .map(([h, times, values, revision]): ObservationHint => {
        if (times.length === 0) return h;
        const timeMs = Float64Array.from([...times].sort((a, b) => a - b));
        return {
          ...h,
          newestMs: timeMs[timeMs.length - 1]!,
          rows: { timeMs, value: Float64Array.from(values.slice(0, timeMs.length)), revision },
        };
      });
    fc.assert(
      fc.property(fc.array(carrying, { minLength: 1, maxLength: 8 }), (hints) => {
        const bytes = encodeHints(hints);
        expect(bytes.length).toBe(8 + hints.reduce((sum, h) => sum + encodedSizeOf(h), 0));
        // as it arrives: inside a bigger buffer, at an offset that is not a multiple of 8
        const received = new Uint8Array(bytes.length + 3);
        received.set(bytes, 3);
        expect(decodeHints(received.subarray(3))).toEqual(hints);
      }),
    );
  });

  it('read a hint as older ingesting processes published it, one JSON object to a message', () => {
    fc.assert(
      fc.property(hint, (h) => {
        expect(decodeHints(new TextEncoder().encode(JSON.stringify(h)))).toEqual([h]);
      }),
    );
  });

  it('refuse rows that are not a batch: a wrong length, times out of order, a value that is not a number', () => {
    const good: ObservationHint = {
      seriesId: 7,
      organisationId: 3,
      newestMs: 3000,
      rows: { timeMs: Float64Array.of(1000, 2000, 3000), value: Float64Array.of(1, 2, 3), revision: 2 },
    };
    expect(decodeHints(encodeHints([good]))).toEqual([good]);
    const broken = (rows: { timeMs: number[]; value: number[] }, newestMs = 3000) =>
      decodeHints(
        encodeHints([
          {
            ...good,
            newestMs,
            rows: {
              timeMs: Float64Array.from(rows.timeMs),
              value: Float64Array.from(rows.value),
              revision: 2,
            },
          },
        ]),
      );
    expect(broken({ timeMs: [1000, 3000, 2000], value: [1, 2, 3] })).toBeUndefined();
    expect(broken({ timeMs: [1000, 2000, 2000], value: [1, 2, 3] })).toBeUndefined();
    expect(broken({ timeMs: [1000, 2000, 3000], value: [1, Number.NaN, 3] })).toBeUndefined();
    expect(broken({ timeMs: [1000, 2000, 3000.5], value: [1, 2, 3] }, 3001)).toBeUndefined();
    expect(broken({ timeMs: [1000, 2000, 3000], value: [1, 2, 3] }, 2000)).toBeUndefined();
    const bytes = encodeHints([good, { seriesId: 8, organisationId: 3, newestMs: 5 }]);
    expect(decodeHints(bytes)).toHaveLength(2);
    expect(decodeHints(bytes.subarray(0, bytes.length - 8))).toBeUndefined();
    expect(
      decodeHints(bytes.subarray(0, bytes.length - 24)),
      'one hint fewer than the count says',
    ).toBeUndefined();
  });

  it('refuse what is not a hint, whatever the bytes', () => {
    for (const text of [
      'not json',
      'null',
      '[]',
      '{"seriesId":1,"organisationId":2}',
      '{"seriesId":0,"organisationId":2,"newestMs":1}',
      '{"seriesId":1.5,"organisationId":2,"newestMs":1}',
      '{"seriesId":"1","organisationId":2,"newestMs":1}',
      '{"seriesId":1,"organisationId":2,"newestMs":1e300}',
    ]) {
      expect(decodeHints(new TextEncoder().encode(text)), text).toBeUndefined();
    }
    fc.assert(
      fc.property(fc.uint8Array(), (bytes) => {
        const decoded = decodeHints(bytes);
        if (decoded !== undefined) expect(decodeHints(encodeHints(decoded))).toEqual(decoded);
      }),
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CarriedRows, ObservationHint } from '../bus/observation-hint.ts';
import { carriedBySeries, joinCarried } from './carried-rows.ts';

const rows = (times: number[], value = (t: number) => t / 10, revision = 0): CarriedRows => ({
  timeMs: Float64Array.from(times),
  value: Float64Array.from(times.map(value)),
  revision,
});

describe('carried rows', () => {
  it('are used for a series only when every hint of the batch carried its rows', () => {
    const hint = (seriesId: number, carried: boolean): ObservationHint => ({
      seriesId,
      organisationId: 1,
      newestMs: 30,
      ...(carried ? { rows: rows([10, 20, 30]) } : {}),
    });
    const carried = carriedBySeries([
      hint(1, true),
      hint(2, true),
      hint(2, false),
      hint(3, true),
      hint(3, true),
    ]);
    expect([...carried.keys()].sort()).toEqual([1, 3]);
    expect(carried.get(3)).toHaveLength(2);
  });

  it('join in time order after the checkpoint, naming the gaps the database must show empty', () => {
    const joined = joinCarried(7, 15, [rows([40, 50]), rows([10, 20, 30])]);
    expect(joined?.points).toEqual({ timeMs: [20, 30, 40, 50], value: [2, 3, 4, 5] });
    expect(joined?.gaps).toEqual([
      { seriesId: 7, afterMs: 15, beforeMs: 20 },
      { seriesId: 7, afterMs: 30, beforeMs: 40 },
      { seriesId: 7, afterMs: 50, beforeMs: Number.POSITIVE_INFINITY },
    ]);
    // everything seen already: a late message, so the series is read up to what is stored now
    expect(joinCarried(7, 50, [rows([10, 20]), rows([40, 50])])).toBeUndefined();
  });

  it('give way to a read when two messages overlap after the checkpoint', () => {
    // interleaved batches, and the same times re-sent with other values
    expect(joinCarried(7, 0, [rows([10, 30]), rows([20, 40])])).toBeUndefined();
    expect(joinCarried(7, 0, [rows([10, 20]), rows([10, 20], () => 99)])).toBeUndefined();
    // overlapping only where the checkpoint has passed: no conflict left
    expect(joinCarried(7, 20, [rows([10, 20]), rows([10, 20, 30])])?.points.timeMs).toEqual([30]);
  });

  it('give way to a read when the messages were stored under different revisions of the series', () => {
    const t = (x: number) => x / 10;
    expect(joinCarried(7, 0, [rows([10, 20], t, 3), rows([30, 40], t, 3)])?.revision).toBe(3);
    // a re-sent batch replaced values between the two: which of the carried values still stand is unknown
    expect(joinCarried(7, 0, [rows([10, 20], t, 3), rows([30, 40], t, 4)])).toBeUndefined();
  });

  it('give exactly the rows after the checkpoint of any disjoint messages, in any order', () => {
    const messages = fc
      .uniqueArray(fc.integer({ min: 1, max: 10_000 }), { minLength: 1, maxLength: 200 })
      .chain((times) => {
        const sorted = [...times].sort((a, b) => a - b);
        if (sorted.length === 1) return fc.constant<number[][]>([sorted]);
        return fc
          .uniqueArray(fc.integer({ min: 1, max: sorted.length - 1 }), { maxLength: 10 })
          .map((cuts) => {
            const bounds = [0, ...[...cuts].sort((a, b) => a - b), sorted.length];
            return bounds.slice(1).map((end, i) => sorted.slice(bounds[i], end));
          });
      });
    fc.assert(
      fc.property(messages, fc.integer({ min: 0, max: 10_000 }), fc.integer(), (parts, afterMs, seed) => {
        const shuffled = [...parts].sort((a, b) => ((a[0]! * 31 + seed) % 7) - ((b[0]! * 31 + seed) % 7));
        const joined = joinCarried(
          1,
          afterMs,
          shuffled.map((p) => rows(p)),
        );
        const expected = parts.flat().filter((t) => t > afterMs);
        if (expected.length === 0) {
          expect(joined).toBeUndefined();
          return;
        }
        expect(joined?.points.timeMs).toEqual(expected);
        expect(joined?.points.value).toEqual(expected.map((t) => t / 10));
        // one gap per message with rows after the checkpoint, each ending at that message's first such row,
        // and one after the newest row
        const starts = parts.filter((p) => p.at(-1)! > afterMs).map((p) => p.find((t) => t > afterMs)!);
        expect(joined?.gaps.map((g) => g.beforeMs)).toEqual([...starts, Number.POSITIVE_INFINITY]);
      }),
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TrailingWindow } from './trailing-window.ts';

const T0 = Date.UTC(2024, 0, 1);

describe('TrailingWindow', () => {
  it('merges points of one epoch-aligned slot without losing count, sum, min or max', () => {
    const window = new TrailingWindow(60_000);
    window.add(T0 + 5_000, 4);
    window.add(T0 + 50_000, 10); // same minute
    window.add(T0 + 61_000, 1); // next minute
    expect(window.length).toBe(2);
    expect(window.aggregate('sum')).toBe(15);
    expect(window.aggregate('mean')).toBe(5);
    expect(window.aggregate('min')).toBe(1);
    expect(window.aggregate('max')).toBe(10);
    expect(window.meanAt(0)).toBe(7);
    expect(window.timeAt(0)).toBe(T0 + 5_000);
    expect(window.extreme('max')).toEqual({ value: 10, timeMs: T0 + 5_000 });
  });

  it('drops a slot with its first point, inclusively or not', () => {
    const window = new TrailingWindow(1000);
    for (let s = 0; s < 5; s++) window.add(T0 + s * 1000, s);
    window.dropBefore(T0 + 2000, false);
    expect(window.aggregate('min')).toBe(2);
    window.dropBefore(T0 + 2000, true);
    expect(window.aggregate('min')).toBe(3);
    window.keepLast(1);
    expect(window.snapshot()).toEqual({ t: [T0 + 4000], n: [1], sum: [4], min: [4], max: [4] });
    window.dropBefore(T0 + 10_000, true);
    expect(window.aggregate('mean')).toBeNaN();
    expect(window.extreme('min')).toBeNull();
  });

  it('equals a brute-force aggregate over the slots still in the window, whatever the data rate', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ dt: fc.integer({ min: 1, max: 90_000 }), value: fc.integer({ min: -50, max: 50 }) }),
          {
            minLength: 1,
            maxLength: 200,
            size: 'max',
          },
        ),
        (steps) => {
          const cadenceMs = 60_000;
          const windowMs = 600_000;
          const window = new TrailingWindow(cadenceMs);
          const points: { t: number; v: number }[] = [];
          let t = T0;
          for (const { dt, value } of steps) {
            t += dt;
            points.push({ t, v: value });
            window.add(t, value);
            window.dropBefore(t - windowMs, true);
            // The oracle: group by aligned minute; a group is in while its first point is in (t − W, t].
            const firstOfSlot = new Map<number, number>();
            for (const p of points) {
              const key = Math.floor(p.t / cadenceMs);
              if (!firstOfSlot.has(key)) firstOfSlot.set(key, p.t);
            }
            const kept = points.filter((p) => firstOfSlot.get(Math.floor(p.t / cadenceMs))! > t - windowMs);
            const values = kept.map((p) => p.v);
            expect(window.aggregate('sum')).toBe(values.reduce((a, b) => a + b, 0));
            expect(window.aggregate('min')).toBe(Math.min(...values));
            expect(window.aggregate('max')).toBe(Math.max(...values));
            expect(window.length).toBeLessThanOrEqual(Math.ceil(windowMs / cadenceMs) + 1);
          }
          const restored = new TrailingWindow(cadenceMs, window.snapshot());
          expect(restored.snapshot()).toEqual(window.snapshot());
        },
      ),
    );
  });

  it('refuses a state whose arrays differ in length', () => {
    expect(
      () => new TrailingWindow(1000, { t: [1, 2], n: [1], sum: [1, 2], min: [1, 2], max: [1, 2] }),
    ).toThrow(RangeError);
  });
});

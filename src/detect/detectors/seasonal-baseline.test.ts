import { describe, expect, it } from 'vitest';
import {
  checkpointProperty,
  DAY_MS,
  dailySine,
  dailySineAt,
  expectSameSize,
  HOUR_MS,
  indexesWhere,
  MINUTE_MS,
  regular,
  run,
  START_MS,
  seededNormal,
  snapshotSizes,
} from './detector-test-support.ts';
import { twoSidedScore } from './robust-statistics.ts';
import { createSeasonalBaseline, type SeasonalBaselineSnapshot } from './seasonal-baseline.ts';

/** |z| ≥ 4.5: about one in 10⁵ under the model, so estimation noise alone does not reach it. */
const ALARM = twoSidedScore(4.5);

describe('createSeasonalBaseline', () => {
  it('raises no alarm on a noisy daily cycle once every hour has been seen', () => {
    const inputs = dailySine(14, 1);
    const outputs = run(createSeasonalBaseline(), inputs);
    const afterWarmup = 2 * 288;
    expect(indexesWhere(outputs.slice(afterWarmup), (o) => o.score >= ALARM)).toEqual([]);
    // It has learned the cycle: at 03:00 on day 10 it expects the night low, not the daily mean.
    const i = 9 * 288 + 36;
    expect(outputs[i]!.expected).toBeCloseTo(dailySineAt(inputs[i]!.timeMs), 0);
  });

  it('flags a night value at day level, which a global baseline would find ordinary', () => {
    const inputs = dailySine(14, 2);
    const night = 9 * 288 + 36; // 03:00 on day 10
    inputs[night] = { timeMs: inputs[night]!.timeMs, value: 29 };
    const outputs = run(createSeasonalBaseline(), inputs);
    expect(outputs[night]!.score).toBeGreaterThanOrEqual(ALARM);
    expect(outputs[night]!.reason).toBe('above_baseline');
    expect(indexesWhere(outputs.slice(2 * 288), (o) => o.score >= ALARM).map((i) => i + 2 * 288)).toEqual([
      night,
    ]);
    // 29 lies inside the day's range: as a global value it is barely one σ from the mean.
    const globalZ = (29 - 20) / (10 / Math.SQRT2);
    expect(globalZ).toBeLessThan(1.5);
  });

  it('flags a single spike at the spike and nowhere else', () => {
    const normal = seededNormal(3);
    const values = Array.from({ length: 2000 }, (_, i) => 5 + 0.2 * normal() + (i === 1500 ? 3 : 0));
    const outputs = run(createSeasonalBaseline(), regular(values, 5 * MINUTE_MS));
    expect(indexesWhere(outputs.slice(300), (o) => o.score >= ALARM).map((i) => i + 300)).toEqual([1500]);
  });

  it('falls back to the global baseline while a slot is young', () => {
    const detector = createSeasonalBaseline();
    // Ten hours at 10, all in 00:00–09:59 slots.
    for (let i = 0; i < 120; i++) detector.update({ timeMs: START_MS + i * 5 * MINUTE_MS, value: 10 });
    const unseenSlot = detector.update({ timeMs: START_MS + 15 * HOUR_MS, value: 10 });
    expect(unseenSlot.expected).toBe(10);
    expect(unseenSlot.score).toBe(0);
  });

  it('keeps hours of the week apart', () => {
    const detector = createSeasonalBaseline({ profile: 'hour_of_week' });
    const normal = seededNormal(4);
    // Three weeks every 15 minutes: 100 on weekdays, 40 on Saturdays and Sundays.
    for (let i = 0; i < 3 * 7 * 96; i++) {
      const timeMs = START_MS + i * 15 * MINUTE_MS;
      const weekday = new Date(timeMs).getUTCDay();
      detector.update({ timeMs, value: (weekday === 0 || weekday === 6 ? 40 : 100) + normal() });
    }
    const sunday = START_MS + 3 * 7 * DAY_MS + 6 * DAY_MS + 10 * HOUR_MS;
    expect(new Date(sunday).getUTCDay()).toBe(0);
    const weekdayLevelOnSunday = detector.update({ timeMs: sunday, value: 100 });
    expect(weekdayLevelOnSunday.expected).toBeCloseTo(40, 0);
    expect(weekdayLevelOnSunday.reason).toBe('above_baseline');
    const monday = detector.update({ timeMs: sunday + DAY_MS, value: 100 });
    expect(monday.expected).toBeCloseTo(100, 0);
    expect(monday.score).toBeLessThan(0.99);
  });

  it('follows a local day when given a UTC offset', () => {
    const utc = createSeasonalBaseline();
    const local = createSeasonalBaseline({ utcOffsetMinutes: 120 });
    // A value that is high from 08:00 to 09:00 local (06:00–07:00 UTC) on ten days.
    for (let d = 0; d < 10; d++) {
      for (let h = 0; h < 24; h++) {
        const input = { timeMs: START_MS + d * DAY_MS + h * HOUR_MS, value: h === 6 ? 50 : 10 };
        utc.update(input);
        local.update(input);
      }
    }
    const at = { timeMs: START_MS + 10 * DAY_MS + 6 * HOUR_MS, value: 50 };
    expect(utc.update(at).expected).toBeCloseTo(50, 0);
    expect(local.update(at).expected).toBeCloseTo(50, 0);
    const wrongHour = { timeMs: START_MS + 10 * DAY_MS + 8 * HOUR_MS, value: 50 };
    expect(utc.update(wrongHour).reason).toBe('above_baseline');
  });

  it('takes gaps in time and missing values without alarms or crashes', () => {
    const inputs = dailySine(14, 5).filter((input) => {
      const day = Math.floor((input.timeMs - START_MS) / DAY_MS);
      return day !== 4 && day !== 5 && day !== 9; // three days missing
    });
    const withHoles = inputs.map((input, i) => (i % 97 === 0 ? { ...input, value: Number.NaN } : input));
    const outputs = run(createSeasonalBaseline(), withHoles);
    expect(indexesWhere(outputs.slice(2 * 288), (o) => o.score >= ALARM)).toEqual([]);
    for (const [i, output] of outputs.entries()) {
      expect(Number.isFinite(output.score)).toBe(true);
      if (Number.isNaN(withHoles[i]!.value)) expect(output.score).toBe(0);
    }
  });

  it('resumes exactly from a snapshot taken anywhere', () => {
    checkpointProperty(
      (snapshot?: SeasonalBaselineSnapshot) =>
        createSeasonalBaseline({ slotMemory: 5, minSlotSamples: 3 }, snapshot),
      300,
      200,
    );
    checkpointProperty(
      (snapshot?: SeasonalBaselineSnapshot) => createSeasonalBaseline({ profile: 'hour_of_week' }, snapshot),
      600,
      50,
    );
  });

  it('rejects a snapshot of another kind or shape', () => {
    const weekly = createSeasonalBaseline({ profile: 'hour_of_week' }).snapshot();
    expect(() => createSeasonalBaseline({}, weekly)).toThrow(RangeError);
    expect(() => createSeasonalBaseline({ slotMemory: 0 })).toThrow(/slotMemory/);
  });

  it('keeps its state the same size however long the stream', () => {
    const normal = seededNormal(6);
    expectSameSize(
      snapshotSizes(
        () => createSeasonalBaseline({ profile: 'hour_of_week' }),
        (i) => ({ timeMs: START_MS + i * MINUTE_MS, value: 100 * normal() }),
        10_000,
        100_000,
      ),
    );
  });
});

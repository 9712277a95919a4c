import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RuleDefinition, ThresholdRule } from './rule-definition.ts';
import { windowSlotBound } from './rule-definition.ts';
import {
  createRuleEvaluator,
  type EventInput,
  type ObservationInput,
  type RuleEvaluator,
} from './rule-engine.ts';
import type { RuleSnapshot } from './rule-state.ts';
import type { RuleTransition } from './rule-transition.ts';

const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000;
const HOUR = 3_600_000;
const YEAR = 365.25 * 86_400_000;

function obs(series: string, variable: string, timeMs: number, value: number, areas = [1]): ObservationInput {
  return { series, variable, areas, timeMs, value };
}

type Step =
  | { readonly type: 'observe'; readonly input: ObservationInput }
  | { readonly type: 'event'; readonly input: EventInput }
  | { readonly type: 'tick'; readonly nowMs: number };

function apply(evaluator: RuleEvaluator, step: Step): RuleTransition[] {
  switch (step.type) {
    case 'observe':
      return evaluator.observe(step.input);
    case 'event':
      return evaluator.observeEvent(step.input);
    case 'tick':
      return evaluator.tick(step.nowMs);
  }
}

function run(evaluator: RuleEvaluator, steps: readonly Step[]): RuleTransition[] {
  return steps.flatMap((step) => apply(evaluator, step));
}

const observe = (input: ObservationInput): Step => ({ type: 'observe', input });
const tick = (nowMs: number): Step => ({ type: 'tick', nowMs });
const event = (
  timeMs: number,
  areas = [3],
  kind = 'fire_detection',
  extra: Partial<EventInput> = {},
): Step => ({
  type: 'event',
  input: { kind, timeMs, areas, ...extra },
});

/** [state, hours after T0] of each transition: the shape most assertions want. */
function when(transitions: readonly RuleTransition[], unitMs = HOUR): [string, number][] {
  return transitions.map((t) => [t.state, (t.atMs - T0) / unitMs]);
}

describe('threshold', () => {
  const daily: ThresholdRule = {
    kind: 'threshold',
    select: { variable: 'pm25' },
    aggregate: { fn: 'mean', windowS: 86_400, cadenceS: 3600 },
    when: 'above',
    level: 15,
    forS: 3 * 3600,
    clearAt: 13.5,
  };

  it('fires when the 24-hour mean has been above 15 for forS, and clears once it falls to clearAt', () => {
    // A day at 10 µg/m³, a day at 40, then 0. From hour 24 the mean over hours h−23…h is (30h − 450)/24:
    // exactly 15 at hour 27 (not above), 16.25 at hour 28, so it holds from 28 and fires at 28 + 3 = 31.
    // From hour 48 the mean is 40(71 − h)/24: 15 at hour 62, 13.33 ≤ 13.5 at hour 63, where it clears.
    const values = (h: number) => (h < 24 ? 10 : h < 48 ? 40 : 0);
    const steps = Array.from({ length: 80 }, (_, h) => observe(obs('a', 'pm25', T0 + h * HOUR, values(h))));
    const transitions = run(createRuleEvaluator(daily), steps);
    expect(when(transitions)).toEqual([
      ['firing', 31],
      ['cleared', 63],
    ]);
    expect(transitions[0]).toEqual({
      state: 'firing',
      atMs: T0 + 31 * HOUR,
      series: 'a',
      observed: 20,
      threshold: 15,
      windowS: 86_400,
      detail: { exceedance: 5, ratio: 20 / 15, heldS: 3 * 3600, slots: 24 },
    });
    expect(transitions[1]).toMatchObject({ observed: (40 * 8) / 24, threshold: 13.5, detail: { peak: 40 } });
  });

  it('agrees with a brute-force 24-hour mean on any hourly series with gaps', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ gapH: fc.integer({ min: 1, max: 4 }), value: fc.integer({ min: 0, max: 40 }) }),
          {
            minLength: 1,
            maxLength: 120,
            size: 'max',
          },
        ),
        fc.constantFrom(0, 3600, 7200),
        (steps, forS) => {
          let t = T0;
          const points = steps.map(({ gapH, value }) => {
            t += gapH * HOUR;
            return { t, value };
          });
          const rule: ThresholdRule = { ...daily, forS, clearAt: 12 };
          const got = run(
            createRuleEvaluator(rule),
            points.map((p) => observe(obs('a', 'pm25', p.t, p.value))),
          );
          // The oracle: the mean of every point in (t − 24 h, t], judged by the rule's words.
          const expected: [string, number][] = [];
          let active = false;
          let since: number | null = null;
          for (const p of points) {
            const inWindow = points.filter((q) => q.t > p.t - 24 * HOUR && q.t <= p.t);
            const mean = inWindow.reduce((s, q) => s + q.value, 0) / inWindow.length;
            if (!active) {
              if (mean > 15) {
                since ??= p.t;
                if (p.t - since >= forS * 1000) {
                  active = true;
                  expected.push(['firing', p.t]);
                }
              } else since = null;
            } else if (!(mean > 12)) {
              active = false;
              since = null;
              expected.push(['cleared', p.t]);
            }
          }
          expect(got.map((g) => [g.state, g.atMs])).toEqual(expected);
        },
      ),
    );
  });

  it('does not flap on a noisy series around the level when it has hysteresis', () => {
    // 50 ± 3 with noise for 200 minutes, then a clear drop to 40.
    const noisy = Array.from(
      { length: 200 },
      (_, k) => 50 + 3 * Math.sin(k * 1.7) + ((k * 7919) % 5) / 5 - 0.4,
    );
    const series = [...noisy, 40];
    const steps = series.map((v, k) => observe(obs('a', 'no2', T0 + k * MIN, v)));
    const rule: ThresholdRule = {
      kind: 'threshold',
      select: { series: 'a' },
      when: 'above',
      level: 50,
      clearAt: 45,
    };
    const withHysteresis = run(createRuleEvaluator(rule), steps);
    expect(withHysteresis.map((t) => t.state)).toEqual(['firing', 'cleared']);
    expect(withHysteresis[1]).toMatchObject({ atMs: T0 + 200 * MIN, observed: 40, threshold: 45 });

    const { clearAt: _none, ...noHysteresis } = rule;
    const flapping = run(createRuleEvaluator(noHysteresis), steps);
    expect(flapping.length).toBeGreaterThan(20);
  });

  it('waits for minCoverage of the window, and stays active through a gap instead of clearing on no data', () => {
    // Hourly 30 from hour 0 to 30, nothing until hour 40, then 0. With 75 % of 24 hourly slots required:
    // fires at hour 17 (the 18th slot). At hours 40…56 fewer than 18 slots lie in the window, so the mean is
    // unknown and the rule stays active, though every new value is 0; at hour 57 hours 40…57 fill 18 slots.
    const rule: ThresholdRule = {
      kind: 'threshold',
      select: { variable: 'pm25' },
      aggregate: { fn: 'mean', windowS: 86_400, cadenceS: 3600, minCoverage: 0.75 },
      when: 'above',
      level: 15,
    };
    const hours = [
      ...Array.from({ length: 31 }, (_, h) => h),
      ...Array.from({ length: 30 }, (_, k) => 40 + k),
    ];
    const steps = hours.map((h) => observe(obs('a', 'pm25', T0 + h * HOUR, h <= 30 ? 30 : 0)));
    const transitions = run(createRuleEvaluator(rule), steps);
    expect(when(transitions)).toEqual([
      ['firing', 17],
      ['cleared', 57],
    ]);
  });

  it('keeps one state per series of a variable, and ignores other variables and areas', () => {
    const rule: ThresholdRule = {
      kind: 'threshold',
      select: { variable: 'pm25', area: 2 },
      when: 'above',
      level: 50,
    };
    const transitions = run(createRuleEvaluator(rule), [
      observe(obs('a', 'pm25', T0, 60, [2])),
      observe(obs('b', 'pm25', T0, 70, [1, 2])),
      observe(obs('c', 'pm25', T0, 80, [1])),
      observe(obs('d', 'pm10', T0, 90, [2])),
      observe(obs('a', 'pm25', T0 + MIN, 10, [2])),
    ]);
    expect(transitions.map((t) => [t.state, t.series])).toEqual([
      ['firing', 'a'],
      ['firing', 'b'],
      ['cleared', 'a'],
    ]);
  });

  it('ignores a point at or before the last one of its series and a non-finite value, and rejects a bad time', () => {
    const rule: ThresholdRule = { kind: 'threshold', select: { series: 'a' }, when: 'above', level: 50 };
    const evaluator = createRuleEvaluator(rule);
    expect(evaluator.observe(obs('a', 'x', T0, 10))).toEqual([]);
    expect(evaluator.observe(obs('a', 'x', T0, 60))).toEqual([]);
    expect(evaluator.observe(obs('a', 'x', T0 - MIN, 60))).toEqual([]);
    expect(evaluator.observe(obs('a', 'x', T0 + MIN, Number.NaN))).toEqual([]);
    expect(evaluator.observe(obs('a', 'x', T0 + 2 * MIN, 60))).toHaveLength(1);
    expect(() => evaluator.observe(obs('a', 'x', Number.POSITIVE_INFINITY, 1))).toThrow(RangeError);
    expect(() => evaluator.tick(Number.NaN)).toThrow(RangeError);
  });
});

describe('rate_of_change', () => {
  // A river gauge every 10 minutes: steady at 1.0 m, then +0.2 m per step to 1.8 m, then steady.
  const levels = [1, 1, 1, 1.2, 1.4, 1.6, 1.8, 1.8, 1.8, 1.8, 1.8, 1.8];
  const steps = levels.map((v, k) => observe(obs('g', 'water_level', T0 + k * 10 * MIN, v)));

  it('fires when the level has risen more than maxChange within the window, and clears when it has not', () => {
    // At step 5 the window [t − 1 h, t] holds steps 0…5: 1.6 − 1.0 = 0.6 > 0.5. At step 10 it holds 4…10:
    // 1.8 − 1.4 = 0.4, so it clears.
    const rule: RuleDefinition = {
      kind: 'rate_of_change',
      select: { series: 'g' },
      windowS: 3600,
      maxChange: 0.5,
      direction: 'rising',
      cadenceS: 600,
    };
    const transitions = run(createRuleEvaluator(rule), steps);
    expect(when(transitions, 10 * MIN)).toEqual([
      ['firing', 5],
      ['cleared', 10],
    ]);
    expect(transitions[0]!.observed).toBeCloseTo(0.6, 12);
    expect(transitions[0]!.detail).toMatchObject({ from: 1, to: 1.6, spanS: 50 * 60 });
  });

  it('does not fire on a rise when it watches for falls', () => {
    const rule: RuleDefinition = {
      kind: 'rate_of_change',
      select: { series: 'g' },
      windowS: 3600,
      maxChange: 0.5,
      direction: 'falling',
    };
    expect(run(createRuleEvaluator(rule), steps)).toEqual([]);
    const falling = [...levels]
      .reverse()
      .map((v, k) => observe(obs('g', 'water_level', T0 + k * 10 * MIN, v)));
    const transitions = run(createRuleEvaluator(rule), falling);
    expect(transitions[0]).toMatchObject({ state: 'firing', threshold: -0.5 });
    expect(transitions[0]!.observed).toBeCloseTo(-0.6, 12);
  });
});

describe('stale', () => {
  const rule: RuleDefinition = { kind: 'stale', select: { variable: 'pm25' }, maxSilenceS: 600 };

  it('fires on the tick at lastTime + maxSilenceS, not before, and clears when data returns', () => {
    const evaluator = createRuleEvaluator(rule);
    const steps: Step[] = [0, 1, 2].map((m) => observe(obs('a', 'pm25', T0 + m * MIN, 12)));
    for (let m = 3; m <= 14; m++) steps.push(tick(T0 + m * MIN));
    steps.push(observe(obs('a', 'pm25', T0 + 15 * MIN, 13)));
    const transitions = run(evaluator, steps);
    expect(when(transitions, MIN)).toEqual([
      ['firing', 12],
      ['cleared', 15],
    ]);
    expect(transitions[0]).toMatchObject({
      observed: 600,
      threshold: 600,
      detail: { lastObservationMs: T0 + 2 * MIN },
    });
    expect(transitions[1]).toMatchObject({ observed: 13 * 60 });
  });

  it('does not take data of other series, or data alone, as the passing of time', () => {
    const evaluator = createRuleEvaluator(rule);
    evaluator.observe(obs('a', 'pm25', T0, 12));
    expect(evaluator.observe(obs('b', 'pm25', T0 + HOUR, 12))).toEqual([]);
    expect(evaluator.tick(T0 + HOUR).map((t) => t.series)).toEqual(['a']);
  });

  it('counts the silence of a named series that never reported from the first tick', () => {
    const named: RuleDefinition = { kind: 'stale', select: { series: 'z' }, maxSilenceS: 600 };
    const evaluator = createRuleEvaluator(named);
    const transitions = run(evaluator, [tick(T0), tick(T0 + 9 * MIN), tick(T0 + 10 * MIN)]);
    expect(transitions).toMatchObject([
      { state: 'firing', atMs: T0 + 10 * MIN, series: 'z', detail: { neverSeen: 1 } },
    ]);
  });
});

describe('composite', () => {
  const pm25High: RuleDefinition = {
    kind: 'threshold',
    select: { variable: 'pm25' },
    when: 'above',
    level: 50,
  };
  const no2High: RuleDefinition = {
    kind: 'threshold',
    select: { variable: 'no2' },
    when: 'above',
    level: 100,
  };
  const steps = [
    observe(obs('p', 'pm25', T0 + 1 * MIN, 60)),
    observe(obs('n', 'no2', T0 + 2 * MIN, 80)),
    observe(obs('n', 'no2', T0 + 3 * MIN, 120)),
    observe(obs('p', 'pm25', T0 + 4 * MIN, 40)),
    observe(obs('n', 'no2', T0 + 5 * MIN, 90)),
  ];

  it('AND fires only while both sub-rules hold', () => {
    const rule: RuleDefinition = { kind: 'composite', op: 'and', rules: [pm25High, no2High] };
    const transitions = run(createRuleEvaluator(rule), steps);
    expect(when(transitions, MIN)).toEqual([
      ['firing', 3],
      ['cleared', 4],
    ]);
    expect(transitions[0]).toMatchObject({ series: null, observed: 2, threshold: 2, detail: { rules: 2 } });
  });

  it('OR fires while either holds', () => {
    const rule: RuleDefinition = { kind: 'composite', op: 'or', rules: [pm25High, no2High] };
    expect(when(run(createRuleEvaluator(rule), steps), MIN)).toEqual([
      ['firing', 1],
      ['cleared', 5],
    ]);
  });

  it('passes clock ticks down: a stale sensor in an OR fires on the tick', () => {
    const rule: RuleDefinition = {
      kind: 'composite',
      op: 'or',
      rules: [pm25High, { kind: 'stale', select: { series: 'p' }, maxSilenceS: 600 }],
    };
    const transitions = run(createRuleEvaluator(rule), [
      observe(obs('p', 'pm25', T0, 10)),
      tick(T0 + 9 * MIN),
      tick(T0 + 10 * MIN),
    ]);
    expect(when(transitions, MIN)).toEqual([['firing', 10]]);
  });
});

describe('area_quorum', () => {
  const rule: RuleDefinition = {
    kind: 'area_quorum',
    variable: 'pm10',
    area: 7,
    count: 2,
    condition: { when: 'above', level: 100 },
    maxAgeS: 2 * 3600,
  };
  const at = (series: string, minutes: number, value: number, areas = [7]) =>
    observe(obs(series, 'pm10', T0 + minutes * MIN, value, areas));

  it('fires when 2 of 3 stations are above the level at the same time, and clears when fewer are', () => {
    const transitions = run(createRuleEvaluator(rule), [
      at('a', 0, 120),
      at('c', 1, 50),
      at('d', 2, 300, [8]), // another area
      at('b', 5, 130),
      at('c', 10, 150),
      at('a', 15, 90),
      at('b', 20, 80),
    ]);
    expect(when(transitions, MIN)).toEqual([
      ['firing', 5],
      ['cleared', 20],
    ]);
    expect(transitions[0]).toMatchObject({ series: null, observed: 2, threshold: 2, detail: { series: 3 } });
    expect(transitions[1]).toMatchObject({ observed: 1 });
  });

  it('stops counting a station whose last point is older than maxAgeS', () => {
    const evaluator = createRuleEvaluator(rule);
    const transitions = run(evaluator, [
      at('c', 30, 150),
      at('a', 31, 140),
      tick(T0 + 30 * MIN + 2 * HOUR),
      tick(T0 + 30 * MIN + 2 * HOUR + 1),
    ]);
    expect(transitions.map((t) => [t.state, t.atMs - T0])).toEqual([
      ['firing', 31 * MIN],
      ['cleared', 30 * MIN + 2 * HOUR + 1],
    ]);
  });
});

describe('event_density', () => {
  const rule: RuleDefinition = {
    kind: 'event_density',
    eventKind: 'fire_detection',
    area: 3,
    count: 10,
    windowS: 86_400,
  };

  it('fires on the 10th fire detection inside 24 hours, and clears when the first leaves the window', () => {
    const steps: Step[] = [];
    for (let k = 0; k < 10; k++) {
      steps.push(event(T0 + k * 2 * HOUR));
      steps.push(event(T0 + k * 2 * HOUR + MIN, [4])); // outside the area
      steps.push(event(T0 + k * 2 * HOUR + MIN, [3], 'flood_report'));
    }
    steps.push(tick(T0 + 24 * HOUR - 1), tick(T0 + 24 * HOUR));
    const transitions = run(createRuleEvaluator(rule), steps);
    expect(when(transitions)).toEqual([
      ['firing', 18],
      ['cleared', 24],
    ]);
    expect(transitions[0]).toMatchObject({ observed: 10, threshold: 10, windowS: 86_400 });
    expect(transitions[0]!.detail).toEqual({ firstEventMs: T0, spanS: 18 * 3600 });
    expect(transitions[1]).toMatchObject({ observed: 9 });
  });

  it('does not fire when the same detections are spread wider than the window', () => {
    const steps = Array.from({ length: 20 }, (_, k) => event(T0 + k * 3 * HOUR));
    expect(run(createRuleEvaluator(rule), steps)).toEqual([]);
  });

  it('counts late detections, delivered out of order, at the latest time seen', () => {
    const order = [9, 0, 8, 1, 7, 2, 6, 3, 5, 4];
    const transitions = run(
      createRuleEvaluator(rule),
      order.map((k) => event(T0 + k * HOUR)),
    );
    expect(when(transitions)).toEqual([['firing', 9]]);
  });

  it('keeps to a bounding box across the antimeridian', () => {
    const boxed: RuleDefinition = {
      kind: 'event_density',
      eventKind: 'fire_detection',
      bbox: [170, -20, -170, -10],
      count: 2,
      windowS: 3600,
    };
    const at = (lon: number | undefined, lat: number | undefined, minutes: number) =>
      event(
        T0 + minutes * MIN,
        [],
        'fire_detection',
        lon === undefined || lat === undefined ? {} : { lon, lat },
      );
    const evaluator = createRuleEvaluator(boxed);
    expect(
      run(evaluator, [at(0, -15, 0), at(175, -25, 1), at(undefined, undefined, 2), at(175, -15, 3)]),
    ).toEqual([]);
    expect(when(run(evaluator, [at(-175, -12, 4)]), MIN)).toEqual([['firing', 4]]);
  });
});

describe('trend', () => {
  const rule: RuleDefinition = {
    kind: 'trend',
    select: { variable: 'soil_organic_carbon' },
    direction: 'decline',
    points: 20,
    cadenceS: 86_400,
    minPoints: 10,
  };
  const yearly = (years: readonly number[], value: (year: number) => number) =>
    years.map((y) => observe(obs('s', 'soil_organic_carbon', T0 + y * YEAR, value(y))));

  it('fires on a declining soil carbon series at the 10th yearly sample, with Sen slope −0.5 per year', () => {
    const transitions = run(
      createRuleEvaluator(rule),
      yearly(
        Array.from({ length: 15 }, (_, y) => y),
        (y) => 30 - 0.5 * y,
      ),
    );
    expect(when(transitions, YEAR).map(([state, y]) => [state, Math.round(y)])).toEqual([['firing', 9]]);
    expect(transitions[0]!.observed).toBeCloseTo(-0.5, 9);
    expect(transitions[0]!.detail).toMatchObject({ n: 10, s: -45, alpha: 0.05 });
    expect(transitions[0]!.detail.pValue).toBeCloseTo(8.303e-5, 7);
  });

  it('measures the slope on real times when samples are missing', () => {
    const years = [0, 1, 2, 4, 5, 7, 8, 9, 11, 12, 13];
    const transitions = run(
      createRuleEvaluator(rule),
      yearly(years, (y) => 30 - 0.5 * y),
    );
    expect(transitions).toHaveLength(1);
    expect(transitions[0]!.atMs).toBe(T0 + 12 * YEAR);
    expect(transitions[0]!.observed).toBeCloseTo(-0.5, 9);
  });

  it('stays quiet on a series without trend, and on a rise when it watches for a decline', () => {
    const years = Array.from({ length: 40 }, (_, y) => y);
    expect(
      run(
        createRuleEvaluator(rule),
        yearly(years, (y) => 30 + Math.sin(y * 2.4)),
      ),
    ).toEqual([]);
    expect(
      run(
        createRuleEvaluator(rule),
        yearly(years, (y) => 30 + 0.5 * y),
      ),
    ).toEqual([]);
  });

  it('wants |Sen slope| to reach minSlopePerYear as well as significance', () => {
    const slow = yearly(
      Array.from({ length: 12 }, (_, y) => y),
      (y) => 30 - 0.05 * y,
    );
    expect(run(createRuleEvaluator({ ...rule, minSlopePerYear: 0.1 }), slow)).toEqual([]);
    expect(run(createRuleEvaluator({ ...rule, minSlopePerYear: 0.01 }), slow)).toMatchObject([
      { state: 'firing', threshold: -0.01 },
    ]);
  });
});

describe('bounded memory', () => {
  it('keeps at most ⌈window / cadence⌉ + 1 slots of ten days of minute data', () => {
    const rule: ThresholdRule = {
      kind: 'threshold',
      select: { series: 'a' },
      aggregate: { fn: 'max', windowS: 86_400, cadenceS: 60 },
      when: 'above',
      level: 1000,
    };
    const evaluator = createRuleEvaluator(rule);
    const bound = windowSlotBound(86_400, 60);
    let largest = 0;
    for (let m = 0; m < 10 * 1440; m++) {
      // Two points a minute: they share a slot.
      evaluator.observe(obs('a', 'pm25', T0 + m * MIN, m % 17));
      evaluator.observe(obs('a', 'pm25', T0 + m * MIN + 30_000, m % 13));
      if (m % 60 === 0) {
        const state = evaluator.snapshot().state;
        if (state.kind !== 'threshold') throw new Error('kind');
        largest = Math.max(largest, state.series[0]!.window!.t.length);
      }
    }
    expect(largest).toBe(1440);
    expect(largest).toBeLessThanOrEqual(bound);
  });

  it('keeps the latest `count` event times only, and the last `points` slots of a trend', () => {
    const density = createRuleEvaluator({ kind: 'event_density', eventKind: 'f', count: 5, windowS: 60 });
    for (let k = 0; k < 1000; k++) density.observeEvent({ kind: 'f', timeMs: T0 + k * 1000, areas: [] });
    const state = density.snapshot().state;
    expect(state.kind === 'event_density' && state.times).toEqual(
      [995, 996, 997, 998, 999].map((k) => T0 + k * 1000),
    );

    const trend = createRuleEvaluator({
      kind: 'trend',
      select: { series: 's' },
      direction: 'rise',
      points: 30,
    });
    for (let k = 0; k < 500; k++) trend.observe(obs('s', 'x', T0 + k * HOUR, k % 7));
    const trendState = trend.snapshot().state;
    expect(trendState.kind === 'trend' && trendState.series[0]!.window.t.length).toBe(30);
  });
});

describe('snapshot', () => {
  const RULES: readonly RuleDefinition[] = [
    {
      kind: 'threshold',
      select: { variable: 'pm25', area: 1 },
      aggregate: { fn: 'mean', windowS: 7200, cadenceS: 600, minCoverage: 0.5 },
      when: 'above',
      level: 30,
      forS: 1200,
      clearAt: 25,
    },
    {
      kind: 'rate_of_change',
      select: { variable: 'pm25' },
      windowS: 1800,
      maxChange: 15,
      direction: 'either',
      cadenceS: 300,
    },
    { kind: 'stale', select: { variable: 'pm25' }, maxSilenceS: 1800 },
    { kind: 'stale', select: { series: 's9' }, maxSilenceS: 1800 },
    {
      kind: 'area_quorum',
      variable: 'pm25',
      area: 1,
      count: 2,
      condition: {
        aggregate: { fn: 'mean', windowS: 1800, cadenceS: 300 },
        when: 'above',
        level: 30,
        clearAt: 25,
      },
      maxAgeS: 3600,
    },
    { kind: 'event_density', eventKind: 'fire_detection', area: 1, count: 3, windowS: 3600 },
    { kind: 'trend', select: { variable: 'pm25' }, direction: 'rise', points: 12, minPoints: 6 },
    {
      kind: 'composite',
      op: 'or',
      rules: [
        {
          kind: 'composite',
          op: 'and',
          rules: [
            { kind: 'threshold', select: { variable: 'pm25' }, when: 'above', level: 30 },
            { kind: 'event_density', eventKind: 'fire_detection', count: 2, windowS: 3600 },
          ],
        },
        { kind: 'stale', select: { series: 's1' }, maxSilenceS: 900 },
      ],
    },
  ];

  const stepArb = fc.record({
    dtS: fc.integer({ min: 0, max: 180 }),
    type: fc.constantFrom('observe', 'observe', 'observe', 'event', 'event', 'tick'),
    series: fc.constantFrom(0, 0, 0, 1, 2),
    step: fc.integer({ min: -4, max: 4 }),
    inArea: fc.constantFrom(true, true, true, false),
    lateS: fc.integer({ min: 0, max: 1800 }),
  });

  /** Each series a random walk around 30 with a drift, so that levels are crossed, held and trends appear. */
  function toSteps(raw: readonly StepSeed[], drift: number): Step[] {
    let now = T0;
    const level = [30, 30, 30];
    return raw.map((r) => {
      now += r.dtS * 1000;
      const areas = r.inArea ? [1] : [2];
      if (r.type === 'tick') return tick(now);
      if (r.type === 'event') return event(now - r.lateS * 1000, areas);
      const value = Math.min(60, Math.max(0, level[r.series]! + r.step + drift));
      level[r.series] = value;
      return observe(obs(`s${r.series}`, 'pm25', now, value, areas));
    });
  }

  it('resumes from a JSON snapshot taken anywhere with identical transitions', () => {
    fc.assert(
      fc.property(
        fc.array(stepArb, { minLength: 1, maxLength: 300, size: 'max' }),
        fc.constantFrom(-2, 0, 2),
        fc.nat(),
        (raw, drift, cut) => {
          const steps = toSteps(raw, drift);
          const split = cut % (steps.length + 1);
          for (const rule of RULES) {
            const straight = createRuleEvaluator(rule);
            const expected = run(straight, steps);

            const first = createRuleEvaluator(rule);
            const before = run(first, steps.slice(0, split));
            const stored = JSON.stringify(first.snapshot());
            const resumed = createRuleEvaluator(rule, JSON.parse(stored) as RuleSnapshot);
            const after = run(resumed, steps.slice(split));

            expect([...before, ...after]).toEqual(expected);
            expect(resumed.snapshot()).toEqual(straight.snapshot());
            expect(resumed.isActive()).toBe(straight.isActive());
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('is plain JSON', () => {
    const evaluator = createRuleEvaluator(RULES[0]!);
    evaluator.observe(obs('s0', 'pm25', T0, 40));
    const snapshot = evaluator.snapshot();
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });

  it('refuses a snapshot of another rule, another definition or a damaged one', () => {
    const threshold = RULES[0]!;
    const evaluator = createRuleEvaluator(threshold);
    evaluator.observe(obs('s0', 'pm25', T0, 40));
    const snapshot = evaluator.snapshot();
    expect(() => createRuleEvaluator(RULES[2]!, snapshot)).toThrow(/stale rule from a threshold snapshot/);
    if (threshold.kind !== 'threshold') throw new Error('fixture');
    expect(() => createRuleEvaluator({ ...threshold, level: 31 }, snapshot)).toThrow(/another definition/);
    const damaged = JSON.parse(JSON.stringify(snapshot)) as {
      state: { series: { window: { n: number[] } }[] };
    };
    damaged.state.series[0]!.window.n.push(1);
    expect(() => createRuleEvaluator(threshold, damaged as unknown as RuleSnapshot)).toThrow(RangeError);
    expect(() =>
      createRuleEvaluator(threshold, { ...snapshot, state: { kind: 'threshold' } } as RuleSnapshot),
    ).toThrow(/does not fit/);
  });

  it('refuses a rule with problems', () => {
    expect(() =>
      createRuleEvaluator({
        kind: 'threshold',
        select: { series: 'a' },
        when: 'above',
        level: 5,
        clearAt: 9,
      }),
    ).toThrow(/clearAt/);
  });
});

interface StepSeed {
  readonly dtS: number;
  readonly type: string;
  readonly series: number;
  readonly step: number;
  readonly inArea: boolean;
  readonly lateS: number;
}

import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import {
  areaIdsOf,
  MAX_WINDOW_SLOTS,
  RuleDefinition,
  ruleProblems,
  scopeRuleToArea,
  type ThresholdRule,
  validateRuleDefinition,
  windowSlotBound,
} from './rule-definition.ts';

const pm25Daily: ThresholdRule = {
  kind: 'threshold',
  select: { variable: 'pm25', area: 4 },
  aggregate: { fn: 'mean', windowS: 86_400, cadenceS: 3600, minCoverage: 0.75 },
  when: 'above',
  level: 15,
  forS: 3600,
  clearAt: 13.5,
};

const EXAMPLES: readonly RuleDefinition[] = [
  pm25Daily,
  {
    kind: 'rate_of_change',
    select: { series: 'river-gauge-7' },
    windowS: 3600,
    maxChange: 0.5,
    direction: 'rising',
  },
  { kind: 'stale', select: { variable: 'water_level' }, maxSilenceS: 3 * 3600 },
  {
    kind: 'area_quorum',
    variable: 'pm10',
    area: 9,
    count: 2,
    condition: { when: 'above', level: 100 },
    maxAgeS: 7200,
  },
  {
    kind: 'event_density',
    eventKind: 'fire_detection',
    bbox: [170, -20, -170, -10],
    count: 10,
    windowS: 86_400,
  },
  { kind: 'trend', select: { variable: 'soil_organic_carbon' }, direction: 'decline', points: 20 },
  {
    kind: 'composite',
    op: 'and',
    rules: [pm25Daily, { kind: 'composite', op: 'or', rules: [pm25Daily, { ...pm25Daily, level: 40 }] }],
  },
];

describe('RuleDefinition', () => {
  it.each(EXAMPLES.map((rule) => [rule.kind, rule] as const))('accepts a %s rule', (_kind, rule) => {
    expect(Value.Check(RuleDefinition, rule)).toBe(true);
    expect(validateRuleDefinition(rule)).toEqual({ rule });
  });

  it('names an unknown kind at /kind', () => {
    expect(validateRuleDefinition({ kind: 'magic' })).toEqual({
      problems: [{ pointer: '/kind', reason: expect.stringContaining('threshold') }],
    });
    expect(validateRuleDefinition([])).toEqual({ problems: [{ pointer: '', reason: 'must be an object' }] });
  });

  it('folds the branches of the series selector into one problem at /select', () => {
    const result = validateRuleDefinition({ ...pm25Daily, select: { variable: 'PM 2.5' } });
    expect(result).toEqual({
      problems: [{ pointer: '/select', reason: 'must be { series } or { variable, area? }' }],
    });
  });

  it('names the place of a problem deep inside a composite', () => {
    const bad = {
      kind: 'composite',
      op: 'or',
      rules: [
        pm25Daily,
        { kind: 'composite', op: 'and', rules: [pm25Daily, { ...pm25Daily, level: 'high' }] },
      ],
    };
    expect(validateRuleDefinition(bad)).toEqual({
      problems: [{ pointer: '/rules/1/rules/1/level', reason: expect.any(String) }],
    });
  });

  it('lets composites nest three deep but not four', () => {
    const nest = (rule: unknown) => ({ kind: 'composite', op: 'or', rules: [pm25Daily, rule] });
    expect('rule' in validateRuleDefinition(nest(nest(nest(pm25Daily))))).toBe(true);
    expect(validateRuleDefinition(nest(nest(nest(nest(pm25Daily)))))).toEqual({
      problems: [{ pointer: '/rules/1/rules/1/rules/1', reason: 'composites nest at most 3 deep' }],
    });
    expect(Value.Check(RuleDefinition, nest(nest(nest(nest(pm25Daily)))))).toBe(false);
  });

  it('rejects unknown fields, non-integer seconds and a composite of one', () => {
    const result = validateRuleDefinition({ ...pm25Daily, forS: 1.5, colour: 'red' });
    expect('problems' in result && result.problems.map((p) => p.pointer).sort()).toEqual(['', '/forS']);
    expect(validateRuleDefinition({ kind: 'composite', op: 'and', rules: [pm25Daily] })).toEqual({
      problems: [{ pointer: '/rules', reason: expect.any(String) }],
    });
  });
});

describe('ruleProblems', () => {
  it('finds nothing wrong with the examples', () => {
    for (const rule of EXAMPLES) expect(ruleProblems(rule)).toEqual([]);
  });

  it('wants the clear level on the quiet side of the trigger level', () => {
    expect(ruleProblems({ ...pm25Daily, clearAt: 16 })).toEqual([
      { pointer: '/clearAt', reason: expect.any(String) },
    ]);
    expect(
      ruleProblems({ kind: 'threshold', select: { series: 'do-1' }, when: 'below', level: 5, clearAt: 4 }),
    ).toEqual([{ pointer: '/clearAt', reason: expect.any(String) }]);
  });

  it('wants a window at least one slot long and at most MAX_WINDOW_SLOTS slots', () => {
    expect(ruleProblems({ ...pm25Daily, aggregate: { fn: 'max', windowS: 600, cadenceS: 3600 } })).toEqual([
      { pointer: '/aggregate/windowS', reason: 'must be at least cadenceS (3600 s)' },
    ]);
    const year = { fn: 'mean' as const, windowS: 365 * 86_400 };
    expect(ruleProblems({ ...pm25Daily, aggregate: year })).toEqual([
      { pointer: '/aggregate/cadenceS', reason: expect.stringContaining(`more than ${MAX_WINDOW_SLOTS}`) },
    ]);
    expect(windowSlotBound(86_400, 3600)).toBe(25);
  });

  it('checks the condition of an area quorum at /condition', () => {
    const quorum = EXAMPLES[3]!;
    if (quorum.kind !== 'area_quorum') throw new Error('fixture');
    expect(ruleProblems({ ...quorum, condition: { when: 'above', level: 100, clearAt: 120 } })).toEqual([
      { pointer: '/condition/clearAt', reason: expect.any(String) },
    ]);
  });

  it('wants one place for event density, and a trend window', () => {
    expect(
      ruleProblems({
        kind: 'event_density',
        eventKind: 'fire_detection',
        area: 3,
        bbox: [0, 0, 1, 1],
        count: 2,
        windowS: 60,
      }),
    ).toEqual([{ pointer: '/bbox', reason: 'give area or bbox, not both' }]);
    expect(ruleProblems({ kind: 'trend', select: { series: 's' }, direction: 'rise' })).toEqual([
      { pointer: '', reason: 'give windowS, points or both' },
    ]);
    expect(ruleProblems({ kind: 'trend', select: { series: 's' }, direction: 'rise', points: 8 })).toEqual([
      { pointer: '/minPoints', reason: 'must not exceed the 8 slots the window can hold' },
    ]);
  });

  it('names problems of sub-rules by their place in the composite', () => {
    expect(
      ruleProblems({ kind: 'composite', op: 'and', rules: [pm25Daily, { ...pm25Daily, clearAt: 99 }] }),
    ).toEqual([{ pointer: '/rules/1/clearAt', reason: expect.any(String) }]);
  });
});

describe('scopeRuleToArea', () => {
  it('sets the area of variable selectors, quorums and event densities, and leaves named series alone', () => {
    const composite: RuleDefinition = {
      kind: 'composite',
      op: 'or',
      rules: [
        { ...pm25Daily, select: { variable: 'pm25' } },
        { kind: 'stale', select: { series: 'x-1' }, maxSilenceS: 60 },
        EXAMPLES[4]!,
      ],
    };
    const scoped = scopeRuleToArea(composite, 12);
    expect(scoped).toEqual({
      ...composite,
      rules: [
        { ...pm25Daily, select: { variable: 'pm25', area: 12 } },
        { kind: 'stale', select: { series: 'x-1' }, maxSilenceS: 60 },
        { kind: 'event_density', eventKind: 'fire_detection', area: 12, count: 10, windowS: 86_400 },
      ],
    });
    expect(ruleProblems(scoped)).toEqual([]);
  });
});

describe('areaIdsOf', () => {
  it("names every area a rule reads, its children's included, once each; a rule of named series reads none", () => {
    const composite: RuleDefinition = {
      kind: 'composite',
      op: 'or',
      rules: [
        pm25Daily,
        { ...pm25Daily, select: { variable: 'no2', area: 4 } },
        scopeRuleToArea(EXAMPLES[4]!, 7),
        EXAMPLES[3]!,
      ],
    };
    expect(areaIdsOf(composite).sort()).toEqual([4, 7, 9]);
    expect(areaIdsOf({ kind: 'stale', select: { series: 'x-1' }, maxSilenceS: 60 })).toEqual([]);
    expect(areaIdsOf({ kind: 'stale', select: { variable: 'water_level' }, maxSilenceS: 60 })).toEqual([]);
  });
});

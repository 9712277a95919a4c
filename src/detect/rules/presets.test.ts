import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { findVariable } from '../../registry/variables.ts';
import { findRulePreset, RULE_PRESETS } from './presets.ts';
import { RuleDefinition, ruleProblems, scopeRuleToArea, validateRuleDefinition } from './rule-definition.ts';
import { createRuleEvaluator } from './rule-engine.ts';

/** Every variable code a rule reads. */
function variablesOf(rule: RuleDefinition): string[] {
  switch (rule.kind) {
    case 'threshold':
    case 'rate_of_change':
    case 'stale':
    case 'trend':
      return 'variable' in rule.select ? [rule.select.variable] : [];
    case 'area_quorum':
      return [rule.variable];
    case 'event_density':
      return [];
    case 'composite':
      return rule.rules.flatMap((child) => variablesOf(child as RuleDefinition));
  }
}

describe('RULE_PRESETS', () => {
  it.each(RULE_PRESETS.map((p) => [p.code, p] as const))(
    '%s validates, has no problems and runs',
    (_code, preset) => {
      expect(Value.Check(RuleDefinition, preset.rule)).toBe(true);
      expect(ruleProblems(preset.rule)).toEqual([]);
      expect(validateRuleDefinition(preset.rule)).toEqual({ rule: preset.rule });
      const scoped = scopeRuleToArea(preset.rule, 42);
      expect(ruleProblems(scoped)).toEqual([]);
      expect(() => createRuleEvaluator(scoped)).not.toThrow();
      for (const code of variablesOf(preset.rule)) {
        expect(findVariable(code)?.domain, `variable ${code}`).toBe(preset.domain);
      }
      expect(preset.source.length).toBeGreaterThan(10);
    },
  );

  it('has unique lower snake_case codes, found by findRulePreset', () => {
    const codes = RULE_PRESETS.map((p) => p.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) {
      expect(code).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(findRulePreset(code)?.code).toBe(code);
    }
    expect(findRulePreset('nope')).toBeUndefined();
  });

  it('carries the WHO 2021 guideline levels', () => {
    const level = (code: string) => {
      const rule = findRulePreset(code)?.rule;
      return rule?.kind === 'threshold' ? [rule.level, rule.aggregate?.windowS] : undefined;
    };
    expect(level('who2021_pm25_24h_aqg')).toEqual([15, 86_400]);
    expect(level('who2021_pm25_annual_aqg')).toEqual([5, 365 * 86_400]);
    expect(level('who2021_pm10_24h_aqg')).toEqual([45, 86_400]);
    expect(level('who2021_no2_24h_aqg')).toEqual([25, 86_400]);
    expect(level('who2021_o3_8h_aqg')).toEqual([100, 8 * 3600]);
    expect(level('who2021_so2_24h_aqg')).toEqual([40, 86_400]);
  });

  it('fires the PM2.5 24-hour guideline preset on a smoky day of hourly data', () => {
    const preset = findRulePreset('who2021_pm25_24h_aqg')!;
    const evaluator = createRuleEvaluator(preset.rule);
    const t0 = Date.UTC(2024, 10, 1);
    const fired: number[] = [];
    for (let h = 0; h < 48; h++) {
      const value = h < 24 ? 8 : 60;
      for (const t of evaluator.observe({
        series: 'dhaka-1',
        variable: 'pm25',
        areas: [],
        timeMs: t0 + h * 3_600_000,
        value,
      })) {
        fired.push(h);
        expect(t.state).toBe('firing');
      }
    }
    // 75 % coverage needs 18 hourly values; from hour 24 the mean is (8(47 − h) + 60(h − 23))/24, above 15 from hour 27.
    expect(fired).toEqual([27]);
  });
});

import fc from 'fast-check';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { CAP_CERTAINTIES, CAP_SEVERITIES, CAP_URGENCIES } from './cap/cap-alert.ts';
import type { ImpactLevel } from './exposure.ts';
import { findHazard, HAZARDS, type Hazard } from './hazards.ts';
import {
  assessLevels,
  certaintyRank,
  DETECTOR_MIN_SCORE,
  type EvidenceReading,
  levelScore,
  resolvePolicy,
  sameLevels,
  severityRank,
  urgencyRank,
  WarningPolicy,
  type WarningSeverity,
} from './warning-policy.ts';

const HOUR_S = 3600;

const hazard = (code: string): Hazard => {
  const h = findHazard(code);
  if (h === undefined) throw new Error(`no hazard ${code}`);
  return h;
};

const reading = (
  basis: EvidenceReading['basis'],
  score: number,
  leadTimeS: number | null,
  severity: WarningSeverity = 'Moderate',
): EvidenceReading => ({ basis, score, leadTimeS, severity });

const SUDDEN = { senses: 1, impact: 'minor', onset: 'sudden' } as const;

describe('assessLevels: certainty and urgency of one reading', () => {
  // [basis, score, lead time, onset] → [certainty, urgency]
  const table: [EvidenceReading['basis'], number, number | null, 'sudden' | 'slow', string, string][] = [
    ['observed', 0.5, null, 'sudden', 'Observed', 'Immediate'],
    ['observed', 1, null, 'slow', 'Observed', 'Expected'],
    // An observation is now, whatever lead time it carries.
    ['observed', 1, 3 * 86_400, 'sudden', 'Observed', 'Immediate'],
    ['statistical', 0.9, null, 'sudden', 'Likely', 'Immediate'],
    ['statistical', 0.8999, null, 'sudden', 'Possible', 'Immediate'],
    ['statistical', 0.95, null, 'slow', 'Likely', 'Expected'],
    ['forecast', 0.8, 0, 'sudden', 'Likely', 'Immediate'],
    ['forecast', 0.7999, HOUR_S, 'sudden', 'Possible', 'Immediate'],
    ['forecast', 0.9, HOUR_S + 1, 'sudden', 'Likely', 'Expected'],
    ['forecast', 0.9, 24 * HOUR_S, 'slow', 'Likely', 'Expected'],
    ['forecast', 0.6, 24 * HOUR_S + 1, 'sudden', 'Possible', 'Future'],
    ['forecast', 0.99, 10 * 86_400, 'slow', 'Likely', 'Future'],
    // A forecast without a lead time is read as happening now.
    ['forecast', 0.9, null, 'sudden', 'Likely', 'Immediate'],
    ['forecast', 0.9, null, 'slow', 'Likely', 'Expected'],
  ];
  it.each(table)(
    '%s score %d lead %s (%s onset) → %s, %s',
    (basis, score, lead, onset, certainty, urgency) => {
      expect(assessLevels([reading(basis, score, lead)], { senses: 1, impact: 'minor', onset })).toEqual({
        severity: 'Moderate',
        certainty,
        urgency,
      });
    },
  );

  it('takes the surest certainty and the most urgent urgency over several readings', () => {
    const levels = assessLevels(
      [reading('forecast', 0.5, 3 * 86_400, 'Severe'), reading('statistical', 0.95, null, 'Minor')],
      SUDDEN,
    );
    expect(levels).toEqual({ severity: 'Severe', certainty: 'Likely', urgency: 'Immediate' });
  });

  it('raises certainty one step with a second sense, never past Observed', () => {
    const context = { senses: 2, impact: 'minor', onset: 'sudden' } as const;
    expect(assessLevels([reading('statistical', 0.5, null)], context).certainty).toBe('Likely');
    expect(assessLevels([reading('forecast', 0.9, 7200)], context).certainty).toBe('Observed');
    expect(assessLevels([reading('observed', 1, null)], { ...context, senses: 3 }).certainty).toBe(
      'Observed',
    );
    expect(assessLevels([reading('statistical', 0.5, null)], SUDDEN).certainty).toBe('Possible');
  });

  it('says Unknown for everything without readings', () => {
    expect(assessLevels([], { senses: 2, impact: 'severe', onset: 'sudden' })).toEqual({
      severity: 'Unknown',
      urgency: 'Unknown',
      certainty: 'Unknown',
    });
  });
});

describe('assessLevels: severity and impact', () => {
  // rule severity × impact → severity
  const table: [WarningSeverity, ImpactLevel, string][] = [
    ['Minor', 'minor', 'Minor'],
    ['Moderate', 'significant', 'Moderate'],
    ['Minor', 'severe', 'Moderate'],
    ['Moderate', 'severe', 'Severe'],
    // Impact never makes Extreme: that stays a rule's call.
    ['Severe', 'severe', 'Severe'],
    ['Extreme', 'severe', 'Extreme'],
    ['Extreme', 'minimal', 'Severe'],
    ['Severe', 'minimal', 'Moderate'],
    ['Moderate', 'minimal', 'Minor'],
    // Never below Minor.
    ['Minor', 'minimal', 'Minor'],
  ];
  it.each(table)('%s with %s impact → %s', (severity, impact, expected) => {
    expect(
      assessLevels([reading('observed', 1, null, severity)], { senses: 1, impact, onset: 'sudden' }).severity,
    ).toBe(expected);
  });

  it('keeps severity between Minor and the rules’ highest, reaching Extreme only when a rule says so (property)', () => {
    const anyReading = fc.record({
      basis: fc.constantFrom('observed' as const, 'statistical' as const, 'forecast' as const),
      score: fc.double({ min: 0, max: 1, noNaN: true }),
      leadTimeS: fc.option(fc.integer({ min: -3600, max: 30 * 86_400 })),
      severity: fc.constantFrom<WarningSeverity>('Minor', 'Moderate', 'Severe', 'Extreme'),
    });
    fc.assert(
      fc.property(
        fc.array(anyReading, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 4 }),
        fc.constantFrom<ImpactLevel>('minimal', 'minor', 'significant', 'severe'),
        fc.constantFrom('sudden' as const, 'slow' as const),
        (readings, senses, impact, onset) => {
          const levels = assessLevels(readings, { senses, impact, onset });
          const highest = Math.max(...readings.map((r) => severityRank(r.severity)));
          const got = severityRank(levels.severity);
          expect(got).toBeGreaterThanOrEqual(severityRank('Minor'));
          expect(got).toBeGreaterThanOrEqual(highest - 1);
          expect(got).toBeLessThanOrEqual(highest + 1);
          if (levels.severity === 'Extreme')
            expect(readings.some((r) => r.severity === 'Extreme')).toBe(true);
          if (impact === 'minor' || impact === 'significant') expect(got).toBe(highest);
          // A second sense never lowers certainty, and certainty is never Unknown with readings.
          const alone = assessLevels(readings, { senses: 1, impact, onset });
          expect(certaintyRank(levels.certainty)).toBeGreaterThanOrEqual(certaintyRank(alone.certainty));
          expect(levels.certainty).not.toBe('Unknown');
          expect(levels.urgency).not.toBe('Unknown');
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('levelScore and sameLevels', () => {
  const triples = CAP_SEVERITIES.flatMap((severity) =>
    CAP_CERTAINTIES.flatMap((certainty) =>
      CAP_URGENCIES.map((urgency) => ({ severity, certainty, urgency })),
    ),
  );

  it('ranks any higher severity above any certainty and urgency, then certainty above urgency', () => {
    // 125 × 125 pairs: collected, then asserted once, so a failure lists every pair that breaks the order.
    const wrong: string[] = [];
    for (const a of triples) {
      for (const b of triples) {
        const [sa, sb] = [severityRank(a.severity), severityRank(b.severity)];
        const [ca, cb] = [certaintyRank(a.certainty), certaintyRank(b.certainty)];
        const [ua, ub] = [urgencyRank(a.urgency), urgencyRank(b.urgency)];
        const higher = sa > sb || (sa === sb && (ca > cb || (ca === cb && ua > ub)));
        if (higher && !(levelScore(a) > levelScore(b)))
          wrong.push(`${JSON.stringify(a)} ≤ ${JSON.stringify(b)}`);
        if ((levelScore(a) === levelScore(b)) !== sameLevels(a, b))
          wrong.push(`${JSON.stringify(a)} ~ ${JSON.stringify(b)}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('resolvePolicy', () => {
  it('fills the defaults for a sudden-onset hazard', () => {
    const air = hazard('air_pollution');
    expect(resolvePolicy(air, undefined)).toEqual({
      hazard: air,
      enabled: true,
      autoPublish: [],
      minScore: 0.5,
      clearAfterS: HOUR_S,
      expiresAfterS: 24 * HOUR_S,
      radiusKm: 10,
    });
  });

  it('waits 7 days to clear a slow-onset hazard, and takes each hazard’s own expiry', () => {
    for (const h of HAZARDS) {
      const p = resolvePolicy(h, {});
      expect(p.clearAfterS).toBe(h.onset === 'slow' ? 7 * 24 * HOUR_S : HOUR_S);
      expect(p.expiresAfterS).toBe(h.defaultExpiresS);
    }
    expect(resolvePolicy(hazard('soil_carbon_loss'), undefined).expiresAfterS).toBe(90 * 24 * HOUR_S);
  });

  it('asks a statistical detector for a surer score unless the policy sets one', () => {
    const air = hazard('air_pollution');
    expect(resolvePolicy(air, undefined, true).minScore).toBe(DETECTOR_MIN_SCORE);
    expect(DETECTOR_MIN_SCORE).toBe(0.9);
    expect(resolvePolicy(air, { minScore: 0.7 }, true).minScore).toBe(0.7);
  });

  it('keeps every value the policy sets', () => {
    const policy: WarningPolicy = {
      enabled: false,
      autoPublish: ['Minor', 'Moderate'],
      minScore: 0,
      clearAfterS: 600,
      expiresAfterS: 7200,
      radiusKm: 2.5,
    };
    expect(Value.Check(WarningPolicy, policy)).toBe(true);
    const h = hazard('wildfire');
    expect(resolvePolicy(h, policy)).toEqual({ hazard: h, ...policy });
  });

  it('refuses policies outside the schema’s bounds', () => {
    expect(Value.Check(WarningPolicy, { clearAfterS: 59 })).toBe(false);
    expect(Value.Check(WarningPolicy, { expiresAfterS: 599 })).toBe(false);
    expect(Value.Check(WarningPolicy, { radiusKm: 0 })).toBe(false);
    expect(Value.Check(WarningPolicy, { minScore: 1.01 })).toBe(false);
    expect(Value.Check(WarningPolicy, { hazard: 'earthquake' })).toBe(false);
    expect(Value.Check(WarningPolicy, { autoPublish: ['Minor', 'Minor'] })).toBe(false);
    expect(Value.Check(WarningPolicy, { autoPublish: ['Unknown'] })).toBe(false);
    expect(Value.Check(WarningPolicy, { extra: true })).toBe(false);
    expect(Value.Check(WarningPolicy, { hazard: 'soil_erosion', radiusKm: 500 })).toBe(true);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type EpisodeOutcome,
  summariseVerification,
  type VerifiedEpisode,
  verifyEpisode,
} from './verification.ts';

const T0 = Date.UTC(2026, 0, 14, 6, 0);

describe('verifyEpisode', () => {
  it('counts a warning published before the hazard was observed as a hit with that lead time', () => {
    expect(verifyEpisode({ firstPublishedMs: T0, firstObservedMs: T0 + 2 * 3_600_000 })).toEqual({
      outcome: 'hit',
      leadTimeS: 7200,
    });
  });

  it('gives a late warning a lead time of 0, not a negative one', () => {
    expect(verifyEpisode({ firstPublishedMs: T0 + 600_000, firstObservedMs: T0 })).toEqual({
      outcome: 'hit',
      leadTimeS: 0,
    });
    expect(verifyEpisode({ firstPublishedMs: T0, firstObservedMs: T0 })).toEqual({
      outcome: 'hit',
      leadTimeS: 0,
    });
  });

  it('rounds the lead time to whole seconds', () => {
    expect(verifyEpisode({ firstPublishedMs: T0, firstObservedMs: T0 + 1499 })).toEqual({
      outcome: 'hit',
      leadTimeS: 1,
    });
    expect(verifyEpisode({ firstPublishedMs: T0, firstObservedMs: T0 + 1500 })).toEqual({
      outcome: 'hit',
      leadTimeS: 2,
    });
  });

  it('counts an observed hazard never warned on as a miss', () => {
    expect(verifyEpisode({ firstPublishedMs: null, firstObservedMs: T0 })).toEqual({
      outcome: 'miss',
      leadTimeS: null,
    });
  });

  it('counts a warning whose hazard was never observed as a false alarm', () => {
    expect(verifyEpisode({ firstPublishedMs: T0, firstObservedMs: null })).toEqual({
      outcome: 'false_alarm',
      leadTimeS: null,
    });
  });

  it('counts nothing when nothing was observed or published', () => {
    expect(verifyEpisode({ firstPublishedMs: null, firstObservedMs: null })).toBeNull();
  });

  it('counts the epoch itself (time 0) as a time, not as "never"', () => {
    expect(verifyEpisode({ firstPublishedMs: 0, firstObservedMs: 0 })).toEqual({
      outcome: 'hit',
      leadTimeS: 0,
    });
  });
});

const episode = (
  outcome: EpisodeOutcome,
  leadTimeS: number | null = null,
  more: Partial<VerifiedEpisode> = {},
) => ({
  ruleId: 1,
  hazard: 'air_pollution',
  outcome,
  leadTimeS,
  ...more,
});

describe('summariseVerification', () => {
  it('computes POD, FAR, CSI and the mean and median lead time of the hits', () => {
    const [summary, ...rest] = summariseVerification([
      episode('hit', 600),
      episode('hit', 0),
      episode('hit', 3000),
      episode('miss'),
      episode('false_alarm'),
      episode('false_alarm'),
    ]);
    expect(rest).toEqual([]);
    expect(summary).toEqual({
      ruleId: 1,
      hazard: 'air_pollution',
      hits: 3,
      misses: 1,
      falseAlarms: 2,
      probabilityOfDetection: 3 / 4,
      falseAlarmRatio: 2 / 5,
      criticalSuccessIndex: 3 / 6,
      meanLeadTimeS: 1200,
      medianLeadTimeS: 600,
    });
  });

  it('takes the median of an even count as the mean of the middle two, whatever the order', () => {
    const [summary] = summariseVerification([
      episode('hit', 900),
      episode('hit', 100),
      episode('hit', 10_000),
      episode('hit', 300),
    ]);
    expect(summary?.medianLeadTimeS).toBe(600);
    expect(summary?.meanLeadTimeS).toBe(2825);
  });

  it('leaves ratios null when their denominator is zero', () => {
    const [missesOnly] = summariseVerification([episode('miss'), episode('miss')]);
    expect(missesOnly).toMatchObject({
      probabilityOfDetection: 0,
      falseAlarmRatio: null,
      criticalSuccessIndex: 0,
      meanLeadTimeS: null,
      medianLeadTimeS: null,
    });
    const [falseAlarmsOnly] = summariseVerification([episode('false_alarm')]);
    expect(falseAlarmsOnly).toMatchObject({
      probabilityOfDetection: null,
      falseAlarmRatio: 1,
      criticalSuccessIndex: 0,
    });
  });

  it('summarises each rule and hazard on its own, detectors (no rule) apart from rules', () => {
    const summaries = summariseVerification([
      episode('hit', 60),
      episode('miss', null, { hazard: 'wildfire' }),
      episode('hit', 120, { ruleId: 2 }),
      episode('false_alarm', null, { ruleId: null }),
      episode('miss'),
      episode('hit', 30, { ruleId: null }),
    ]);
    expect(
      summaries.map((s) => [s.ruleId, s.hazard, s.hits, s.misses, s.falseAlarms, s.meanLeadTimeS]),
    ).toEqual([
      [1, 'air_pollution', 1, 1, 0, 60],
      [1, 'wildfire', 0, 1, 0, null],
      [2, 'air_pollution', 1, 0, 0, 120],
      [null, 'air_pollution', 1, 0, 1, 30],
    ]);
  });

  it('summarises nothing from no episodes', () => {
    expect(summariseVerification([])).toEqual([]);
  });

  it('keeps the counts and the contingency identities for any episodes (property)', () => {
    const anyEpisode = fc.record({
      ruleId: fc.constantFrom(null, 1, 2),
      hazard: fc.constantFrom('air_pollution', 'wildfire'),
      outcome: fc.constantFrom<EpisodeOutcome>('hit', 'miss', 'false_alarm'),
      leadTimeS: fc.integer({ min: 0, max: 86_400 }),
    });
    fc.assert(
      fc.property(fc.array(anyEpisode, { maxLength: 60 }), (raw) => {
        const episodes = raw.map((e) => ({ ...e, leadTimeS: e.outcome === 'hit' ? e.leadTimeS : null }));
        const summaries = summariseVerification(episodes);
        expect(summaries.reduce((n, s) => n + s.hits + s.misses + s.falseAlarms, 0)).toBe(episodes.length);
        expect(new Set(summaries.map((s) => `${s.ruleId}|${s.hazard}`)).size).toBe(summaries.length);
        for (const s of summaries) {
          const leads = episodes
            .filter((e) => e.ruleId === s.ruleId && e.hazard === s.hazard && e.outcome === 'hit')
            .map((e) => e.leadTimeS ?? Number.NaN);
          expect(s.hits).toBe(leads.length);
          if (s.hits + s.misses > 0) expect(s.probabilityOfDetection).toBe(s.hits / (s.hits + s.misses));
          if (s.hits + s.falseAlarms > 0)
            expect(s.falseAlarmRatio).toBe(s.falseAlarms / (s.hits + s.falseAlarms));
          expect(s.criticalSuccessIndex).toBe(s.hits / (s.hits + s.misses + s.falseAlarms));
          if (leads.length === 0) {
            expect(s.meanLeadTimeS).toBeNull();
            expect(s.medianLeadTimeS).toBeNull();
          } else {
            expect(s.meanLeadTimeS).toBeCloseTo(leads.reduce((a, b) => a + b, 0) / leads.length, 9);
            // The median splits the lead times in two halves.
            const median = s.medianLeadTimeS ?? Number.NaN;
            expect(leads.filter((x) => x <= median).length).toBeGreaterThanOrEqual(leads.length / 2);
            expect(leads.filter((x) => x >= median).length).toBeGreaterThanOrEqual(leads.length / 2);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ImpactLevel } from './exposure.ts';
import { findHazard, HAZARDS, type Hazard } from './hazards.ts';
import {
  type EvidenceReading,
  type ResolvedPolicy,
  resolvePolicy,
  sameLevels,
  type WarningLevels,
  type WarningSeverity,
} from './warning-policy.ts';
import {
  applyEvidence,
  decide,
  type Evidence,
  emptyThreadState,
  leadingStrand,
  liveStrands,
  quietSince,
  type ThreadDecision,
  type ThreadState,
  type ThreadVersions,
  threadLevels,
} from './warning-thread.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 14, 6, 0);

const hazard = (code: string): Hazard => {
  const h = findHazard(code);
  if (h === undefined) throw new Error(`no hazard ${code}`);
  return h;
};
const AIR = hazard('air_pollution');
/** Sudden onset: clearAfterS 1 h, expiresAfterS 1 d. */
const POLICY = resolvePolicy(AIR, undefined);
const CLEAR = POLICY.clearAfterS * 1000;
const LIFE = POLICY.expiresAfterS * 1000;
/** As the service holds it: a detector's anomaly stands as long as a rule's conditions must stay clear. */
const HOLD_S = POLICY.clearAfterS;

const observed = (severity: WarningSeverity): EvidenceReading => ({
  basis: 'observed',
  score: 1,
  leadTimeS: null,
  severity,
});

let nextSignal = 1;
function evidence(timeMs: number, more: Partial<Evidence> = {}): Evidence {
  return {
    signalId: nextSignal++,
    key: 'rule:1:station:7',
    state: 'firing',
    timeMs,
    reading: observed('Moderate'),
    sense: 'ground_station',
    clearsItself: true,
    ruleId: 1,
    measurement: { label: 'PM2.5', value: 75, unit: 'µg/m³', level: 2 },
    eventCount: null,
    ...more,
  };
}

const apply = (items: readonly Evidence[], state = emptyThreadState(items[0]?.timeMs ?? T0)): ThreadState =>
  items.reduce((s, e) => applyEvidence(s, e, HOLD_S), state);

const NONE: ThreadVersions = { published: null, draft: null };
const published = (levels: WarningLevels, sinceMs: number, expiresMs = sinceMs + LIFE): ThreadVersions => ({
  published: { levels, sinceMs, expiresMs },
  draft: null,
});

const MODERATE_NOW: WarningLevels = { severity: 'Moderate', urgency: 'Immediate', certainty: 'Observed' };
const SEVERE_NOW: WarningLevels = { severity: 'Severe', urgency: 'Immediate', certainty: 'Observed' };

const at = (
  state: ThreadState,
  versions: ThreadVersions,
  nowMs: number,
  options: { policy?: ResolvedPolicy; impact?: ImpactLevel; otherSenses?: readonly string[] } = {},
): ThreadDecision =>
  decide(state, versions, options.policy ?? POLICY, options.impact ?? 'minor', nowMs, options.otherSenses);

describe('decide: the first version', () => {
  it('issues an Alert on the first evidence, at the levels the evidence gives', () => {
    const state = apply([evidence(T0)]);
    expect(at(state, NONE, T0)).toEqual({
      kind: 'issue',
      msgType: 'Alert',
      levels: MODERATE_NOW,
      change: null,
    });
  });

  it('issues nothing more while that Alert still awaits review and the evidence repeats', () => {
    const state = apply([evidence(T0), evidence(T0 + MINUTE), evidence(T0 + 5 * MINUTE)]);
    expect(
      at(state, { published: null, draft: { levels: MODERATE_NOW, sinceMs: T0 } }, T0 + 5 * MINUTE),
    ).toEqual({
      kind: 'none',
    });
  });
});

describe('decide: repeats, escalation and de-escalation', () => {
  it('says nothing on same-level repeats once published', () => {
    let state = apply([evidence(T0)]);
    const versions = published(MODERATE_NOW, T0);
    for (let i = 1; i <= 30; i++) {
      state = applyEvidence(state, evidence(T0 + i * 10 * MINUTE), HOLD_S);
      expect(at(state, versions, T0 + i * 10 * MINUTE)).toEqual({ kind: 'none' });
    }
    expect(state.signalCount).toBe(31);
  });

  it('escalates at once on higher severity: an Update once published', () => {
    const state = apply([evidence(T0), evidence(T0 + MINUTE, { reading: observed('Severe') })]);
    expect(at(state, published(MODERATE_NOW, T0), T0 + MINUTE)).toEqual({
      kind: 'issue',
      msgType: 'Update',
      levels: SEVERE_NOW,
      change: 'escalated',
    });
  });

  it('escalates a draft that was never published as a new Alert', () => {
    const state = apply([evidence(T0), evidence(T0 + MINUTE, { reading: observed('Severe') })]);
    expect(at(state, { published: null, draft: { levels: MODERATE_NOW, sinceMs: T0 } }, T0 + MINUTE)).toEqual(
      {
        kind: 'issue',
        msgType: 'Alert',
        levels: SEVERE_NOW,
        change: 'escalated',
      },
    );
  });

  it('escalates on certainty and urgency too, with severity outweighing them', () => {
    const forecast: EvidenceReading = {
      basis: 'forecast',
      score: 0.9,
      leadTimeS: 6 * 3600,
      severity: 'Severe',
    };
    const state = apply([evidence(T0, { reading: forecast })]);
    const moderateObserved = published(MODERATE_NOW, T0 - MINUTE);
    // Severe/Expected/Likely outranks Moderate/Immediate/Observed.
    expect(at(state, moderateObserved, T0)).toMatchObject({ kind: 'issue', change: 'escalated' });
    const nowObserved = apply([evidence(T0 + MINUTE, { key: 'other', reading: observed('Severe') })], state);
    expect(
      at(
        nowObserved,
        published({ ...SEVERE_NOW, urgency: 'Expected', certainty: 'Likely' }, T0),
        T0 + MINUTE,
      ),
    ).toEqual({ kind: 'issue', msgType: 'Update', levels: SEVERE_NOW, change: 'escalated' });
  });

  it('de-escalates only after the current version has stood clearAfterS', () => {
    const state = apply([
      evidence(T0, { key: 'severe', reading: observed('Severe') }),
      evidence(T0, { key: 'moderate' }),
      evidence(T0 + 10 * MINUTE, { key: 'severe', state: 'cleared' }),
    ]);
    const versions = published(SEVERE_NOW, T0);
    expect(threadLevels(state, T0 + 10 * MINUTE, 'minor', 'sudden')).toEqual(MODERATE_NOW);
    expect(at(state, versions, T0 + 10 * MINUTE)).toEqual({ kind: 'none' });
    expect(at(state, versions, T0 + CLEAR - 1)).toEqual({ kind: 'none' });
    expect(at(state, versions, T0 + CLEAR)).toEqual({
      kind: 'issue',
      msgType: 'Update',
      levels: MODERATE_NOW,
      change: 'deescalated',
    });
  });

  it('measures the wait for de-escalation from a pending draft when there is one', () => {
    const state = apply([evidence(T0)]);
    const versions: ThreadVersions = {
      published: { levels: SEVERE_NOW, sinceMs: T0 - 5 * HOUR, expiresMs: T0 + 19 * HOUR },
      draft: { levels: SEVERE_NOW, sinceMs: T0 - 10 * MINUTE },
    };
    expect(at(state, versions, T0)).toEqual({ kind: 'none' });
    expect(at(state, versions, T0 - 10 * MINUTE + CLEAR)).toMatchObject({
      kind: 'issue',
      change: 'deescalated',
    });
  });
});

describe('decide: clearing, cancelling and closing', () => {
  const cleared = apply([evidence(T0), evidence(T0 + 30 * MINUTE, { state: 'cleared' })]);
  const quiet = T0 + 30 * MINUTE;

  it('waits clearAfterS of quiet, then cancels a standing published version', () => {
    expect(quietSince(cleared, quiet)).toBe(quiet);
    expect(at(cleared, published(MODERATE_NOW, T0), quiet)).toEqual({ kind: 'none' });
    expect(at(cleared, published(MODERATE_NOW, T0), quiet + CLEAR - 1)).toEqual({ kind: 'none' });
    expect(at(cleared, published(MODERATE_NOW, T0), quiet + CLEAR)).toEqual({ kind: 'cancel' });
  });

  it('withdraws a draft that was never published', () => {
    const draftOnly: ThreadVersions = { published: null, draft: { levels: MODERATE_NOW, sinceMs: T0 } };
    expect(at(cleared, draftOnly, quiet + CLEAR - 1)).toEqual({ kind: 'none' });
    expect(at(cleared, draftOnly, quiet + CLEAR)).toEqual({ kind: 'close', reason: 'withdrawn' });
  });

  it('closes as expired when the published version has run out by then', () => {
    const expired = published(MODERATE_NOW, T0, quiet + CLEAR);
    expect(at(cleared, expired, quiet + CLEAR)).toEqual({ kind: 'close', reason: 'expired' });
    expect(at(cleared, published(MODERATE_NOW, T0, quiet + CLEAR + 1), quiet + CLEAR)).toEqual({
      kind: 'cancel',
    });
  });

  it('needs every strand cleared: one live strand keeps the thread open', () => {
    const oneLeft = apply([evidence(T0, { key: 'b' })], cleared);
    expect(quietSince(oneLeft, quiet + 2 * CLEAR)).toBeNull();
    expect(at(oneLeft, published(MODERATE_NOW, T0), quiet + 2 * CLEAR)).toEqual({ kind: 'none' });
  });

  it('waits again from the latest end when a second strand clears later', () => {
    const both = apply(
      [
        evidence(T0, { key: 'a' }),
        evidence(T0, { key: 'b' }),
        evidence(T0 + 10 * MINUTE, { key: 'a', state: 'cleared' }),
        evidence(T0 + 40 * MINUTE, { key: 'b', state: 'cleared' }),
      ],
      emptyThreadState(T0),
    );
    expect(quietSince(both, T0 + 40 * MINUTE)).toBe(T0 + 40 * MINUTE);
    expect(at(both, published(MODERATE_NOW, T0), T0 + 10 * MINUTE + CLEAR)).toEqual({ kind: 'none' });
    expect(at(both, published(MODERATE_NOW, T0), T0 + 40 * MINUTE + CLEAR)).toEqual({ kind: 'cancel' });
  });

  it('waits 7 days of quiet for a slow-onset hazard', () => {
    const soil = resolvePolicy(hazard('soil_erosion'), undefined);
    const state = apply([
      evidence(T0, { reading: observed('Moderate') }),
      evidence(T0 + DAY, { state: 'cleared' }),
    ]);
    const versions = published({ ...MODERATE_NOW, urgency: 'Expected' }, T0, T0 + 30 * DAY);
    expect(at(state, versions, T0 + DAY + 7 * DAY - 1, { policy: soil })).toEqual({ kind: 'none' });
    expect(at(state, versions, T0 + DAY + 7 * DAY, { policy: soil })).toEqual({ kind: 'cancel' });
  });
});

describe('decide: renewal', () => {
  const state = apply([evidence(T0), evidence(T0 + 17 * HOUR)]);
  const versions = published(MODERATE_NOW, T0);

  it('extends the published version when less than 25% of its life remains and conditions hold', () => {
    expect(at(state, versions, T0 + 18 * HOUR)).toEqual({ kind: 'none' });
    expect(at(state, versions, T0 + 18 * HOUR + 1)).toEqual({
      kind: 'issue',
      msgType: 'Update',
      levels: MODERATE_NOW,
      change: 'extended',
    });
  });

  it('keeps the published levels when extending while a lower level still waits out clearAfterS', () => {
    const lower = apply([evidence(T0 + 18 * HOUR, { reading: observed('Minor') })], state);
    const severe = published(SEVERE_NOW, T0 + 18 * HOUR - 30 * MINUTE, T0 + 20 * HOUR);
    expect(at(lower, severe, T0 + 18 * HOUR)).toEqual({
      kind: 'issue',
      msgType: 'Update',
      levels: SEVERE_NOW,
      change: 'extended',
    });
  });

  it('does not extend while a draft awaits review', () => {
    const withDraft: ThreadVersions = {
      ...versions,
      draft: { levels: MODERATE_NOW, sinceMs: T0 + 17 * HOUR },
    };
    expect(at(state, withDraft, T0 + 23 * HOUR)).toEqual({ kind: 'none' });
  });

  it('does not extend once conditions have cleared: it cancels after the quiet instead', () => {
    const ended = apply([evidence(T0 + 19 * HOUR, { state: 'cleared' })], state);
    expect(at(ended, versions, T0 + 19 * HOUR + 30 * MINUTE)).toEqual({ kind: 'none' });
    expect(at(ended, versions, T0 + 20 * HOUR)).toEqual({ kind: 'cancel' });
  });
});

describe('applyEvidence: detectors, senses and forecasts', () => {
  it("lets a detector's evidence (clearsItself false) lapse after holdS", () => {
    const detector = evidence(T0, { key: 'detector:zscore:7', clearsItself: false, ruleId: null });
    const state = apply([detector]);
    expect(liveStrands(state, T0 + HOLD_S * 1000 - 1)).toHaveLength(1);
    expect(liveStrands(state, T0 + HOLD_S * 1000)).toHaveLength(0);
    expect(quietSince(state, T0 + HOLD_S * 1000)).toBe(T0 + HOLD_S * 1000);
    expect(at(state, published(MODERATE_NOW, T0), T0 + HOLD_S * 1000 + CLEAR - 1)).toEqual({ kind: 'none' });
    expect(at(state, published(MODERATE_NOW, T0), T0 + HOLD_S * 1000 + CLEAR)).toEqual({ kind: 'cancel' });
  });

  it("renews a detector's hold with each new anomaly", () => {
    const more = { key: 'detector:zscore:7', clearsItself: false } as const;
    const state = apply([evidence(T0, more), evidence(T0 + 50 * MINUTE, more)]);
    expect(liveStrands(state, T0 + HOLD_S * 1000 + 10 * MINUTE)).toHaveLength(1);
    expect(liveStrands(state, T0 + 50 * MINUTE + HOLD_S * 1000)).toHaveLength(0);
  });

  it('raises certainty one step on a second sense among the live evidence', () => {
    const anomaly: EvidenceReading = {
      basis: 'statistical',
      score: 0.6,
      leadTimeS: null,
      severity: 'Moderate',
    };
    const one = apply([evidence(T0, { key: 'satellite', sense: 'satellite', reading: anomaly })]);
    expect(threadLevels(one, T0, 'minor', 'sudden').certainty).toBe('Possible');
    const sameSense = apply(
      [evidence(T0, { key: 'satellite-2', sense: 'satellite', reading: anomaly })],
      one,
    );
    expect(threadLevels(sameSense, T0, 'minor', 'sudden').certainty).toBe('Possible');
    const two = apply([evidence(T0, { key: 'report', sense: 'citizen_report', reading: anomaly })], one);
    expect(threadLevels(two, T0, 'minor', 'sudden').certainty).toBe('Likely');
    expect(at(two, published({ ...MODERATE_NOW, certainty: 'Possible' }, T0), T0)).toMatchObject({
      kind: 'issue',
      change: 'escalated',
      levels: { certainty: 'Likely' },
    });
  });

  it('counts otherSenses that raise no signals of their own as a second sense', () => {
    const anomaly: EvidenceReading = {
      basis: 'statistical',
      score: 0.6,
      leadTimeS: null,
      severity: 'Moderate',
    };
    const state = apply([evidence(T0, { sense: 'satellite', reading: anomaly })]);
    expect(threadLevels(state, T0, 'minor', 'sudden', ['citizen_report']).certainty).toBe('Likely');
    expect(threadLevels(state, T0, 'minor', 'sudden', ['satellite']).certainty).toBe('Possible');
    expect(at(state, NONE, T0, { otherSenses: ['citizen_report'] })).toMatchObject({
      levels: { certainty: 'Likely' },
    });
  });

  it('forgets the sense of a lapsed or cleared strand', () => {
    const anomaly: EvidenceReading = {
      basis: 'statistical',
      score: 0.6,
      leadTimeS: null,
      severity: 'Moderate',
    };
    const state = apply([
      evidence(T0, { key: 'a', sense: 'satellite', reading: anomaly }),
      evidence(T0, { key: 'b', sense: 'citizen_report', reading: anomaly, clearsItself: false }),
    ]);
    expect(threadLevels(state, T0 + 10 * MINUTE, 'minor', 'sudden').certainty).toBe('Likely');
    expect(threadLevels(state, T0 + HOLD_S * 1000, 'minor', 'sudden').certainty).toBe('Possible');
  });

  it('reads a forecast as Likely or Possible by score and urgency by lead time, without an observation', () => {
    const forecast = (score: number, leadTimeS: number): Evidence =>
      evidence(T0, { reading: { basis: 'forecast', score, leadTimeS, severity: 'Moderate' } });
    const cases: [number, number, Partial<WarningLevels>][] = [
      [0.8, 30 * 60, { certainty: 'Likely', urgency: 'Immediate' }],
      [0.79, 3600, { certainty: 'Possible', urgency: 'Immediate' }],
      [0.95, 3601, { certainty: 'Likely', urgency: 'Expected' }],
      [0.5, 24 * 3600, { certainty: 'Possible', urgency: 'Expected' }],
      [0.9, 24 * 3600 + 1, { certainty: 'Likely', urgency: 'Future' }],
      [0.9, 5 * 24 * 3600, { certainty: 'Likely', urgency: 'Future' }],
    ];
    for (const [score, lead, expected] of cases) {
      const state = apply([forecast(score, lead)]);
      expect(at(state, NONE, T0)).toEqual({
        kind: 'issue',
        msgType: 'Alert',
        levels: { severity: 'Moderate', ...expected },
        change: null,
      });
      expect(state.firstObservedMs).toBeNull();
    }
  });

  it('remembers the first observation (not forecast) for verification, whatever order it arrives in', () => {
    const forecast: EvidenceReading = {
      basis: 'forecast',
      score: 0.9,
      leadTimeS: 7200,
      severity: 'Moderate',
    };
    const state = apply([
      evidence(T0, { key: 'f', reading: forecast }),
      evidence(T0 + 2 * HOUR, { key: 'o' }),
      evidence(T0 + HOUR, { key: 'p' }),
    ]);
    expect(state.firstObservedMs).toBe(T0 + HOUR);
    expect(state.firstMs).toBe(T0);
    expect(state.lastSignalMs).toBe(T0 + 2 * HOUR);
    expect(state.signalCount).toBe(3);
  });

  it('keeps the measurement of a strand when a later signal carries none, and leads with the most severe', () => {
    const state = apply([
      evidence(T0, { key: 'a' }),
      evidence(T0 + MINUTE, { key: 'a', measurement: null }),
      evidence(T0 + MINUTE, { key: 'b', reading: observed('Severe'), measurement: null, eventCount: 14 }),
    ]);
    expect(state.strands.a?.measurement).toEqual({ label: 'PM2.5', value: 75, unit: 'µg/m³', level: 2 });
    expect(leadingStrand(state, T0 + MINUTE)?.eventCount).toBe(14);
  });
});

describe('applyEvidence: evidence out of order', () => {
  it('ignores an older firing of the same key: the newer reading stands', () => {
    const state = apply([
      evidence(T0 + 10 * MINUTE, { reading: observed('Minor') }),
      evidence(T0 + 5 * MINUTE, { reading: observed('Extreme') }),
    ]);
    expect(threadLevels(state, T0 + 10 * MINUTE, 'minor', 'sudden').severity).toBe('Minor');
    expect(state.signalCount).toBe(2);
  });

  it('keeps the first clear when a later clear repeats it', () => {
    const state = apply([
      evidence(T0),
      evidence(T0 + 20 * MINUTE, { state: 'cleared' }),
      evidence(T0 + 30 * MINUTE, { state: 'cleared' }),
    ]);
    expect(quietSince(state, T0 + HOUR)).toBe(T0 + 20 * MINUTE);
  });

  // Late arrivals (found by these tests): neither an older clear nor an older firing undoes newer evidence.
  it('does not let an older clear end a strand that fired after it', () => {
    const state = apply([
      evidence(T0),
      evidence(T0 + 30 * MINUTE),
      evidence(T0 + 20 * MINUTE, { state: 'cleared' }),
    ]);
    expect(liveStrands(state, T0 + 31 * MINUTE)).toHaveLength(1);
  });

  it('does not let an older firing revive a strand cleared after it', () => {
    const state = apply([
      evidence(T0),
      evidence(T0 + 20 * MINUTE, { state: 'cleared' }),
      evidence(T0 + 15 * MINUTE),
    ]);
    expect(liveStrands(state, T0 + 25 * MINUTE)).toHaveLength(0);
  });
});

// ---------------------------------------------------------------- property: repeats never make versions

const IMPACTS: readonly ImpactLevel[] = ['minimal', 'minor', 'significant', 'severe'];
const SENSES = [null, 'ground_station', 'satellite', 'citizen_report'] as const;

/** What one key says each time it fires: a rule or detector keeps its reading, so most items are repeats. */
const source = fc.record({
  basis: fc.constantFrom('observed' as const, 'statistical' as const, 'forecast' as const),
  score: fc.double({ min: 0.5, max: 1, noNaN: true }),
  leadTimeS: fc.option(fc.integer({ min: 0, max: 3 * 86_400 })),
  severity: fc.constantFrom<WarningSeverity>('Minor', 'Moderate', 'Severe', 'Extreme'),
  sense: fc.constantFrom(...SENSES),
  clearsItself: fc.boolean(),
});

const evidenceItem = fc.record({
  source: fc.nat(),
  firing: fc.integer({ min: 0, max: 3 }),
  offsetMs: fc.integer({ min: 0, max: 20 * DAY }),
});

interface Simulation {
  readonly issues: number;
  readonly renewals: number;
  readonly levelChanges: number;
  readonly threads: number;
}

/**
 * The service's loop in miniature: evidence in time order, `decide` after each, every issued version
 * published at once, a cancel or close ending the thread (the next firing opens a new one).
 */
function simulate(items: readonly Evidence[], policy: ResolvedPolicy, impact: ImpactLevel): Simulation {
  let state: ThreadState | null = null;
  let versions = NONE;
  let previous: WarningLevels | null = null;
  let issues = 0;
  let renewals = 0;
  let levelChanges = 0;
  let threads = 0;
  for (const e of items) {
    if (state === null) {
      if (e.state === 'cleared') continue;
      state = emptyThreadState(e.timeMs);
      versions = NONE;
      previous = null;
      threads++;
    }
    state = applyEvidence(state, e, HOLD_S);
    const now = e.timeMs;
    // Levels while the episode is live; a quiet spell (levels Unknown) that ends at the same levels is no change.
    if (quietSince(state, now) === null) {
      const levels = threadLevels(state, now, impact, policy.hazard.onset);
      if (previous !== null && !sameLevels(previous, levels)) levelChanges++;
      previous = levels;
    }
    const decision = decide(state, versions, policy, impact, now);
    if (decision.kind === 'issue') {
      issues++;
      if (decision.change === 'extended') renewals++;
      versions = published(decision.levels, now, now + policy.expiresAfterS * 1000);
      // Asking again at once, with the version just made, never makes another.
      expect(decide(state, versions, policy, impact, now)).toEqual({ kind: 'none' });
    } else if (decision.kind === 'cancel' || decision.kind === 'close') {
      state = null;
    }
  }
  return { issues, renewals, levelChanges, threads };
}

describe('decide over an episode (property)', () => {
  it('makes versions only for level changes, renewals and the first Alert, never for repeats', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...HAZARDS),
        fc.constantFrom(...IMPACTS),
        // One to six sources: with few, nearly every item repeats one; with six, levels change often.
        fc.array(source, { minLength: 1, maxLength: 6 }),
        fc.array(evidenceItem, { maxLength: 1000, size: 'max' }),
        (h, impact, sources, raw) => {
          const policy = resolvePolicy(h, undefined);
          const items = raw
            .map((r, i): Evidence => {
              const k = r.source % sources.length;
              const s = sources[k] as (typeof sources)[number];
              return evidence(T0 + r.offsetMs, {
                signalId: i,
                key: `source:${k}`,
                state: r.firing > 0 ? 'firing' : 'cleared',
                reading: { basis: s.basis, score: s.score, leadTimeS: s.leadTimeS, severity: s.severity },
                sense: s.sense,
                clearsItself: s.clearsItself,
              });
            })
            .sort((a, b) => a.timeMs - b.timeMs);
          const run = simulate(items, policy, impact);
          expect(run.issues).toBeLessThanOrEqual(run.levelChanges + run.renewals + run.threads);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('makes exactly one version from any number of identical repeats', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...HAZARDS),
        fc.array(fc.integer({ min: 1, max: 10 * 60_000 }), { minLength: 1, maxLength: 1000, size: 'max' }),
        (h, gaps) => {
          const policy = resolvePolicy(h, undefined);
          let t = T0;
          const items = gaps.map((gap) => {
            t += gap;
            return evidence(t);
          });
          // A run shorter than 75% of the version's life never reaches renewal; a longer one may renew.
          const lastMs = items.at(-1)?.timeMs ?? T0;
          const renewable = lastMs - (items[0]?.timeMs ?? T0) > 0.75 * policy.expiresAfterS * 1000;
          const run = simulate(items, policy, 'minor');
          if (!renewable) expect(run.issues).toBe(1);
          expect(run.issues - run.renewals).toBe(1);
          expect(run.levelChanges).toBe(0);
        },
      ),
      { numRuns: 100 },
    );
  });
});

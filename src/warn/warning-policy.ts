/**
 * @module The warning policy of a rule — which hazard its signals evidence, how long an episode lasts, which
 * levels publish without an approver — and the mapping of score, lead time and impact to CAP certainty,
 * urgency and severity.
 */
import { type Static, Type } from 'typebox';
import type { CapCertainty, CapSeverity, CapUrgency } from './cap/cap-alert.ts';
import type { ImpactLevel } from './exposure.ts';
import { HAZARD_CODES, type Hazard } from './hazards.ts';

const Severity = Type.Enum(['Minor', 'Moderate', 'Severe', 'Extreme']);
export type WarningSeverity = Static<typeof Severity>;

const MAX_S = 365 * 86_400;

/** Part of a rule's definition (`warning`), so every policy change is a rule version like any other. */
export const WarningPolicy = Type.Object(
  {
    hazard: Type.Optional(
      Type.Enum([...HAZARD_CODES], {
        description: "hazard the rule's signals evidence (default: from the variable or event kind)",
      }),
    ),
    enabled: Type.Optional(
      Type.Boolean({ description: 'false: the rule raises signals but never warnings' }),
    ),
    autoPublish: Type.Optional(
      Type.Array(Severity, {
        uniqueItems: true,
        description: 'levels published without an approver (default none: every draft is reviewed)',
      }),
    ),
    minScore: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 1,
        description: 'signals scoring less are not warned on (default 0.5)',
      }),
    ),
    clearAfterS: Type.Optional(
      Type.Integer({
        minimum: 60,
        maximum: MAX_S,
        description:
          'a warning is cancelled once its conditions have cleared this long (default 1 h; 7 d slow onset)',
      }),
    ),
    expiresAfterS: Type.Optional(
      Type.Integer({
        minimum: 600,
        maximum: MAX_S,
        description: "how long a published version stands unless renewed (default: the hazard's)",
      }),
    ),
    radiusKm: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 500,
        description: 'warning circle around a station that lies in no registered area (default 10 km)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type WarningPolicy = Static<typeof WarningPolicy>;

/** A policy with every default filled in for one hazard. */
export interface ResolvedPolicy {
  readonly hazard: Hazard;
  readonly enabled: boolean;
  readonly autoPublish: readonly WarningSeverity[];
  readonly minScore: number;
  readonly clearAfterS: number;
  readonly expiresAfterS: number;
  readonly radiusKm: number;
}

const HOUR_S = 3600;
/** Statistical detectors speak for no authority: only their surest anomalies become (reviewed) warnings. */
export const DETECTOR_MIN_SCORE = 0.9;

export function resolvePolicy(
  hazard: Hazard,
  policy: WarningPolicy | undefined,
  fromDetector = false,
): ResolvedPolicy {
  return {
    hazard,
    enabled: policy?.enabled ?? true,
    autoPublish: policy?.autoPublish ?? [],
    minScore: policy?.minScore ?? (fromDetector ? DETECTOR_MIN_SCORE : 0.5),
    clearAfterS: policy?.clearAfterS ?? (hazard.onset === 'slow' ? 7 * 24 * HOUR_S : HOUR_S),
    expiresAfterS: policy?.expiresAfterS ?? hazard.defaultExpiresS,
    radiusKm: policy?.radiusKm ?? 10,
  };
}

export const SEVERITY_ORDER: readonly CapSeverity[] = ['Unknown', 'Minor', 'Moderate', 'Severe', 'Extreme'];
export const CERTAINTY_ORDER: readonly CapCertainty[] = [
  'Unknown',
  'Unlikely',
  'Possible',
  'Likely',
  'Observed',
];
export const URGENCY_ORDER: readonly CapUrgency[] = ['Unknown', 'Past', 'Future', 'Expected', 'Immediate'];

export const severityRank = (s: CapSeverity): number => SEVERITY_ORDER.indexOf(s);
export const certaintyRank = (c: CapCertainty): number => CERTAINTY_ORDER.indexOf(c);
export const urgencyRank = (u: CapUrgency): number => URGENCY_ORDER.indexOf(u);

export interface WarningLevels {
  readonly severity: CapSeverity;
  readonly urgency: CapUrgency;
  readonly certainty: CapCertainty;
}

/** What one piece of evidence says, before the episode's other evidence and its impact are weighed. */
export interface EvidenceReading {
  /** Measured or seen (threshold, rate, trend, event density), or predicted (a forecast crossing). */
  readonly basis: 'observed' | 'statistical' | 'forecast';
  readonly score: number;
  readonly leadTimeS: number | null;
  readonly severity: WarningSeverity;
}

/**
 * CAP levels of an episode from its live evidence. Certainty: an observed exceedance is `Observed`; a
 * statistical anomaly is `Likely` from score 0.9, else `Possible`; a forecast is `Likely` from score 0.8.
 * A second, independent sense raises certainty one step (Global Forest Watch's integrated alerts: a
 * detection confirmed by another system is "high confidence"). Urgency: observed now → `Immediate` (slow
 * onset → `Expected`); forecasts by lead time (≤ 1 h `Immediate`, ≤ 24 h `Expected`, else `Future`).
 * Severity: the highest the rules assign, raised one step by severe impact (≥ 1 M people, see exposure.ts)
 * but never to `Extreme` by impact alone, and lowered one step when almost nobody is exposed, never below `Minor`.
 */
export function assessLevels(
  readings: readonly EvidenceReading[],
  context: { readonly senses: number; readonly impact: ImpactLevel; readonly onset: 'sudden' | 'slow' },
): WarningLevels {
  if (readings.length === 0) return { severity: 'Unknown', urgency: 'Unknown', certainty: 'Unknown' };
  let certainty = 0;
  let urgency = 0;
  let severity = 0;
  for (const r of readings) {
    const c =
      r.basis === 'observed'
        ? certaintyRank('Observed')
        : r.basis === 'statistical'
          ? certaintyRank(r.score >= 0.9 ? 'Likely' : 'Possible')
          : certaintyRank(r.score >= 0.8 ? 'Likely' : 'Possible');
    certainty = Math.max(certainty, c);
    urgency = Math.max(urgency, urgencyRank(urgencyOf(r, context.onset)));
    severity = Math.max(severity, severityRank(r.severity));
  }
  if (context.senses >= 2) certainty = Math.min(certainty + 1, certaintyRank('Observed'));
  // Impact may raise a level up to Severe; Extreme ("extraordinary threat to life", CAP §3.2.2) stays a rule's call.
  if (context.impact === 'severe' && severity < severityRank('Severe')) severity += 1;
  if (context.impact === 'minimal') severity = Math.max(severity - 1, severityRank('Minor'));
  return {
    severity: SEVERITY_ORDER[severity] ?? 'Unknown',
    urgency: URGENCY_ORDER[urgency] ?? 'Unknown',
    certainty: CERTAINTY_ORDER[certainty] ?? 'Unknown',
  };
}

function urgencyOf(r: EvidenceReading, onset: 'sudden' | 'slow'): CapUrgency {
  if (r.basis !== 'forecast' || r.leadTimeS === null) return onset === 'slow' ? 'Expected' : 'Immediate';
  if (r.leadTimeS <= HOUR_S) return 'Immediate';
  return r.leadTimeS <= 24 * HOUR_S ? 'Expected' : 'Future';
}

/** One number per level triple, for "is this an escalation?": severity outweighs certainty, then urgency. */
export function levelScore(levels: WarningLevels): number {
  return (
    severityRank(levels.severity) * 100 + certaintyRank(levels.certainty) * 10 + urgencyRank(levels.urgency)
  );
}

export function sameLevels(a: WarningLevels, b: WarningLevels): boolean {
  return a.severity === b.severity && a.urgency === b.urgency && a.certainty === b.certainty;
}

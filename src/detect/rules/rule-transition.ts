/** @module What a rule says: a condition started ('firing') or ended ('cleared'), when, for which series, and by how much. */

export type RuleState = 'firing' | 'cleared';

export interface RuleTransition {
  readonly state: RuleState;
  /** When the input that revealed the change was taken (an observation's, event's or tick's time). */
  readonly atMs: number;
  /** The series a per-series rule speaks of; null for rules over several series (composite, area_quorum, event_density). */
  readonly series: string | null;
  /** The value judged: a level, an aggregate, a change, a silence in seconds, a count, a slope per year. */
  readonly observed: number;
  /** The level crossed (the clear level for 'cleared'), or null when the rule has none. */
  readonly threshold: number | null;
  /** The trailing window the value was taken over, or null for instantaneous values. */
  readonly windowS: number | null;
  /** Numbers a signal's words and severity are made of; named per kind in rule-engine.ts. */
  readonly detail: Readonly<Record<string, number>>;
}

export function firing(
  atMs: number,
  series: string | null,
  observed: number,
  threshold: number | null,
  windowS: number | null,
  detail: Record<string, number>,
): RuleTransition {
  return { state: 'firing', atMs, series, observed, threshold, windowS, detail };
}

export function cleared(
  atMs: number,
  series: string | null,
  observed: number,
  threshold: number | null,
  windowS: number | null,
  detail: Record<string, number>,
): RuleTransition {
  return { state: 'cleared', atMs, series, observed, threshold, windowS, detail };
}

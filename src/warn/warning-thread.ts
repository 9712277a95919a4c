/**
 * @module One warning thread per episode: evidence (signals with their hazard resolved) joins a thread's
 * state, and the state decides, at any moment, whether a new version is due — the first `Alert`, an
 * `Update` on escalation, de-escalation or renewal, a `Cancel` once conditions have cleared for a set time
 * — or nothing at all, which is what most of an episode's signals lead to.
 */
import type { ImpactLevel } from './exposure.ts';
import {
  assessLevels,
  type EvidenceReading,
  levelScore,
  type ResolvedPolicy,
  type WarningLevels,
} from './warning-policy.ts';

/** A signal as the warning stage sees it. */
export interface Evidence {
  readonly signalId: number;
  /**
   * What raised it — a rule on a series, a detector on a series, a rule on an area: a later `cleared` signal
   * with the same key ends the evidence.
   */
  readonly key: string;
  readonly state: 'firing' | 'cleared';
  readonly timeMs: number;
  readonly reading: EvidenceReading;
  /** The sense behind it (ground_station, satellite, citizen_report …): a second one corroborates. */
  readonly sense: string | null;
  /** Rules clear their own signals; a detector's anomaly or a forecast stands for `holdS` after it. */
  readonly clearsItself: boolean;
  readonly ruleId: number | null;
  readonly measurement: Measurement | null;
  readonly eventCount: number | null;
}

export interface Measurement {
  readonly label: string;
  readonly value: number;
  readonly unit: string;
  readonly level: number | null;
}

interface Strand {
  readonly reading: EvidenceReading;
  readonly sense: string | null;
  readonly ruleId: number | null;
  readonly sinceMs: number;
  readonly lastMs: number;
  /** When it cleared, or (for evidence that does not clear itself) when it lapses. */
  readonly endMs: number | null;
  readonly measurement: Measurement | null;
  readonly eventCount: number | null;
}

/** A thread's memory of its episode, stored as JSON with the thread. */
export interface ThreadState {
  readonly strands: Readonly<Record<string, Strand>>;
  readonly firstMs: number;
  readonly lastSignalMs: number;
  readonly signalCount: number;
  /** First time evidence was observed (not forecast): what verification measures lead time against. */
  readonly firstObservedMs: number | null;
}

export function emptyThreadState(atMs: number): ThreadState {
  return { strands: {}, firstMs: atMs, lastSignalMs: atMs, signalCount: 0, firstObservedMs: null };
}

/** The state after one piece of evidence (evidence arrives in time order per key; older repeats change nothing). */
export function applyEvidence(state: ThreadState, e: Evidence, holdS: number): ThreadState {
  const previous = state.strands[e.key];
  const counted = {
    ...state,
    signalCount: state.signalCount + 1,
    lastSignalMs: Math.max(state.lastSignalMs, e.timeMs),
    firstMs: Math.min(state.firstMs, e.timeMs),
  };
  if (e.state === 'cleared') {
    // A clear older than the latest firing (it arrived late) ends nothing; nor does a second clear.
    if (previous === undefined || previous.lastMs > e.timeMs) return counted;
    if (previous.endMs !== null && previous.endMs <= e.timeMs) return counted;
    return { ...counted, strands: { ...state.strands, [e.key]: { ...previous, endMs: e.timeMs } } };
  }
  if (previous !== undefined && previous.lastMs > e.timeMs) return counted;
  // A firing older than the clear that ended the strand arrived late: it does not revive it.
  if (previous !== undefined && e.clearsItself && previous.endMs !== null && previous.endMs > e.timeMs)
    return counted;
  const strand: Strand = {
    reading: e.reading,
    sense: e.sense,
    ruleId: e.ruleId,
    sinceMs: previous !== undefined && previous.endMs === null ? previous.sinceMs : e.timeMs,
    lastMs: e.timeMs,
    endMs: e.clearsItself ? null : e.timeMs + holdS * 1000,
    measurement: e.measurement ?? previous?.measurement ?? null,
    eventCount: e.eventCount ?? previous?.eventCount ?? null,
  };
  const observed = e.reading.basis !== 'forecast';
  return {
    ...counted,
    strands: { ...state.strands, [e.key]: strand },
    firstObservedMs:
      observed && (counted.firstObservedMs === null || e.timeMs < counted.firstObservedMs)
        ? e.timeMs
        : counted.firstObservedMs,
  };
}

const isLive = (s: Strand, nowMs: number): boolean => s.endMs === null || s.endMs > nowMs;

export function liveStrands(state: ThreadState, nowMs: number): Strand[] {
  return Object.values(state.strands).filter((s) => isLive(s, nowMs));
}

/** Since when nothing has been live (null while something is). */
export function quietSince(state: ThreadState, nowMs: number): number | null {
  const strands = Object.values(state.strands);
  if (strands.length === 0 || strands.some((s) => isLive(s, nowMs))) return null;
  return Math.max(...strands.map((s) => s.endMs ?? s.lastMs));
}

/** Distinct senses among the live evidence. */
export function liveSenses(state: ThreadState, nowMs: number): string[] {
  return [...new Set(liveStrands(state, nowMs).flatMap((s) => (s.sense === null ? [] : [s.sense])))];
}

/**
 * The episode's CAP levels now, from its live evidence. `otherSenses`: senses that corroborate without
 * raising signals of their own (a citizen's smoke report in the area of a satellite fire cluster).
 */
export function threadLevels(
  state: ThreadState,
  nowMs: number,
  impact: ImpactLevel,
  onset: 'sudden' | 'slow',
  otherSenses: readonly string[] = [],
): WarningLevels {
  const live = liveStrands(state, nowMs);
  const senses = new Set([...liveSenses(state, nowMs), ...otherSenses]);
  return assessLevels(
    live.map((s) => s.reading),
    { senses: senses.size, impact, onset },
  );
}

/** The live strand that speaks most for the warning: highest severity, then newest. */
export function leadingStrand(state: ThreadState, nowMs: number): Strand | undefined {
  const live = liveStrands(state, nowMs);
  const pool = live.length > 0 ? live : Object.values(state.strands);
  return pool.reduce<Strand | undefined>((best, s) => {
    if (best === undefined) return s;
    const rank = (x: Strand) => ['Minor', 'Moderate', 'Severe', 'Extreme'].indexOf(x.reading.severity);
    return rank(s) > rank(best) || (rank(s) === rank(best) && s.lastMs > best.lastMs) ? s : best;
  }, undefined);
}

/** Where the thread's messages stand: the latest published version, and a draft awaiting review. */
export interface ThreadVersions {
  readonly published: {
    readonly levels: WarningLevels;
    readonly sinceMs: number;
    readonly expiresMs: number;
  } | null;
  readonly draft: { readonly levels: WarningLevels; readonly sinceMs: number } | null;
}

export type ThreadDecision =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'issue';
      readonly msgType: 'Alert' | 'Update';
      readonly levels: WarningLevels;
      readonly change: 'escalated' | 'deescalated' | 'extended' | null;
    }
  /** Conditions have cleared for the policy's time and a published version still stands. */
  | { readonly kind: 'cancel' }
  /** Nothing more to say: the published version has expired, or a draft was never published. */
  | { readonly kind: 'close'; readonly reason: 'expired' | 'withdrawn' };

/** A version is renewed when less than this share of its life remains and its conditions still hold. */
const RENEW_AT_REMAINING = 0.25;

/**
 * What the thread should do at `nowMs`. Escalation is immediate; de-escalation waits until the current
 * version has stood `clearAfterS` (no flapping between levels); a cancel waits until every strand has been
 * quiet `clearAfterS`.
 */
export function decide(
  state: ThreadState,
  versions: ThreadVersions,
  policy: ResolvedPolicy,
  impact: ImpactLevel,
  nowMs: number,
  otherSenses: readonly string[] = [],
): ThreadDecision {
  const quiet = quietSince(state, nowMs);
  const { published, draft } = versions;
  if (quiet !== null) {
    if (nowMs - quiet < policy.clearAfterS * 1000) return { kind: 'none' };
    if (published !== null && published.expiresMs > nowMs) return { kind: 'cancel' };
    return { kind: 'close', reason: published === null ? 'withdrawn' : 'expired' };
  }
  const levels = threadLevels(state, nowMs, impact, policy.hazard.onset, otherSenses);
  const msgType = published === null ? 'Alert' : 'Update';
  const reference = draft ?? published;
  if (reference === null) return { kind: 'issue', msgType, levels, change: null };
  const delta = levelScore(levels) - levelScore(reference.levels);
  if (delta > 0) return { kind: 'issue', msgType, levels, change: 'escalated' };
  if (delta < 0 && nowMs - reference.sinceMs >= policy.clearAfterS * 1000) {
    return { kind: 'issue', msgType, levels, change: 'deescalated' };
  }
  if (draft === null && published !== null) {
    const life = policy.expiresAfterS * 1000;
    if (published.expiresMs - nowMs < life * RENEW_AT_REMAINING) {
      return { kind: 'issue', msgType: 'Update', levels: published.levels, change: 'extended' };
    }
  }
  return { kind: 'none' };
}

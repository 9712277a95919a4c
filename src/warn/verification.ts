/**
 * @module Verification of warnings, as forecast verification counts it (WMO/WWRP Joint Working Group on
 * Forecast Verification Research): hits, misses and false alarms per rule and hazard, with the probability
 * of detection (POD), the false-alarm ratio (FAR), the critical success index (CSI) and lead times.
 */

export type EpisodeOutcome = 'hit' | 'miss' | 'false_alarm';

/**
 * How a closed episode verifies from its own record. A warning was published and the hazard was observed
 * → hit (lead time: from the first publication to the first observation, 0 when warned late). Observed
 * but never published (rejected, silenced, inhibited, still in review) → miss. Published but never
 * observed (forecasts that did not come true) → false alarm. Neither → nothing to count.
 */
export function verifyEpisode(episode: {
  readonly firstObservedMs: number | null;
  readonly firstPublishedMs: number | null;
}): { readonly outcome: EpisodeOutcome; readonly leadTimeS: number | null } | null {
  const { firstObservedMs, firstPublishedMs } = episode;
  if (firstObservedMs !== null && firstPublishedMs !== null) {
    return {
      outcome: 'hit',
      leadTimeS: Math.max(0, Math.round((firstObservedMs - firstPublishedMs) / 1000)),
    };
  }
  if (firstObservedMs !== null) return { outcome: 'miss', leadTimeS: null };
  if (firstPublishedMs !== null) return { outcome: 'false_alarm', leadTimeS: null };
  return null;
}

export interface VerifiedEpisode {
  readonly ruleId: number | null;
  readonly hazard: string;
  readonly outcome: EpisodeOutcome;
  readonly leadTimeS: number | null;
}

export interface VerificationSummary {
  readonly ruleId: number | null;
  readonly hazard: string;
  readonly hits: number;
  readonly misses: number;
  readonly falseAlarms: number;
  /** hits / (hits + misses); null when nothing happened. */
  readonly probabilityOfDetection: number | null;
  /** false alarms / (hits + false alarms); null when nothing was warned. */
  readonly falseAlarmRatio: number | null;
  /** hits / (hits + misses + false alarms). */
  readonly criticalSuccessIndex: number | null;
  readonly meanLeadTimeS: number | null;
  readonly medianLeadTimeS: number | null;
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

export function summariseVerification(episodes: readonly VerifiedEpisode[]): VerificationSummary[] {
  const groups = new Map<string, VerifiedEpisode[]>();
  for (const e of episodes) {
    const key = `${e.ruleId ?? ''}|${e.hazard}`;
    const list = groups.get(key) ?? [];
    list.push(e);
    groups.set(key, list);
  }
  return [...groups.values()].map((list) => {
    const first = list[0] as VerifiedEpisode;
    const count = (o: EpisodeOutcome) => list.filter((e) => e.outcome === o).length;
    const hits = count('hit');
    const misses = count('miss');
    const falseAlarms = count('false_alarm');
    const leads = list
      .filter((e) => e.outcome === 'hit' && e.leadTimeS !== null)
      .map((e) => e.leadTimeS as number)
      .sort((a, b) => a - b);
    const middle = leads.length >> 1;
    return {
      ruleId: first.ruleId,
      hazard: first.hazard,
      hits,
      misses,
      falseAlarms,
      probabilityOfDetection: ratio(hits, hits + misses),
      falseAlarmRatio: ratio(falseAlarms, hits + falseAlarms),
      criticalSuccessIndex: ratio(hits, hits + misses + falseAlarms),
      meanLeadTimeS: leads.length === 0 ? null : leads.reduce((s, x) => s + x, 0) / leads.length,
      medianLeadTimeS:
        leads.length === 0
          ? null
          : leads.length % 2 === 1
            ? (leads[middle] as number)
            : ((leads[middle - 1] as number) + (leads[middle] as number)) / 2,
    };
  });
}

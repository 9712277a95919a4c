/** @module Signals: what detection says — which series or area, when, raised by what, how sure, expected against observed, in words a duty officer reads. */

export const SIGNAL_KINDS = [
  'anomaly',
  'change',
  'forecast_exceedance',
  'threshold',
  'rate_of_change',
  'stale',
  'composite',
  'area_quorum',
  'event_density',
  'trend',
] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

export type SignalOrigin =
  | { readonly origin: 'detector'; readonly detector: string }
  | { readonly origin: 'rule'; readonly ruleId: number; readonly ruleVersion: number };

export interface SignalDraft {
  readonly organisationId: number;
  readonly seriesId: number | null;
  readonly stationId: number | null;
  readonly areaId: number | null;
  readonly raisedBy: SignalOrigin;
  readonly kind: SignalKind;
  readonly state: 'firing' | 'cleared';
  readonly startMs: number;
  readonly endMs: number | null;
  /** How sure detection is, in [0, 1]. */
  readonly score: number;
  readonly observed: number | null;
  readonly expected: number | null;
  /** A robust scale around `expected` (σ-like), in the series unit. */
  readonly spread: number | null;
  readonly unit: string | null;
  /** For predictive signals: seconds from now until the forecast crosses the threshold. */
  readonly leadTimeS: number | null;
  readonly sentence: string;
  readonly details: Readonly<Record<string, unknown>>;
  /** The same signal raised twice (a replay, a restart) has the same key and is stored once. */
  readonly dedupeKey: string;
}

const significant = new Intl.NumberFormat('en', { maximumSignificantDigits: 3 });

/** Three significant digits, no trailing zeros: 86, 22.4, 0.0312. */
export function formatValue(value: number): string {
  return Math.abs(value) >= 1000 ? Math.round(value).toLocaleString('en') : significant.format(value);
}

/** "a Tuesday 08:00" in the station's zone (IANA), or in UTC when the zone is unknown. */
export function localMoment(timeMs: number, timeZone: string | null): string {
  const zone = timeZone ?? 'UTC';
  try {
    const parts = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      weekday: 'long',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(timeMs);
    const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
    return `a ${part('weekday')} ${part('hour')}:${part('minute')}${timeZone ? '' : ' UTC'}`;
  } catch {
    return localMoment(timeMs, null);
  }
}

export interface AnomalyWords {
  readonly variable: string;
  readonly place: string;
  readonly observed: number;
  readonly unit: string;
  readonly expected: number;
  readonly spread: number;
  readonly timeMs: number;
  readonly timeZone: string | null;
}

/**
 * "PM2.5 at Dhaka-Agargaon: 86 µg/m³, expected 22 ± 6 for a Tuesday 08:00; 4.1 σ above baseline".
 * The σ is the detector's robust spread, so the figure reads as a z-score.
 */
export function describeAnomaly(w: AnomalyWords): string {
  const sigmas = w.spread > 0 ? (w.observed - w.expected) / w.spread : Number.POSITIVE_INFINITY;
  const direction = sigmas >= 0 ? 'above' : 'below';
  const size = Number.isFinite(sigmas) ? `${Math.abs(sigmas).toFixed(1)} σ` : 'far';
  return (
    `${w.variable} at ${w.place}: ${formatValue(w.observed)} ${w.unit}, ` +
    `expected ${formatValue(w.expected)} ± ${formatValue(w.spread)} for ${localMoment(w.timeMs, w.timeZone)}; ` +
    `${size} ${direction} baseline`
  );
}

/** Words for a detector's reason when a z-score would mislead (a record value, a level shift, a run of oddities). */
export function describeDetection(w: AnomalyWords & { readonly reason: string | null }): string {
  const head = `${w.variable} at ${w.place}: ${formatValue(w.observed)} ${w.unit} at ${localMoment(w.timeMs, w.timeZone).slice(2)}`;
  switch (w.reason) {
    case 'above_seen_range':
      return `${head}, the highest since monitoring began`;
    case 'below_seen_range':
      return `${head}, the lowest since monitoring began`;
    case 'level_shift_up':
    case 'level_shift_down':
      return `${head}; the level has shifted ${w.reason.endsWith('up') ? 'up' : 'down'} from about ${formatValue(w.expected)}`;
    case 'drift_up':
    case 'drift_down':
      return `${head}; drifting ${w.reason.endsWith('up') ? 'upward' : 'downward'} from about ${formatValue(w.expected)}`;
    case 'improbable_scores':
      return `${head}; an unusual run of values (expected ${formatValue(w.expected)} ± ${formatValue(w.spread)})`;
    default:
      return describeAnomaly(w);
  }
}

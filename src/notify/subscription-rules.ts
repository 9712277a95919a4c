/**
 * @module What a subscription asks for, judged against a published warning version: hazards or categories,
 * minimum levels, updates and cancels, the language to write in, and quiet hours that only Extreme breaks.
 */
import type { CapCertainty, CapSeverity, CapUrgency } from '../warn/cap/cap-alert.ts';
import { findHazard } from '../warn/hazards.ts';
import { certaintyRank, severityRank, urgencyRank } from '../warn/warning-policy.ts';

export interface SubscriptionWants {
  readonly hazards: readonly string[] | null;
  readonly categories: readonly string[] | null;
  readonly minSeverity: CapSeverity;
  readonly minUrgency: CapUrgency;
  readonly minCertainty: CapCertainty;
  readonly wantsUpdates: boolean;
  readonly wantsCancels: boolean;
}

export interface PublishedVersion {
  readonly hazard: string;
  readonly msgType: 'Alert' | 'Update' | 'Cancel';
  readonly severity: CapSeverity;
  readonly urgency: CapUrgency;
  readonly certainty: CapCertainty;
}

/**
 * Whether the subscriber wants this version. Levels are judged on the version itself; a Cancel is
 * judged only on `wantsCancels` and the hazard (the all-clear of a warning one received must arrive
 * even if its last levels were below the subscriber's minimum — the matching says whether it was received).
 */
export function wantsVersion(wants: SubscriptionWants, v: PublishedVersion): boolean {
  const hazard = findHazard(v.hazard);
  if (wants.hazards !== null && wants.hazards.length > 0 && !wants.hazards.includes(v.hazard)) return false;
  if (
    wants.categories !== null &&
    wants.categories.length > 0 &&
    !(hazard?.category ?? []).some((c) => wants.categories?.includes(c))
  ) {
    return false;
  }
  if (v.msgType === 'Cancel') return wants.wantsCancels;
  if (v.msgType === 'Update' && !wants.wantsUpdates) return false;
  return (
    severityRank(v.severity) >= severityRank(wants.minSeverity) &&
    urgencyRank(v.urgency) >= urgencyRank(wants.minUrgency) &&
    certaintyRank(v.certainty) >= certaintyRank(wants.minCertainty)
  );
}

/** The first of the subscriber's languages (in order of preference) the warning is written in, else English, else its first. */
export function chooseLanguage(preferences: readonly string[], available: readonly string[]): string {
  const base = (tag: string) => tag.toLowerCase().split('-')[0] ?? tag;
  for (const wanted of preferences) {
    const found = available.find((a) => base(a) === base(wanted));
    if (found !== undefined) return found;
  }
  return available.find((a) => base(a) === 'en') ?? available[0] ?? 'en';
}

export interface QuietHours {
  /** Local wall-clock "HH:MM". */
  readonly start: string;
  readonly end: string;
  /** IANA zone of the subscriber. */
  readonly timeZone: string;
}

const minutesOf = (hhmm: string): number => {
  const [h = 0, m = 0] = hhmm.split(':').map(Number);
  return h * 60 + m;
};

/** Minutes since local midnight at an instant, in a zone. */
function localMinutes(atMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(atMs);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return part('hour') * 60 + part('minute');
}

/**
 * When a delivery may go: now, unless `nowMs` falls in the subscriber's quiet hours, then at their end —
 * except for Extreme warnings, which wake people up (and cancels, which end a warning someone is acting on).
 */
export function deliverAt(
  quiet: QuietHours | null,
  nowMs: number,
  v: Pick<PublishedVersion, 'severity' | 'msgType'>,
): number {
  if (quiet === null || v.severity === 'Extreme' || v.msgType === 'Cancel') return nowMs;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  let now: number;
  try {
    now = localMinutes(nowMs, quiet.timeZone);
  } catch {
    return nowMs; // an unknown zone: deliver rather than hold a warning on a guess
  }
  const inQuiet = start <= end ? now >= start && now < end : now >= start || now < end;
  if (!inQuiet) return nowMs;
  const wait = (end - now + 24 * 60) % (24 * 60);
  // To the minute: seconds of the current minute are dropped, the delivery goes at the end's minute.
  return nowMs - (nowMs % 60_000) + wait * 60_000;
}

/** The stable id of the delivery of one version to one subscription (receivers drop duplicates by it). */
export function deliveryIdOf(warningId: number, subscriptionId: number): string {
  return `dlv_${warningId}_${subscriptionId}`;
}

export interface DigestSetting {
  /** Local wall-clock "HH:MM" at which the day's summary goes. */
  readonly at: string;
  /** IANA zone of the subscriber. */
  readonly timeZone: string;
  /** Which warnings wait for the digest: only slow-onset hazards (the rest go at once), or all. */
  readonly onset: 'slow' | 'all';
}

/**
 * When a version joins the subscriber's digest: the next local `at` after `nowMs` — or null when it goes on
 * its own at once: no digest, an Extreme warning, or a sudden-onset hazard under `onset: slow`.
 */
export function digestAt(
  digest: DigestSetting | null,
  nowMs: number,
  v: Pick<PublishedVersion, 'severity' | 'hazard'>,
): number | null {
  if (digest === null || v.severity === 'Extreme') return null;
  if (digest.onset === 'slow' && findHazard(v.hazard)?.onset !== 'slow') return null;
  const target = minutesOf(digest.at);
  let now: number;
  try {
    now = localMinutes(nowMs, digest.timeZone);
  } catch {
    return null; // an unknown zone: deliver rather than hold a warning on a guess
  }
  const wait = (target - now + 24 * 60) % (24 * 60) || 24 * 60;
  const at = nowMs - (nowMs % 60_000) + wait * 60_000;
  // Across a daylight-saving change the wall clock moved by the shift: correct by what it reads then.
  const drift = ((localMinutes(at, digest.timeZone) - target + 36 * 60) % (24 * 60)) - 12 * 60;
  return at - drift * 60_000;
}

/**
 * The stable id of one digest, the webhook-id of each of its retries: the subscriber, the digest time and
 * the first warning version in it — so a version published in the very second the digest went out, sent
 * after it on its own, carries an id of its own instead of one the receiver would drop as a duplicate.
 */
export function digestIdOf(subscriptionId: number, digestAtMs: number, firstWarningId: number): string {
  return `dgs_${subscriptionId}_${Math.floor(digestAtMs / 1000)}_${firstWarningId}`;
}

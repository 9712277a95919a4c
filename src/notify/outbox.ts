/**
 * @module The outbox: in the transaction that publishes a warning version, one delivery per subscription
 * that its area reaches and that wants it — so a crash can never publish a warning and lose its deliveries.
 */
import type { Transaction } from 'kysely';
import {
  earlierRecipients,
  insertDeliveries,
  type SubscriptionRow,
  subscriptionsInBox,
} from '../store/delivery.repository.ts';
import type { Schema } from '../store/schema.ts';
import type { CapCertainty, CapSeverity, CapUrgency } from '../warn/cap/cap-alert.ts';
import { buildSubscriptionIndex, type SubscriptionArea } from './matching/subscription-index.ts';
import { chooseLanguage, deliverAt, deliveryIdOf, digestAt, wantsVersion } from './subscription-rules.ts';

/** Writes the deliveries of one published version; returns how many. */
export async function writeOutbox(
  tx: Transaction<Schema>,
  warningId: number,
  nowMs: number,
): Promise<number> {
  const v = await tx
    .selectFrom('warning as w')
    .innerJoin('warning_thread as t', 't.id', 'w.thread_id')
    .select([
      'w.id',
      'w.thread_id',
      'w.msg_type',
      'w.hazard',
      'w.severity',
      'w.urgency',
      'w.certainty',
      'w.content',
      'w.organisation_id',
      't.geometry',
      't.min_lon',
      't.min_lat',
      't.max_lon',
      't.max_lat',
    ])
    .where('w.id', '=', warningId)
    .executeTakeFirstOrThrow();
  const version = {
    hazard: v.hazard,
    msgType: v.msg_type,
    severity: v.severity as CapSeverity,
    urgency: v.urgency as CapUrgency,
    certainty: v.certainty as CapCertainty,
  };
  const candidates = await subscriptionsInBox(tx, [v.min_lon, v.min_lat, v.max_lon, v.max_lat]);
  const index = buildSubscriptionIndex(candidates.map((s) => ({ id: s.id, area: indexAreaOf(s) })));
  const circle = v.content.circle;
  const reached = new Set(
    index.matching(
      circle === null
        ? v.geometry
        : { kind: 'circle', lon: circle.lon, lat: circle.lat, radiusKm: circle.radiusKm },
    ),
  );
  const branch = await organisationBranch(tx, v.organisation_id);
  const recipients = new Map<number, SubscriptionRow>();
  for (const s of candidates) {
    // An organisation's responders hear its own warnings and those above and below it; the public hears all.
    if (s.managed && !branch.has(s.organisation_id)) continue;
    // An all-clear goes to those who heard the warning (below), not to everyone in the area.
    if (v.msg_type === 'Cancel') continue;
    if (reached.has(s.id) && wantsVersion(wantsOf(s), version)) recipients.set(s.id, s);
  }
  if (v.msg_type !== 'Alert') {
    // Whoever received the warning hears of its update or its end, even if it now lies below their minimum.
    for (const s of await earlierRecipients(tx, v.thread_id, v.id)) {
      if (v.msg_type === 'Update' ? s.wants_updates : s.wants_cancels) recipients.set(s.id, s);
    }
  }
  const languages = v.content.texts.map((t) => t.language);
  return insertDeliveries(
    tx,
    [...recipients.values()].map((s) => {
      // A digest subscriber chose the hour it hears from us: quiet hours do not apply to it.
      const inDigest = digestAt(s.digest, nowMs, version);
      return {
        id: deliveryIdOf(v.id, s.id),
        warningId: v.id,
        subscriptionId: s.id,
        channel: s.channel,
        target: s.target,
        language: chooseLanguage(s.languages, languages),
        nextAttemptAt: new Date(inDigest ?? deliverAt(s.quiet_hours, nowMs, version)),
        ackDueAt: null,
        digestAt: inDigest === null ? null : new Date(inDigest),
      };
    }),
  );
}

/** The organisation, its ancestors (a national agency above a city) and its descendants. */
async function organisationBranch(tx: Transaction<Schema>, organisationId: number): Promise<Set<number>> {
  const all = await tx.selectFrom('organisation').select(['id', 'parent_id']).execute();
  const parentOf = new Map(all.map((o) => [o.id, o.parent_id]));
  const isBelow = (id: number): boolean => {
    for (let p = parentOf.get(id); p !== undefined && p !== null; p = parentOf.get(p))
      if (p === organisationId) return true;
    return false;
  };
  const branch = new Set<number>([organisationId]);
  for (let p = parentOf.get(organisationId); p !== undefined && p !== null; p = parentOf.get(p))
    branch.add(p);
  for (const o of all) if (isBelow(o.id)) branch.add(o.id);
  return branch;
}

function wantsOf(s: SubscriptionRow) {
  return {
    hazards: s.hazards,
    categories: s.categories,
    minSeverity: s.min_severity as CapSeverity,
    minUrgency: s.min_urgency as CapUrgency,
    minCertainty: s.min_certainty as CapCertainty,
    wantsUpdates: s.wants_updates,
    wantsCancels: s.wants_cancels,
  };
}

export function indexAreaOf(s: Pick<SubscriptionRow, 'area'>): SubscriptionArea {
  const a = s.area;
  switch (a.kind) {
    case 'polygon':
    case 'area':
      return { kind: 'polygon', geometry: a.geometry };
    case 'circle':
      return { kind: 'circle', lon: a.lon, lat: a.lat, radiusKm: a.radiusKm };
    case 'point':
      return { kind: 'point', lon: a.lon, lat: a.lat };
  }
}

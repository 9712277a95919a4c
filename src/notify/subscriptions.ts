/**
 * @module Subscriptions: organisation-managed ones (active at once) and public self-service ones (double
 * opt-in: active only after the link or code sent to the address is used), one-click unsubscribe, and
 * acknowledgements by link, API call or SMS reply.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { Ew4eError, notFound } from '../errors.ts';
import { bboxOf } from '../geo/geojson-validation.ts';
import type { Schema, SubscriptionAreaSpec } from '../store/schema.ts';
import { acknowledgeToken } from './dispatcher.ts';
import type { DigestSetting } from './subscription-rules.ts';

export type SubscriptionChannel = 'webhook' | 'email' | 'sms' | 'mqtt';

export interface NewSubscription {
  readonly organisationId: number;
  readonly managed: boolean;
  readonly channel: SubscriptionChannel;
  readonly target: string;
  readonly recipientName: string | null;
  readonly area: SubscriptionAreaSpec;
  readonly hazards: readonly string[] | null;
  readonly categories: readonly string[] | null;
  readonly minSeverity: string;
  readonly minUrgency: string;
  readonly minCertainty: string;
  readonly languages: readonly string[];
  readonly wantsUpdates: boolean;
  readonly wantsCancels: boolean;
  readonly quietHours: { start: string; end: string; timeZone: string } | null;
  readonly digest: DigestSetting | null;
  readonly ackWithinS: number | null;
  readonly escalateTo: number | null;
  readonly webhookSecret: string | null;
}

const TARGET_PATTERNS: Readonly<Record<SubscriptionChannel, { pattern: RegExp; reason: string }>> = {
  webhook: { pattern: /^https?:\/\/[^\s/]+(\/\S*)?$/, reason: 'a webhook target is an http(s) URL' },
  email: { pattern: /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/, reason: 'an e-mail target is an address' },
  sms: {
    pattern: /^\+[1-9]\d{6,14}$/,
    reason: 'an SMS target is a phone number in E.164 form (+8801712345678)',
  },
  mqtt: {
    pattern: /^[A-Za-z0-9_\-/]{0,100}$/,
    reason: 'an MQTT target is a topic prefix (letters, digits, _ - /) or empty',
  },
};

export function checkTarget(channel: SubscriptionChannel, target: string): void {
  const rule = TARGET_PATTERNS[channel];
  if (!rule.pattern.test(target)) {
    throw new Ew4eError('EW4E_BAD_REQUEST', rule.reason, [
      { pointer: '/target', field: 'target', reason: rule.reason },
    ]);
  }
}

const KM_PER_DEGREE = 111.32;

/** The bounding box the SQL prefilter uses; anything across ±180 spans the whole band of longitudes. */
export function boxOfArea(area: SubscriptionAreaSpec): [number, number, number, number] {
  if (area.kind === 'polygon' || area.kind === 'area') {
    // The box of the positions as given; one wider than half the world may be meant across ±180, so the
    // prefilter takes the whole band of longitudes (a superset: the exact test decides).
    const [minLon, minLat, maxLon, maxLat] = bboxOf(area.geometry);
    return maxLon - minLon > 180 ? [-180, minLat, 180, maxLat] : [minLon, minLat, maxLon, maxLat];
  }
  const r = area.kind === 'circle' ? area.radiusKm : 0;
  const dLat = r / KM_PER_DEGREE;
  const dLon = r / (KM_PER_DEGREE * Math.max(Math.cos((area.lat * Math.PI) / 180), 0.01));
  const minLon = area.lon - dLon;
  const maxLon = area.lon + dLon;
  const wraps = minLon < -180 || maxLon > 180;
  return [
    wraps ? -180 : minLon,
    Math.max(-90, area.lat - dLat),
    wraps ? 180 : maxLon,
    Math.min(90, area.lat + dLat),
  ];
}

const token = (): string => randomBytes(18).toString('base64url');

export class Subscriptions {
  readonly #db: Kysely<Schema>;

  constructor(db: Kysely<Schema>) {
    this.#db = db;
  }

  /** Stores a subscription; public ones wait for confirmation (returned token), managed ones are active. */
  async create(
    s: NewSubscription,
  ): Promise<{ id: number; confirmToken: string | null; unsubscribeToken: string }> {
    checkTarget(s.channel, s.target);
    const [minLon, minLat, maxLon, maxLat] = boxOfArea(s.area);
    const confirmToken = s.managed ? null : token();
    const unsubscribeToken = token();
    const row = await this.#db
      .insertInto('subscription')
      .values({
        organisation_id: s.organisationId,
        managed: s.managed,
        channel: s.channel,
        target: s.target,
        recipient_name: s.recipientName,
        area: JSON.stringify(s.area),
        min_lon: minLon,
        min_lat: minLat,
        max_lon: maxLon,
        max_lat: maxLat,
        hazards: s.hazards === null ? null : [...s.hazards],
        categories: s.categories === null ? null : [...s.categories],
        min_severity: s.minSeverity,
        min_urgency: s.minUrgency,
        min_certainty: s.minCertainty,
        languages: [...s.languages],
        wants_updates: s.wantsUpdates,
        wants_cancels: s.wantsCancels,
        quiet_hours: JSON.stringify(s.quietHours),
        digest: s.digest === null ? null : JSON.stringify(s.digest),
        status: s.managed ? 'active' : 'pending',
        confirm_token: confirmToken,
        unsubscribe_token: unsubscribeToken,
        webhook_secret: s.webhookSecret,
        ack_within_s: s.ackWithinS,
        escalate_to: s.escalateTo,
        confirmed_at: s.managed ? new Date() : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: row.id, confirmToken, unsubscribeToken };
  }

  /** Double opt-in: the token sent to the address makes the subscription active. */
  async confirm(confirmToken: string): Promise<number> {
    const row = await this.#db
      .updateTable('subscription')
      .set({ status: 'active', confirm_token: null, confirmed_at: new Date() })
      .where('confirm_token', '=', confirmToken)
      .where('status', '=', 'pending')
      .returning('id')
      .executeTakeFirst();
    if (row === undefined) throw notFound('pending subscription for this token');
    return row.id;
  }

  /** One click, no login (RFC 8058): the token in the link is the authority. Unsubscribing twice is fine. */
  async unsubscribe(unsubscribeToken: string): Promise<number> {
    const row = await this.#db
      .updateTable('subscription')
      .set({ status: 'unsubscribed' })
      .where('unsubscribe_token', '=', unsubscribeToken)
      .returning('id')
      .executeTakeFirst();
    if (row === undefined) throw notFound('subscription for this token');
    return row.id;
  }

  /** Acknowledges a delivery: by its link token, or as a caller of the subscription's organisation. */
  async acknowledge(
    deliveryId: string,
    by: { token: string } | { actor: string; readable: readonly number[] },
  ): Promise<void> {
    const d = await this.#db
      .selectFrom('delivery as d')
      .innerJoin('subscription as s', 's.id', 'd.subscription_id')
      .select(['d.id', 'd.acknowledged_at', 's.unsubscribe_token', 's.organisation_id'])
      .where('d.id', '=', deliveryId)
      .executeTakeFirst();
    if (d === undefined) throw notFound('delivery');
    let actor: string;
    if ('token' in by) {
      const expected = Buffer.from(acknowledgeToken(d.id, d.unsubscribe_token));
      const given = Buffer.from(by.token);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw notFound('delivery');
      actor = 'link';
    } else {
      if (!by.readable.includes(d.organisation_id)) throw notFound('delivery');
      actor = by.actor;
    }
    if (d.acknowledged_at !== null) return;
    await this.#db
      .updateTable('delivery')
      .set({ acknowledged_at: new Date(), acknowledged_by: actor })
      .where('id', '=', d.id)
      .execute();
  }

  /** An SMS reply "ACK" (any case, any words after it) acknowledges the latest delivery to that number. */
  async acknowledgeBySms(from: string, text: string): Promise<string | null> {
    if (!/^\s*ack\b/i.test(text)) return null;
    const d = await this.#db
      .selectFrom('delivery')
      .select('id')
      .where('channel', '=', 'sms')
      .where('target', '=', from)
      .where('status', '=', 'delivered')
      .where('acknowledged_at', 'is', null)
      .orderBy('delivered_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (d === undefined) return null;
    await this.#db
      .updateTable('delivery')
      .set({ acknowledged_at: new Date(), acknowledged_by: `sms:${from}` })
      .where('id', '=', d.id)
      .execute();
    return d.id;
  }
}

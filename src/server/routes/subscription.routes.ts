/** @module Subscription routes: organisation-managed subscriptions, public self-service with double opt-in and one-click unsubscribe, acknowledgements, and the delivery log. */
import type { MultiPolygon, Polygon } from 'geojson';
import { type Static, Type } from 'typebox';
import type { Services } from '../../app.ts';
import { Ew4eError, notFound } from '../../errors.ts';
import { validateGeometry } from '../../geo/geojson-validation.ts';
import { problemDetail } from '../../ingest/observation-ingest.ts';
import type { NewSubscription, SubscriptionChannel } from '../../notify/subscriptions.ts';
import { actorOf } from '../../registry/access.ts';
import type { SubscriptionAreaSpec } from '../../store/schema.ts';
import { areaById } from '../../store/warning.repository.ts';
import { CAP_CATEGORIES, CAP_CERTAINTIES, CAP_SEVERITIES, CAP_URGENCIES } from '../../warn/cap/cap-alert.ts';
import { HAZARD_CODES } from '../../warn/hazards.ts';
import { callerOf, type HttpServer } from '../http-server.ts';
import { IdParam, RowId } from './route-schemas.ts';

const Area = Type.Union(
  [
    Type.Object({ kind: Type.Literal('polygon'), geometry: Type.Unknown() }, { additionalProperties: false }),
    Type.Object({ kind: Type.Literal('area'), area_id: RowId() }, { additionalProperties: false }),
    Type.Object(
      {
        kind: Type.Literal('circle'),
        lon: Type.Number({ minimum: -180, maximum: 180 }),
        lat: Type.Number({ minimum: -90, maximum: 90 }),
        radius_km: Type.Number({ exclusiveMinimum: 0, maximum: 2000 }),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        kind: Type.Literal('point'),
        lon: Type.Number({ minimum: -180, maximum: 180 }),
        lat: Type.Number({ minimum: -90, maximum: 90 }),
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'a GeoJSON polygon, a known area (country, city, protected area), a circle, or a point' },
);

const Clock = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' });
const TimeZone = Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Asia/Dhaka' });

const subscriptionProperties = {
  target: Type.String({
    minLength: 0,
    maxLength: 500,
    description: 'URL, e-mail address, E.164 number or MQTT topic prefix',
  }),
  recipient_name: Type.Optional(Type.String({ maxLength: 200 })),
  area: Area,
  hazards: Type.Optional(Type.Array(Type.Enum([...HAZARD_CODES]), { maxItems: 20, uniqueItems: true })),
  categories: Type.Optional(Type.Array(Type.Enum([...CAP_CATEGORIES]), { maxItems: 12, uniqueItems: true })),
  min_severity: Type.Optional(Type.Enum([...CAP_SEVERITIES])),
  min_urgency: Type.Optional(Type.Enum([...CAP_URGENCIES])),
  min_certainty: Type.Optional(Type.Enum([...CAP_CERTAINTIES])),
  languages: Type.Optional(
    Type.Array(Type.String({ pattern: '^[a-z]{2}(-[A-Za-z0-9]{1,8})*$' }), { minItems: 1, maxItems: 6 }),
  ),
  wants_updates: Type.Optional(Type.Boolean()),
  wants_cancels: Type.Optional(Type.Boolean()),
  quiet_hours: Type.Optional(
    Type.Object(
      { start: Clock, end: Clock, time_zone: TimeZone },
      {
        additionalProperties: false,
        description: 'held until `end` (local time), unless Extreme or an all-clear',
      },
    ),
  ),
  digest: Type.Optional(
    Type.Object(
      {
        at: Clock,
        time_zone: TimeZone,
        onset: Type.Optional(
          Type.Enum(['slow', 'all'], {
            description: 'slow (default): only slow-onset hazards wait for the digest; all: every warning',
          }),
        ),
      },
      {
        additionalProperties: false,
        description:
          'one summary a day at `at` (local time) instead of a message per warning; Extreme warnings still go at once. Not for MQTT.',
      },
    ),
  ),
};

/** An IANA zone the runtime knows: a mistyped one would otherwise shift every delivery silently. */
function checkTimeZone(zone: string, pointer: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    throw new Ew4eError('EW4E_BAD_REQUEST', `unknown time zone "${zone}"`, [
      { pointer, reason: 'must be an IANA time zone such as Africa/Nairobi' },
    ]);
  }
}

export async function subscriptionRoutes(
  app: HttpServer,
  { services }: { services: Services },
): Promise<void> {
  const { subscriptions } = services;
  const db = services.database.db;

  const resolveArea = async (
    area: Static<typeof Area>,
    readable: readonly number[] | null,
  ): Promise<SubscriptionAreaSpec> => {
    switch (area.kind) {
      case 'polygon': {
        const checked = validateGeometry(area.geometry, { row: -1, pointer: '/area/geometry' });
        if ('problems' in checked)
          throw new Ew4eError(
            'EW4E_BAD_REQUEST',
            'the area is not valid GeoJSON',
            checked.problems.map(problemDetail),
          );
        if (checked.geometry.type !== 'Polygon' && checked.geometry.type !== 'MultiPolygon') {
          throw new Ew4eError('EW4E_BAD_REQUEST', 'a subscription area is a Polygon or MultiPolygon', [
            { pointer: '/area/geometry/type', reason: 'must be Polygon or MultiPolygon' },
          ]);
        }
        return { kind: 'polygon', geometry: checked.geometry };
      }
      case 'area': {
        const found = await areaById(db, area.area_id);
        const visible =
          found !== undefined &&
          (found.organisation_id === null || readable === null || readable.includes(found.organisation_id));
        if (!visible) throw notFound('area');
        return { kind: 'area', areaId: found.id, geometry: found.geometry as Polygon | MultiPolygon };
      }
      case 'circle':
        return { kind: 'circle', lon: area.lon, lat: area.lat, radiusKm: area.radius_km };
      case 'point':
        return { kind: 'point', lon: area.lon, lat: area.lat };
    }
  };

  const newSubscription = async (
    body: { channel: SubscriptionChannel } & { [K in keyof typeof subscriptionProperties]?: unknown },
    organisationId: number,
    managed: boolean,
    readable: readonly number[] | null,
    extra: { ackWithinS: number | null; escalateTo: number | null },
  ): Promise<NewSubscription> => {
    const b = body as Record<string, unknown> & { channel: SubscriptionChannel };
    const quiet = b.quiet_hours as { start: string; end: string; time_zone: string } | undefined;
    const digest = b.digest as { at: string; time_zone: string; onset?: 'slow' | 'all' } | undefined;
    if (quiet !== undefined) checkTimeZone(quiet.time_zone, '/quiet_hours/time_zone');
    if (digest !== undefined) {
      checkTimeZone(digest.time_zone, '/digest/time_zone');
      if (b.channel === 'mqtt')
        throw new Ew4eError('EW4E_BAD_REQUEST', 'MQTT subscribers get each warning: no digest', [
          { pointer: '/digest', reason: 'digests go by webhook, e-mail or SMS' },
        ]);
    }
    return {
      organisationId,
      managed,
      channel: b.channel,
      target: String(b.target ?? ''),
      recipientName: (b.recipient_name as string | undefined) ?? null,
      area: await resolveArea(b.area as Static<typeof Area>, readable),
      hazards: (b.hazards as string[] | undefined) ?? null,
      categories: (b.categories as string[] | undefined) ?? null,
      minSeverity: (b.min_severity as string | undefined) ?? 'Minor',
      minUrgency: (b.min_urgency as string | undefined) ?? 'Unknown',
      minCertainty: (b.min_certainty as string | undefined) ?? 'Unknown',
      languages: (b.languages as string[] | undefined) ?? ['en'],
      wantsUpdates: (b.wants_updates as boolean | undefined) ?? true,
      wantsCancels: (b.wants_cancels as boolean | undefined) ?? true,
      quietHours:
        quiet === undefined ? null : { start: quiet.start, end: quiet.end, timeZone: quiet.time_zone },
      digest:
        digest === undefined
          ? null
          : { at: digest.at, timeZone: digest.time_zone, onset: digest.onset ?? 'slow' },
      ackWithinS: extra.ackWithinS,
      escalateTo: extra.escalateTo,
      webhookSecret: b.channel === 'webhook' ? await services.webhookSecretFor(String(b.target ?? '')) : null,
    };
  };

  app.post(
    '/v1/subscriptions',
    {
      config: { role: 'analyst', scope: 'subscriptions:manage' },
      schema: {
        tags: ['dissemination'],
        summary:
          'An organisation-managed subscription (agencies, responders): active at once, with acknowledgement and escalation',
        body: Type.Object(
          {
            channel: Type.Enum(['webhook', 'email', 'sms', 'mqtt']),
            ...subscriptionProperties,
            ack_within_s: Type.Optional(
              Type.Integer({
                minimum: 60,
                maximum: 7 * 86_400,
                description: 'ask for an acknowledgement within this time',
              }),
            ),
            escalate_to: Type.Optional(
              Type.Integer({
                minimum: 1,
                description: 'subscription told when no acknowledgement comes in time',
              }),
            ),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const b = request.body;
      if (b.escalate_to !== undefined) {
        const next = await db
          .selectFrom('subscription')
          .select('organisation_id')
          .where('id', '=', b.escalate_to)
          .executeTakeFirst();
        if (next === undefined || !caller.readableOrganisationIds.includes(next.organisation_id))
          throw notFound('escalation subscription');
      }
      const created = await subscriptions.create(
        await newSubscription(b, caller.organisationId, true, caller.readableOrganisationIds, {
          ackWithinS: b.ack_within_s ?? null,
          escalateTo: b.escalate_to ?? null,
        }),
      );
      const secret = b.channel === 'webhook' ? await services.webhookSecretFor(b.target) : null;
      return reply
        .status(201)
        .send({ id: created.id, status: 'active', ...(secret === null ? {} : { webhook_secret: secret }) });
    },
  );

  app.get(
    '/v1/subscriptions',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: { tags: ['dissemination'], summary: "The organisation's subscriptions" },
    },
    async (request) => {
      const readable = callerOf(request).readableOrganisationIds;
      const rows = await db
        .selectFrom('subscription')
        .select([
          'id',
          'organisation_id',
          'managed',
          'channel',
          'target',
          'recipient_name',
          'status',
          'hazards',
          'min_severity',
          'languages',
          'quiet_hours',
          'digest',
          'ack_within_s',
          'escalate_to',
          'created_at',
        ])
        .where('organisation_id', 'in', readable.length > 0 ? [...readable] : [-1])
        .orderBy('id')
        .limit(1000)
        .execute();
      return { items: rows.map((r) => ({ ...r, created_at: r.created_at.toISOString() })) };
    },
  );

  app.get(
    '/v1/subscriptions/:id/deliveries',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['dissemination'],
        summary: 'Deliveries to one subscriber, newest first, with their attempts',
        params: IdParam,
      },
    },
    async (request) => {
      const readable = callerOf(request).readableOrganisationIds;
      const s = await db
        .selectFrom('subscription')
        .select('organisation_id')
        .where('id', '=', request.params.id)
        .executeTakeFirst();
      if (s === undefined || !readable.includes(s.organisation_id)) throw notFound('subscription');
      const rows = await db
        .selectFrom('delivery')
        .selectAll()
        .where('subscription_id', '=', request.params.id)
        .orderBy('created_at', 'desc')
        .limit(500)
        .execute();
      return { items: rows.map(deliveryJson) };
    },
  );

  app.get(
    '/v1/warnings/:id/deliveries',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['dissemination'],
        summary:
          'Deliveries of every version of a warning thread: a summary per channel and status, and each delivery',
        params: IdParam,
      },
    },
    async (request) => {
      const readable = callerOf(request).readableOrganisationIds;
      const thread = await db
        .selectFrom('warning_thread')
        .select('organisation_id')
        .where('id', '=', request.params.id)
        .executeTakeFirst();
      if (thread === undefined || !readable.includes(thread.organisation_id)) throw notFound('warning');
      const rows = await db
        .selectFrom('delivery as d')
        .innerJoin('warning as w', 'w.id', 'd.warning_id')
        .selectAll('d')
        .select('w.version')
        .where('w.thread_id', '=', request.params.id)
        .orderBy('d.created_at')
        .limit(10_000)
        .execute();
      const summary: Record<string, Record<string, number>> = {};
      for (const r of rows) {
        const byStatus = summary[r.channel] ?? {};
        byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
        summary[r.channel] = byStatus;
      }
      const latencies = rows
        .filter((r) => r.delivered_at !== null)
        .map((r) => (r.delivered_at as Date).getTime() - r.created_at.getTime())
        .sort((a, b) => a - b);
      return {
        summary,
        delivered_latency_ms:
          latencies.length === 0
            ? null
            : {
                p50: latencies[Math.floor(latencies.length * 0.5)],
                p99: latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))],
              },
        items: rows.map((r) => ({ ...deliveryJson(r), version: r.version })),
      };
    },
  );

  app.get(
    '/v1/deliveries/:id/attempts',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['dissemination'],
        summary: 'Every attempt of one delivery: outcome, response code, latency, error',
        params: Type.Object({ id: Type.String({ pattern: '^dlv_[0-9_e]+$' }) }),
      },
    },
    async (request) => {
      const readable = callerOf(request).readableOrganisationIds;
      const d = await db
        .selectFrom('delivery as d')
        .innerJoin('subscription as s', 's.id', 'd.subscription_id')
        .select('s.organisation_id')
        .where('d.id', '=', request.params.id)
        .executeTakeFirst();
      if (d === undefined || !readable.includes(d.organisation_id)) throw notFound('delivery');
      const rows = await db
        .selectFrom('delivery_attempt')
        .selectAll()
        .where('delivery_id', '=', request.params.id)
        .orderBy('attempt')
        .execute();
      return { items: rows.map((a) => ({ ...a, at: a.at.toISOString() })) };
    },
  );

  app.post(
    '/v1/deliveries/:id/acknowledge',
    {
      config: { role: 'viewer', scope: 'incidents:write' },
      schema: {
        tags: ['dissemination'],
        summary: "A responder acknowledges a warning delivered to their organisation's subscription",
        params: Type.Object({ id: Type.String({ pattern: '^dlv_[0-9_e]+$' }) }),
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await subscriptions.acknowledge(request.params.id, {
        actor: actorOf(caller),
        readable: caller.readableOrganisationIds,
      });
      return { acknowledged: true };
    },
  );

  // ---------------------------------------------------------------- public self-service

  app.post(
    '/public/subscriptions',
    {
      // each request sends an e-mail or SMS to whatever address it names
      config: { throttle: 'self-service' },
      schema: {
        tags: ['dissemination'],
        summary:
          'Subscribe yourself (e-mail or SMS); nothing is sent until you confirm with the link or code you receive',
        security: [],
        body: Type.Object(
          { channel: Type.Enum(['email', 'sms']), ...subscriptionProperties },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const b = request.body;
      const created = await subscriptions.create(
        await newSubscription(b, services.globalOrganisationId, false, null, {
          ackWithinS: null,
          escalateTo: null,
        }),
      );
      await services.sendConfirmation(b.channel, b.target, created.confirmToken ?? '');
      return reply.status(202).send({
        id: created.id,
        status: 'pending',
        confirm: 'follow the link or send back the code we sent you',
      });
    },
  );

  const TokenQuery = Type.Object({ token: Type.String({ minLength: 10, maxLength: 100 }) });

  app.get(
    '/public/subscriptions/confirm',
    {
      config: { throttle: 'self-service' },
      schema: {
        tags: ['dissemination'],
        summary: 'Confirm a self-service subscription (double opt-in)',
        security: [],
        querystring: TokenQuery,
      },
    },
    async (request) => {
      const id = await subscriptions.confirm(request.query.token);
      return { id, status: 'active' };
    },
  );

  app.post(
    '/public/unsubscribe',
    {
      schema: {
        tags: ['dissemination'],
        summary: 'One-click unsubscribe (RFC 8058 List-Unsubscribe-Post)',
        security: [],
        querystring: TokenQuery,
      },
    },
    async (request) => {
      await subscriptions.unsubscribe(request.query.token);
      return { status: 'unsubscribed' };
    },
  );

  app.get(
    '/public/unsubscribe',
    {
      schema: {
        tags: ['dissemination'],
        summary:
          'The unsubscribe page: a button that posts the one-click request (link scanners must not unsubscribe anyone)',
        security: [],
        querystring: TokenQuery,
      },
    },
    async (request, reply) => {
      const token = encodeURIComponent(request.query.token);
      return reply
        .type('text/html; charset=utf-8')
        .send(
          `<!doctype html><meta charset="utf-8"><title>Unsubscribe</title><form method="post" action="/public/unsubscribe?token=${token}"><p>Stop receiving EW4E warnings at this address?</p><button>Unsubscribe</button></form>`,
        );
    },
  );

  app.get(
    '/public/acknowledge',
    {
      schema: {
        tags: ['dissemination'],
        summary: 'Acknowledge a delivered warning from the link in it',
        security: [],
        querystring: Type.Object({
          delivery: Type.String({ pattern: '^dlv_[0-9_e]+$' }),
          token: Type.String({ minLength: 10, maxLength: 60 }),
        }),
      },
    },
    async (request) => {
      await subscriptions.acknowledge(request.query.delivery, { token: request.query.token });
      return { acknowledged: true };
    },
  );

  app.post(
    '/public/sms/inbound',
    {
      schema: {
        tags: ['dissemination'],
        summary: 'Replies from the SMS gateway: "ACK" acknowledges the latest warning sent to that number',
        security: [],
        body: Type.Object({
          from: Type.String({ pattern: '^\\+[1-9]\\d{6,14}$' }),
          text: Type.String({ maxLength: 1600 }),
        }),
      },
    },
    async (request) => {
      const id = await subscriptions.acknowledgeBySms(request.body.from, request.body.text);
      return { acknowledged: id !== null, delivery: id };
    },
  );
}

function deliveryJson(r: {
  id: string;
  warning_id: number;
  subscription_id: number;
  channel: string;
  target: string;
  language: string;
  status: string;
  attempts: number;
  last_response_code: number | null;
  last_error: string | null;
  escalation_level: number;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  created_at: Date;
  delivered_at: Date | null;
  next_attempt_at: Date;
  digest_at: Date | null;
}) {
  return {
    id: r.id,
    warning_id: r.warning_id,
    subscription_id: r.subscription_id,
    channel: r.channel,
    target: r.target,
    language: r.language,
    status: r.status,
    attempts: r.attempts,
    last_response_code: r.last_response_code,
    last_error: r.last_error,
    escalation_level: r.escalation_level,
    acknowledged_at: r.acknowledged_at?.toISOString() ?? null,
    acknowledged_by: r.acknowledged_by,
    created_at: r.created_at.toISOString(),
    delivered_at: r.delivered_at?.toISOString() ?? null,
    next_attempt_at: r.status === 'pending' ? r.next_attempt_at.toISOString() : null,
    /** Set when the delivery went, or goes, in the subscriber's digest of that time. */
    digest_at: r.digest_at?.toISOString() ?? null,
  };
}

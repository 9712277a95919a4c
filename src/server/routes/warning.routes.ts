/** @module Warning routes: threads and their versions, review (approve with edits, reject, cancel), the audit log, silences and verification. */
import type { MultiPolygon, Polygon } from 'geojson';
import { Type } from 'typebox';
import type { Services } from '../../app.ts';
import { Ew4eError, notFound } from '../../errors.ts';
import { validateGeometry } from '../../geo/geojson-validation.ts';
import { problemDetail } from '../../ingest/observation-ingest.ts';
import { actorOf } from '../../registry/access.ts';
import { appendSecurityEvent } from '../../store/audit.repository.ts';
import {
  areaById,
  auditOf,
  silencesOverOrganisation,
  threadById,
  versionsOf,
} from '../../store/warning.repository.ts';
import { listThreads, listVerifiedEpisodes } from '../../store/warning-read.repository.ts';
import { CAP_CERTAINTIES, CAP_SEVERITIES, CAP_URGENCIES } from '../../warn/cap/cap-alert.ts';
import { signCapXml } from '../../warn/cap/cap-signature.ts';
import { toCapXml } from '../../warn/cap/cap-xml.ts';
import { HAZARD_CODES } from '../../warn/hazards.ts';
import { summariseVerification } from '../../warn/verification.ts';
import type { WarningText } from '../../warn/warning-cap.ts';
import type { WarningLevels } from '../../warn/warning-policy.ts';
import { silenceCovers, type WarningEdits } from '../../warn/warning-service.ts';
import { callerOf, type HttpServer } from '../http-server.ts';
import { BigRowId, IdParam, queryError, RowId } from './route-schemas.ts';

/** A minimal alert the key must be able to sign before it is accepted. */
const KEY_CHECK_ALERT = toCapXml({
  identifier: 'key-check',
  sender: 'ew4e',
  sent: '2026-01-01T00:00:00-00:00',
  status: 'Test',
  msgType: 'Alert',
  scope: 'Public',
  code: [],
  references: [],
  incidents: [],
  info: [],
});

const Levels = Type.Object(
  {
    severity: Type.Optional(Type.Enum([...CAP_SEVERITIES])),
    urgency: Type.Optional(Type.Enum([...CAP_URGENCIES])),
    certainty: Type.Optional(Type.Enum([...CAP_CERTAINTIES])),
  },
  { additionalProperties: false },
);

const Text = Type.Object(
  {
    language: Type.String({ minLength: 2, maxLength: 35 }),
    event: Type.String({ minLength: 1, maxLength: 200 }),
    headline: Type.String({ minLength: 1, maxLength: 160 }),
    description: Type.String({ minLength: 1, maxLength: 4000 }),
    instruction: Type.String({ minLength: 1, maxLength: 4000 }),
  },
  { additionalProperties: false },
);

/** What an approver may change in a version: at approval, or in an Update of the standing warning. */
const EditFields = {
  texts: Type.Optional(Type.Array(Text, { maxItems: 10 })),
  area_desc: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  levels: Type.Optional(Levels),
  expires: Type.Optional(Type.String({ format: 'date-time' })),
};

function editsOf(body: {
  texts?: WarningText[];
  area_desc?: string;
  levels?: Partial<WarningLevels>;
  expires?: string;
}): WarningEdits {
  const expiresMs = body.expires === undefined ? undefined : Date.parse(body.expires);
  if (expiresMs !== undefined && expiresMs <= Date.now())
    throw queryError('expires', '`expires` must be in the future');
  return {
    ...(body.texts === undefined ? {} : { texts: body.texts }),
    ...(body.area_desc === undefined ? {} : { areaDesc: body.area_desc }),
    ...(body.levels === undefined ? {} : { levels: body.levels }),
    ...(expiresMs === undefined ? {} : { expiresMs }),
  };
}

const VersionParams = Type.Object({
  id: BigRowId(),
  version: Type.Integer({ minimum: 1, maximum: 10_000 }),
});

export async function warningRoutes(app: HttpServer, { services }: { services: Services }): Promise<void> {
  const { warnings, database } = services;
  const db = database.db;

  app.get(
    '/v1/warnings',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['warnings'],
        summary: 'Warning threads (one per episode), newest first, with their current and pending versions',
        querystring: Type.Object({
          status: Type.Optional(Type.Enum(['open', 'closed'])),
          hazard: Type.Optional(Type.Enum([...HAZARD_CODES])),
          review: Type.Optional(
            Type.Boolean({ description: 'true: only threads with a version awaiting an approver' }),
          ),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
          after: Type.Optional(BigRowId({ description: 'the last id of the previous page' })),
        }),
      },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? 100;
      const items = await listThreads(db, {
        readable: callerOf(request).readableOrganisationIds,
        status: q.status,
        hazard: q.hazard,
        awaitingReview: q.review,
        after: q.after,
        limit,
      });
      return { items, next_after: items.length === limit ? (items.at(-1)?.id ?? null) : null };
    },
  );

  app.get(
    '/v1/warnings/:id',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['warnings'],
        summary: 'One warning thread: its area (GeoJSON), exposure, evidence and every version',
        params: IdParam,
      },
    },
    async (request) => {
      const thread = await threadById(db, request.params.id);
      if (
        thread === undefined ||
        !callerOf(request).readableOrganisationIds.includes(thread.organisation_id)
      ) {
        throw notFound('warning');
      }
      const versions = await versionsOf(db, thread.id);
      return {
        id: thread.id,
        hazard: thread.hazard,
        status: thread.status,
        closed_reason: thread.closed_reason,
        rule: thread.rule_id === null ? null : { id: thread.rule_id, version: thread.rule_version },
        detector: thread.detector,
        area: {
          type: 'Feature',
          properties: { name: thread.area_desc, area_ids: thread.area_ids },
          geometry: thread.geometry,
        },
        exposure: thread.exposure,
        evidence: {
          signals: thread.state.signalCount,
          first: thread.first_signal_at.toISOString(),
          last: thread.last_signal_at.toISOString(),
          first_observed:
            thread.state.firstObservedMs === null
              ? null
              : new Date(thread.state.firstObservedMs).toISOString(),
        },
        verification: thread.verification,
        verified_by: thread.verified_by,
        lead_time_s: thread.lead_time_s,
        closed_at: thread.closed_at?.toISOString() ?? null,
        versions: versions.map((v) => ({
          version: v.version,
          identifier: v.identifier,
          status: v.status,
          msg_type: v.msg_type,
          change: v.change,
          severity: v.severity,
          urgency: v.urgency,
          certainty: v.certainty,
          sent: v.sent_at?.toISOString() ?? null,
          expires: v.expires_at.toISOString(),
          signed: v.signed,
          review_reason: v.review_reason,
          reviewed_by: v.reviewed_by,
          texts: v.content.texts,
          area_desc: v.content.areaDesc,
          cap_url: v.status === 'published' ? `${services.publicUrl}/cap/${v.identifier}.xml` : null,
        })),
      };
    },
  );

  app.get(
    '/v1/warnings/:id/audit',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['warnings'],
        summary: "The thread's audit log: who did what, when, what changed",
        params: IdParam,
      },
    },
    async (request) => {
      const readable = callerOf(request).readableOrganisationIds;
      const thread = await threadById(db, request.params.id);
      if (thread === undefined || !readable.includes(thread.organisation_id)) throw notFound('warning');
      const rows = await auditOf(db, { threadId: thread.id, readable });
      return { items: rows.map((r) => ({ ...r, at: r.at.toISOString() })) };
    },
  );

  app.post(
    '/v1/warnings/:id/versions/:version/approve',
    {
      config: { role: 'approver', scope: 'warnings:review' },
      schema: {
        tags: ['warnings'],
        summary:
          'Publish a version awaiting review, optionally with edits (texts per language, area name, levels, expiry)',
        params: VersionParams,
        body: Type.Optional(Type.Object(EditFields, { additionalProperties: false })),
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await warnings.approve(
        request.params.id,
        request.params.version,
        actorOf(caller),
        caller.readableOrganisationIds,
        editsOf(request.body ?? {}),
      );
      return { published: true };
    },
  );

  app.post(
    '/v1/warnings/:id/amend',
    {
      config: { role: 'approver', scope: 'warnings:review' },
      schema: {
        tags: ['warnings'],
        summary:
          'Publish a CAP Update of the standing warning now, with edits (texts per language, area name, levels, expiry) and the reason',
        description:
          'New levels re-write the words unless texts are given too. Refused (409) while a version awaits review, when no published warning stands, and for levels below what the live evidence says (the thread would raise them again at once).',
        params: IdParam,
        body: Type.Object(
          { ...EditFields, reason: Type.String({ minLength: 1, maxLength: 2000 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ published: Type.Boolean(), version: Type.Integer() }) },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const version = await warnings.amend(
        request.params.id,
        actorOf(caller),
        caller.readableOrganisationIds,
        editsOf(request.body),
        request.body.reason,
      );
      return { published: true, version };
    },
  );

  app.post(
    '/v1/warnings/:id/versions/:version/reject',
    {
      config: { role: 'approver', scope: 'warnings:review' },
      schema: {
        tags: ['warnings'],
        summary: 'Reject a version awaiting review, with a reason',
        params: VersionParams,
        body: Type.Object(
          { reason: Type.String({ minLength: 1, maxLength: 2000 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await warnings.reject(
        request.params.id,
        request.params.version,
        actorOf(caller),
        caller.readableOrganisationIds,
        request.body.reason,
      );
      return { rejected: true };
    },
  );

  app.post(
    '/v1/warnings/:id/cancel',
    {
      config: { role: 'approver', scope: 'warnings:review' },
      schema: {
        tags: ['warnings'],
        summary:
          'End a thread now: a published warning is cancelled (CAP Cancel), pending versions withdrawn',
        params: IdParam,
        body: Type.Object(
          { reason: Type.String({ minLength: 1, maxLength: 2000 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await warnings.cancel(
        request.params.id,
        actorOf(caller),
        caller.readableOrganisationIds,
        request.body.reason,
      );
      return { cancelled: true };
    },
  );

  app.post(
    '/v1/warnings/:id/verification',
    {
      config: { role: 'analyst', scope: 'warnings:review' },
      schema: {
        tags: ['warnings'],
        summary: 'Confirm the episode happened, or mark the warning a false alarm',
        params: IdParam,
        body: Type.Object(
          {
            outcome: Type.Enum(['confirmed', 'false_alarm']),
            note: Type.String({ maxLength: 2000, default: '' }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await warnings.verify(
        request.params.id,
        actorOf(caller),
        caller.readableOrganisationIds,
        request.body.outcome,
        request.body.note ?? '',
      );
      return { verified: true };
    },
  );

  app.get(
    '/v1/verification',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['warnings'],
        summary: 'Hits, misses, false alarms and lead times per rule and hazard (POD, FAR, CSI)',
        description:
          'Counts closed and operator-verified episodes whose first signal lies in [from, to). A hit: published and observed; ' +
          'a miss: observed but never published; a false alarm: published, never observed, or so marked by an operator.',
        querystring: Type.Object({
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
          hazard: Type.Optional(Type.Enum([...HAZARD_CODES])),
          rule_id: Type.Optional(RowId()),
        }),
      },
    },
    async (request) => {
      const q = request.query;
      const fromMs = q.from === undefined ? 0 : Date.parse(q.from);
      const toMs = q.to === undefined ? Date.now() + 1 : Date.parse(q.to);
      if (!(fromMs < toMs)) throw queryError('from', '`from` must be before `to`');
      const episodes = await listVerifiedEpisodes(db, {
        readable: callerOf(request).readableOrganisationIds,
        fromMs,
        toMs,
        hazard: q.hazard,
        ruleId: q.rule_id,
      });
      return { items: summariseVerification(episodes) };
    },
  );

  // ---------------------------------------------------------------- signing key

  app.put(
    '/v1/organisations/:id/signing-key',
    {
      config: { role: 'admin', scope: 'admin' },
      schema: {
        tags: ['warnings'],
        summary:
          "Set the organisation's key: every alert it publishes from now on is signed (enveloped XML-DSig)",
        description:
          'An RSA or EC (P-256/384/521) private key in PEM, with its X.509 certificate (PEM) to place in KeyInfo, as the WMO strict profile ' +
          'for registered alerting authorities asks. The key is checked by signing a test alert. It is stored in the database: protect backups.',
        params: IdParam,
        body: Type.Object(
          {
            private_key_pem: Type.String({ minLength: 100, maxLength: 20_000 }),
            certificate_pem: Type.Optional(Type.String({ minLength: 100, maxLength: 20_000 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const caller = callerOf(request);
      if (!caller.readableOrganisationIds.includes(request.params.id)) throw notFound('organisation');
      const key = {
        privateKeyPem: request.body.private_key_pem,
        ...(request.body.certificate_pem === undefined
          ? {}
          : { certificatePem: request.body.certificate_pem }),
      };
      try {
        signCapXml(KEY_CHECK_ALERT, key);
      } catch (error) {
        throw new Ew4eError('EW4E_BAD_REQUEST', 'the key cannot sign', [
          { pointer: '/private_key_pem', reason: error instanceof Error ? error.message : String(error) },
        ]);
      }
      await db.transaction().execute(async (tx) => {
        await tx
          .insertInto('signing_key')
          .values({
            organisation_id: request.params.id,
            private_key_pem: key.privateKeyPem,
            certificate_pem: request.body.certificate_pem ?? null,
            public_key_pem: null,
          })
          .onConflict((oc) =>
            oc.column('organisation_id').doUpdateSet({
              private_key_pem: key.privateKeyPem,
              certificate_pem: request.body.certificate_pem ?? null,
            }),
          )
          .execute();
        // who changed the key that vouches for every alert, never the key itself
        await appendSecurityEvent(tx, {
          organisationId: request.params.id,
          actor: actorOf(caller),
          action: 'signing_key_set',
          changes: { certificate: request.body.certificate_pem !== undefined },
        });
      });
      return { signing: true, certificate: request.body.certificate_pem !== undefined };
    },
  );

  // ---------------------------------------------------------------- silences

  app.post(
    '/v1/silences',
    {
      config: { role: 'approver', scope: 'warnings:review' },
      schema: {
        tags: ['warnings'],
        summary: 'Mute a hazard (or all) in an area for a time: new warnings there are held, not published',
        body: Type.Object(
          {
            hazard: Type.Optional(Type.Enum([...HAZARD_CODES])),
            area_id: Type.Optional(RowId()),
            geometry: Type.Optional(
              Type.Unknown({ description: 'GeoJSON Polygon or MultiPolygon, when no area_id' }),
            ),
            starts_at: Type.Optional(Type.String({ format: 'date-time' })),
            ends_at: Type.String({ format: 'date-time' }),
            reason: Type.String({ minLength: 1, maxLength: 2000 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const b = request.body;
      const startsAt = b.starts_at === undefined ? new Date() : new Date(b.starts_at);
      const endsAt = new Date(b.ends_at);
      if (!(endsAt > startsAt)) throw queryError('ends_at', '`ends_at` must be after `starts_at`');
      let geometry: Polygon | MultiPolygon;
      if (b.area_id !== undefined) {
        const area = await areaById(db, b.area_id);
        if (
          area === undefined ||
          (area.organisation_id !== null && !caller.readableOrganisationIds.includes(area.organisation_id))
        ) {
          throw notFound('area');
        }
        geometry = area.geometry as Polygon | MultiPolygon;
      } else if (b.geometry !== undefined) {
        const checked = validateGeometry(b.geometry, { row: -1, pointer: '/geometry' });
        if ('problems' in checked) {
          throw new Ew4eError(
            'EW4E_BAD_REQUEST',
            'the geometry is not valid GeoJSON',
            checked.problems.map(problemDetail),
          );
        }
        if (checked.geometry.type !== 'Polygon' && checked.geometry.type !== 'MultiPolygon') {
          throw new Ew4eError('EW4E_BAD_REQUEST', 'a silence needs a Polygon or MultiPolygon', [
            { pointer: '/geometry/type', reason: 'must be Polygon or MultiPolygon' },
          ]);
        }
        geometry = checked.geometry;
      } else {
        throw new Ew4eError('EW4E_BAD_REQUEST', 'name an area_id or give a geometry', [
          { pointer: '/area_id', reason: 'area_id or geometry is required' },
        ]);
      }
      const id = await warnings.silence({
        organisationId: caller.organisationId,
        hazard: b.hazard ?? null,
        areaId: b.area_id ?? null,
        geometry,
        startsAt,
        endsAt,
        author: actorOf(caller),
        reason: b.reason,
      });
      return reply.status(201).send({ id });
    },
  );

  app.get(
    '/v1/silences',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['warnings'],
        summary: 'Silences, newest first',
        querystring: Type.Object({
          active: Type.Optional(Type.Boolean({ description: 'only those in force now' })),
          thread_id: Type.Optional(
            BigRowId({
              description: "only those that hold this warning thread's versions (its hazard over its area)",
            }),
          ),
        }),
      },
    },
    async (request) => {
      const readable = callerOf(request).readableOrganisationIds;
      const threadId = request.query.thread_id;
      const thread = threadId === undefined ? undefined : await threadById(db, threadId);
      if (threadId !== undefined && (thread === undefined || !readable.includes(thread.organisation_id)))
        throw notFound('warning');
      const now = request.query.active ? new Date() : undefined;
      let rows: Awaited<ReturnType<typeof silencesOverOrganisation>>;
      if (thread !== undefined) {
        // As the warning stage's gate sees it: those of the thread's organisation and the ones above it.
        rows = (await silencesOverOrganisation(db, thread.organisation_id, now)).filter((s) =>
          silenceCovers(s, thread),
        );
      } else {
        let query = db
          .selectFrom('silence')
          .selectAll()
          .where('organisation_id', 'in', readable.length > 0 ? [...readable] : [-1]);
        if (now !== undefined) query = query.where('starts_at', '<=', now).where('ends_at', '>', now);
        rows = await query.orderBy('id', 'desc').limit(500).execute();
      }
      return {
        items: rows.map((s) => ({
          id: s.id,
          hazard: s.hazard,
          area_id: s.area_id,
          starts_at: s.starts_at.toISOString(),
          ends_at: s.ends_at.toISOString(),
          author: s.author,
          reason: s.reason,
        })),
      };
    },
  );

  app.delete(
    '/v1/silences/:id',
    {
      config: { role: 'approver', scope: 'warnings:review' },
      schema: {
        tags: ['warnings'],
        summary: 'Lift a silence now (it ends; the record stays)',
        params: IdParam,
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await warnings.liftSilence(request.params.id, actorOf(caller), caller.readableOrganisationIds);
      return { lifted: true };
    },
  );
}

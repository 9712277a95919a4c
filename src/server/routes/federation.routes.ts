/** @module Federation routes: other authorities' CAP sources (feeds polled, or documents pushed), and their alerts shown beside ours. */
import { Type } from 'typebox';
import type { Services } from '../../app.ts';
import { Ew4eError, notFound } from '../../errors.ts';
import { callerOf, type HttpServer } from '../http-server.ts';
import { IdParam, RowId } from './route-schemas.ts';

const CAP_TYPES = ['application/cap+xml', 'application/xml', 'text/xml'];

export async function federationRoutes(app: HttpServer, { services }: { services: Services }): Promise<void> {
  const { federation } = services;
  const db = services.database.db;
  // CAP arrives as XML text; the service reads it (safely) itself.
  app.addContentTypeParser(CAP_TYPES, { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  const sourceOf = async (id: number, readable: readonly number[]) => {
    const source = await db.selectFrom('cap_source').selectAll().where('id', '=', id).executeTakeFirst();
    if (source === undefined || !readable.includes(source.organisation_id)) throw notFound('CAP source');
    return source;
  };

  app.post(
    '/v1/federation/sources',
    {
      config: { role: 'approver', scope: 'monitoring:write' },
      schema: {
        tags: ['federation'],
        summary:
          "Register another authority's CAP source: an Atom/RSS feed to poll, or (no url) a push endpoint",
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            url: Type.Optional(Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 })),
            poll_interval_s: Type.Optional(Type.Integer({ minimum: 60, maximum: 86_400, default: 300 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const id = await federation.addSource({
        organisationId: caller.organisationId,
        name: request.body.name,
        url: request.body.url ?? null,
        pollIntervalS: request.body.poll_interval_s ?? 300,
      });
      return reply.status(201).send({ id });
    },
  );

  app.get(
    '/v1/federation/sources',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['federation'],
        summary: 'CAP sources with their health (ok, failing, unknown) and next poll',
      },
    },
    async (request) => {
      const readable = callerOf(request).readableOrganisationIds;
      const rows = await db
        .selectFrom('cap_source')
        .selectAll()
        .where('organisation_id', 'in', readable.length > 0 ? [...readable] : [-1])
        .orderBy('id')
        .execute();
      return {
        items: rows.map((s) => ({
          id: s.id,
          name: s.name,
          url: s.url,
          poll_interval_s: s.poll_interval_s,
          health: s.health,
          consecutive_failures: s.consecutive_failures,
          last_error: s.last_error,
          last_polled_at: s.last_polled_at?.toISOString() ?? null,
          next_poll_at: s.url === null ? null : s.next_poll_at.toISOString(),
        })),
      };
    },
  );

  app.post(
    '/v1/federation/sources/:id/poll',
    {
      config: { role: 'analyst', scope: 'monitoring:write' },
      schema: {
        tags: ['federation'],
        summary: 'Poll a feed now; the report names each broken entry by position',
        params: IdParam,
      },
    },
    async (request) => {
      const source = await sourceOf(request.params.id, callerOf(request).readableOrganisationIds);
      if (source.url === null)
        throw new Ew4eError('EW4E_CONFLICT', 'this source takes pushed documents; it has no feed to poll');
      return federation.poll(source.id);
    },
  );

  app.post(
    '/v1/federation/sources/:id/alerts',
    {
      config: { role: 'analyst', scope: 'events:write' },
      schema: {
        tags: ['federation'],
        summary: 'Push one CAP 1.2 document (application/cap+xml) from this source',
        description:
          'Read without DTDs or entities, validated against the OASIS schema and the CAP rules it cannot check, and its XML signature verified when present. ' +
          '201 when stored, 200 when already held, 422 (EW4E_INVALID_CAP) naming each problem by line or element.',
        params: IdParam,
      },
    },
    async (request, reply) => {
      const source = await sourceOf(request.params.id, callerOf(request).readableOrganisationIds);
      const contentType =
        String(request.headers['content-type'] ?? '')
          .split(';')[0]
          ?.trim()
          .toLowerCase() ?? '';
      if (!CAP_TYPES.includes(contentType) || !Buffer.isBuffer(request.body)) {
        throw new Ew4eError('EW4E_UNSUPPORTED_MEDIA_TYPE', `send CAP as ${CAP_TYPES.join(', ')}`);
      }
      const outcome = await federation.importDocument(source.id, new Uint8Array(request.body));
      if (outcome.status === 'rejected') {
        throw new Ew4eError(
          'EW4E_INVALID_CAP',
          `${outcome.errors.length} problem(s); nothing was stored`,
          outcome.errors.map((e) => ({
            ...(e.line === undefined ? {} : { line: e.line }),
            ...(e.pointer === undefined ? {} : { pointer: e.pointer }),
            reason: e.reason,
          })),
        );
      }
      return reply.status(outcome.status === 'imported' ? 201 : 200).send(outcome);
    },
  );

  app.get(
    '/v1/federation/alerts',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['federation'],
        summary:
          "Other authorities' alerts, newest first: theirs, as they sent them, with signature status and withdrawal",
        querystring: Type.Object({
          active: Type.Optional(Type.Boolean({ description: 'only alerts not expired and not withdrawn' })),
          source_id: Type.Optional(RowId()),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
        }),
      },
    },
    async (request) => {
      const readable = callerOf(request).readableOrganisationIds;
      const q = request.query;
      let query = db
        .selectFrom('imported_alert as a')
        .innerJoin('cap_source as s', 's.id', 'a.source_id')
        .select([
          'a.id',
          'a.source_id',
          's.name as source_name',
          'a.alert',
          'a.signature',
          'a.signature_note',
          'a.expires_at',
          'a.received_at',
          'a.withdrawn_at',
        ])
        .where('s.organisation_id', 'in', readable.length > 0 ? [...readable] : [-1]);
      if (q.source_id !== undefined) query = query.where('a.source_id', '=', q.source_id);
      if (q.active) {
        const now = new Date();
        query = query
          .where('a.withdrawn_at', 'is', null)
          .where((eb) => eb.or([eb('a.expires_at', 'is', null), eb('a.expires_at', '>', now)]));
      }
      const rows = await query
        .orderBy('a.id', 'desc')
        .limit(q.limit ?? 100)
        .execute();
      return {
        items: rows.map((r) => {
          const info = r.alert.info[0];
          return {
            id: r.id,
            source: { id: r.source_id, name: r.source_name },
            sender: r.alert.sender,
            identifier: r.alert.identifier,
            sent: r.alert.sent,
            msg_type: r.alert.msgType,
            status: r.alert.status,
            event: info?.event ?? null,
            severity: info?.severity ?? null,
            urgency: info?.urgency ?? null,
            certainty: info?.certainty ?? null,
            headline: info?.headline ?? null,
            areas: info?.area.map((a) => a.areaDesc) ?? [],
            languages: r.alert.info.map((i) => i.language),
            signature: r.signature,
            signature_note: r.signature_note,
            expires: r.expires_at?.toISOString() ?? null,
            received_at: r.received_at.toISOString(),
            withdrawn_at: r.withdrawn_at?.toISOString() ?? null,
          };
        }),
      };
    },
  );

  app.get(
    '/v1/federation/alerts/:id',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['federation'],
        summary: 'An imported alert as its sender wrote it (application/cap+xml)',
        params: IdParam,
      },
    },
    async (request, reply) => {
      const readable = callerOf(request).readableOrganisationIds;
      const row = await db
        .selectFrom('imported_alert as a')
        .innerJoin('cap_source as s', 's.id', 'a.source_id')
        .select(['a.cap_xml', 's.organisation_id'])
        .where('a.id', '=', request.params.id)
        .executeTakeFirst();
      if (row === undefined || !readable.includes(row.organisation_id)) throw notFound('imported alert');
      return reply.type('application/cap+xml; charset=utf-8').send(row.cap_xml);
    },
  );
}

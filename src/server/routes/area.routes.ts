/** @module Area routes: countries, cities, protected and custom areas as GeoJSON, and a variable aggregated over an area. */
import { Type } from 'typebox';
import type { Services } from '../../app.ts';
import { Ew4eError, notFound } from '../../errors.ts';
import { validateGeometry } from '../../geo/geojson-validation.ts';
import { problemDetail } from '../../ingest/observation-ingest.ts';
import { AGGREGATES, formatDurationS } from '../../query/downsampling.ts';
import { AREA_KINDS } from '../../registry/area.ts';
import { createArea, findArea, listAreas } from '../../store/area.repository.ts';
import { bucketedObservations } from '../../store/observation.repository.ts';
import { seriesInArea } from '../../store/station.repository.ts';
import { callerOf, type HttpServer } from '../http-server.ts';
import { bucketSecondsOf } from './observation.routes.ts';
import { bboxParam, IdParam, PageQuery, queryError, TimeRangeQuery, timeRangeOf } from './route-schemas.ts';

const AreaKind = Type.Enum(AREA_KINDS);

type AreaRow = Awaited<ReturnType<typeof listAreas>>[number] & { geometry?: unknown };

function areaFeature(a: AreaRow) {
  return {
    type: 'Feature' as const,
    id: a.id,
    bbox: [a.min_lon, a.min_lat, a.max_lon, a.max_lat],
    geometry: a.geometry ?? null,
    properties: {
      organisation_id: a.organisation_id,
      kind: a.kind,
      code: a.code,
      name: a.name,
      iso_code: a.iso_code,
      source: a.source,
      ...a.properties,
    },
  };
}

export async function areaRoutes(app: HttpServer, { services }: { services: Services }): Promise<void> {
  const db = services.database.db;

  app.get(
    '/v1/areas',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['areas'],
        summary: 'Areas as a GeoJSON FeatureCollection (geometry only with geometry=true)',
        querystring: Type.Intersect([
          PageQuery,
          Type.Object({
            kind: Type.Optional(AreaKind),
            bbox: Type.Optional(Type.String({ description: 'minLon,minLat,maxLon,maxLat' })),
            q: Type.Optional(Type.String({ maxLength: 100 })),
            geometry: Type.Optional(Type.Boolean({ default: false })),
          }),
        ]),
      },
    },
    async (request) => {
      const q = request.query;
      const bbox = bboxParam(q.bbox);
      const limit = q.limit ?? 100;
      const rows = await listAreas(db, {
        readable: callerOf(request).readableOrganisationIds,
        kind: q.kind,
        bbox,
        q: q.q,
        after: q.after,
        limit,
        withGeometry: q.geometry ?? false,
      });
      return {
        type: 'FeatureCollection',
        features: rows.map(areaFeature),
        next_after: rows.length === limit ? rows[rows.length - 1]!.id : null,
      };
    },
  );

  app.get(
    '/v1/areas/:id',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: { tags: ['areas'], summary: 'One area as a GeoJSON Feature', params: IdParam },
    },
    async (request) => {
      const area = await findArea(db, request.params.id, callerOf(request).readableOrganisationIds);
      if (!area) throw notFound(`area ${request.params.id}`);
      return areaFeature(area);
    },
  );

  app.post(
    '/v1/areas',
    {
      config: { role: 'analyst', scope: 'monitoring:write' },
      schema: {
        tags: ['areas'],
        summary: 'Add an area from a GeoJSON Feature (Polygon or MultiPolygon, RFC 7946)',
        body: Type.Object({
          type: Type.Literal('Feature'),
          geometry: Type.Unknown(),
          properties: Type.Object(
            {
              kind: AreaKind,
              code: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$' }),
              name: Type.String({ minLength: 1, maxLength: 200 }),
              iso_code: Type.Optional(Type.String({ maxLength: 10 })),
              source: Type.Optional(Type.String({ maxLength: 500 })),
            },
            { additionalProperties: true },
          ),
        }),
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const checked = validateGeometry(request.body.geometry, { row: -1, pointer: '/geometry' });
      if ('problems' in checked) {
        throw new Ew4eError(
          'EW4E_BAD_REQUEST',
          'the geometry is not valid GeoJSON',
          checked.problems.map(problemDetail),
        );
      }
      if (checked.geometry.type !== 'Polygon' && checked.geometry.type !== 'MultiPolygon') {
        throw new Ew4eError('EW4E_BAD_REQUEST', 'an area must be a Polygon or MultiPolygon', [
          { pointer: '/geometry/type', field: 'type', reason: `got ${checked.geometry.type}` },
        ]);
      }
      const { kind, code, name, iso_code, source, ...properties } = request.body.properties;
      const created = await createArea(db, caller.organisationId, {
        kind,
        code,
        name,
        iso_code,
        source,
        properties,
        geometry: checked.geometry,
      });
      const area = await findArea(db, created.id, caller.readableOrganisationIds);
      return reply.status(201).send(areaFeature(area!));
    },
  );

  app.get(
    '/v1/areas/:id/observations',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['areas', 'observations'],
        summary: 'A variable aggregated over every series inside an area, per time bucket',
        params: IdParam,
        querystring: Type.Intersect([
          TimeRangeQuery,
          Type.Object({
            variable: Type.String({ examples: ['pm25'] }),
            bucket: Type.Optional(Type.String({ default: 'auto' })),
            agg: Type.Optional(Type.Enum(AGGREGATES, { default: 'avg' })),
            points: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 500 })),
          }),
        ]),
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const area = await findArea(db, request.params.id, caller.readableOrganisationIds);
      if (!area) throw notFound(`area ${request.params.id}`);
      const variable = await db
        .selectFrom('variable')
        .selectAll()
        .where('code', '=', request.query.variable)
        .executeTakeFirst();
      if (!variable) throw queryError('variable', `unknown variable "${request.query.variable}"`);
      const { fromMs, toMs } = timeRangeOf(request.query);
      const bucketS = bucketSecondsOf(
        request.query.bucket ?? 'auto',
        fromMs,
        toMs,
        request.query.points ?? 500,
      );
      const agg = request.query.agg ?? 'avg';
      const seriesIds = await seriesInArea(db, area.id, variable.code, caller.readableOrganisationIds);
      const rows =
        seriesIds.length === 0
          ? []
          : await bucketedObservations(db, { seriesIds, fromMs, toMs, includeRejected: false }, bucketS, agg);
      return {
        area: area.id,
        area_name: area.name,
        variable: variable.code,
        unit: variable.unit,
        series_count: seriesIds.length,
        from: new Date(fromMs).toISOString(),
        to: new Date(toMs).toISOString(),
        bucket: formatDurationS(bucketS),
        agg,
        points: rows.map((r) => ({ time: r.time.toISOString(), value: r.value, count: r.count })),
      };
    },
  );
}

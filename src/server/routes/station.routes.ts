/** @module Registry routes for what observes: sources, stations (GeoJSON), series, and the variables and units they use. */
import { Type } from 'typebox';
import type { Services } from '../../app.ts';
import { Ew4eError, notFound } from '../../errors.ts';
import { SENSES, stationLiveness } from '../../registry/station.ts';
import { UNITS } from '../../registry/units.ts';
import {
  createSeries,
  createSource,
  createStation,
  findSeries,
  findStation,
  listSeries,
  listSources,
  listStations,
} from '../../store/station.repository.ts';
import { callerOf, type HttpServer } from '../http-server.ts';
import { bboxParam, IdParam, PageQuery, RowId } from './route-schemas.ts';

const Code = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$',
  description: 'letters, digits, . _ : -',
});
const SeriesCode = Type.String({
  pattern: '^(?![0-9]+$)[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$',
  description: 'like a code, but not all digits (those name series by id)',
});

const QcOverride = Type.Object(
  {
    hardMin: Type.Optional(Type.Number()),
    hardMax: Type.Optional(Type.Number()),
    softMin: Type.Optional(Type.Number()),
    softMax: Type.Optional(Type.Number()),
    maxRatePerS: Type.Optional(Type.Number({ minimum: 0 })),
    stuckCount: Type.Optional(Type.Integer({ minimum: 2 })),
    spikeThreshold: Type.Optional(Type.Number({ minimum: 0 })),
    spikeWindow: Type.Optional(Type.Integer({ minimum: 1, maximum: 25 })),
  },
  { additionalProperties: false, description: 'QC limits (series unit) replacing the variable defaults' },
);

type StationRow = NonNullable<Awaited<ReturnType<typeof findStation>>>;

/** A station as an RFC 7946 Feature, with how late it is. */
function stationFeature(s: StationRow, now: Date) {
  const { status, delayS } = stationLiveness(s.last_observation_at, s.expected_cadence_s, now);
  return {
    type: 'Feature' as const,
    id: s.id,
    geometry: {
      type: 'Point' as const,
      coordinates: s.elevation_m === null ? [s.lon, s.lat] : [s.lon, s.lat, s.elevation_m],
    },
    properties: {
      organisation_id: s.organisation_id,
      code: s.code,
      name: s.name,
      sense: s.sense,
      source_id: s.source_id,
      source: s.source_code,
      provider: s.provider,
      licence: s.licence,
      expected_cadence_s: s.expected_cadence_s,
      last_observation_at: s.last_observation_at?.toISOString() ?? null,
      delay_s: delayS,
      status,
      time_zone: s.time_zone,
      properties: s.properties,
    },
  };
}

function sourceJson(s: Awaited<ReturnType<typeof listSources>>[number]) {
  return { ...s, created_at: s.created_at.toISOString() };
}

function seriesJson(s: NonNullable<Awaited<ReturnType<typeof findSeries>>>) {
  return { ...s, created_at: s.created_at.toISOString() };
}

export async function stationRoutes(app: HttpServer, { services }: { services: Services }): Promise<void> {
  const db = services.database.db;

  app.get(
    '/v1/sources',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: { tags: ['registry'], summary: 'Data sources with provider, licence and provenance' },
    },
    async (request) => {
      const rows = await listSources(db, callerOf(request).readableOrganisationIds);
      return { items: rows.map(sourceJson) };
    },
  );

  app.post(
    '/v1/sources',
    {
      config: { role: 'analyst', scope: 'monitoring:write' },
      schema: {
        tags: ['registry'],
        summary: 'Register a data source',
        body: Type.Object(
          {
            code: Code,
            name: Type.String({ minLength: 1, maxLength: 200 }),
            provider: Type.String({ minLength: 1, maxLength: 200 }),
            licence: Type.String({ minLength: 1, maxLength: 200, examples: ['CC-BY-4.0'] }),
            provenance: Type.String({ minLength: 1, maxLength: 2000 }),
            url: Type.Optional(Type.String({ format: 'uri' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const source = await createSource(db, callerOf(request).organisationId, request.body);
      return reply.status(201).send(sourceJson(source));
    },
  );

  app.get(
    '/v1/stations',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['registry'],
        summary: 'Stations as a GeoJSON FeatureCollection, with delay and status (ok, late, silent)',
        querystring: Type.Intersect([
          PageQuery,
          Type.Object({
            bbox: Type.Optional(
              Type.String({
                description: 'minLon,minLat,maxLon,maxLat; minLon > maxLon crosses the antimeridian',
              }),
            ),
            sense: Type.Optional(Type.Enum(SENSES)),
            q: Type.Optional(Type.String({ maxLength: 100 })),
            area_id: Type.Optional(RowId()),
            status: Type.Optional(
              Type.Union([Type.Literal('ok'), Type.Literal('late'), Type.Literal('silent')]),
            ),
          }),
        ]),
      },
    },
    async (request) => {
      const q = request.query;
      const bbox = bboxParam(q.bbox);
      const limit = q.limit ?? 100;
      const rows = await listStations(db, {
        readable: callerOf(request).readableOrganisationIds,
        bbox,
        sense: q.sense,
        q: q.q,
        areaId: q.area_id,
        after: q.after,
        limit,
      });
      const now = new Date();
      const features = rows
        .map((r) => stationFeature(r, now))
        .filter((f) => !q.status || f.properties.status === q.status);
      return {
        type: 'FeatureCollection',
        features,
        next_after: rows.length === limit ? rows[rows.length - 1]!.id : null,
      };
    },
  );

  app.get(
    '/v1/stations/:id',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: { tags: ['registry'], summary: 'One station as a GeoJSON Feature', params: IdParam },
    },
    async (request) => {
      const station = await findStation(db, request.params.id, callerOf(request).readableOrganisationIds);
      if (!station) throw notFound(`station ${request.params.id}`);
      return stationFeature(station, new Date());
    },
  );

  app.post(
    '/v1/stations',
    {
      config: { role: 'analyst', scope: 'monitoring:write' },
      schema: {
        tags: ['registry'],
        summary: 'Register a station; the areas containing it are recorded',
        body: Type.Object(
          {
            source_id: RowId(),
            code: Code,
            name: Type.String({ minLength: 1, maxLength: 200 }),
            sense: Type.Enum(SENSES),
            lon: Type.Number({ minimum: -180, maximum: 180 }),
            lat: Type.Number({ minimum: -90, maximum: 90 }),
            elevation_m: Type.Optional(Type.Number()),
            expected_cadence_s: Type.Integer({
              minimum: 1,
              description: 'how often data should arrive, in seconds',
            }),
            properties: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
            time_zone: Type.Optional(
              Type.String({ maxLength: 64, examples: ['Asia/Dhaka'], description: 'IANA time zone' }),
            ),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const zone = request.body.time_zone;
      if (zone !== undefined && !isTimeZone(zone)) {
        throw queryErrorOfBody('time_zone', `"${zone}" is not an IANA time zone such as Asia/Dhaka`);
      }
      const created = await createStation(db, caller.organisationId, request.body);
      const station = await findStation(db, created.id, caller.readableOrganisationIds);
      return reply.status(201).send(stationFeature(station!, new Date()));
    },
  );

  app.get(
    '/v1/series',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['registry'],
        summary: 'Series, filtered by station, variable or domain',
        querystring: Type.Intersect([
          PageQuery,
          Type.Object({
            station_id: Type.Optional(RowId()),
            variable: Type.Optional(Type.String()),
            domain: Type.Optional(Type.String()),
          }),
        ]),
      },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? 100;
      const rows = await listSeries(db, {
        readable: callerOf(request).readableOrganisationIds,
        stationId: q.station_id,
        variable: q.variable,
        domain: q.domain,
        after: q.after,
        limit,
      });
      return {
        items: rows.map(seriesJson),
        next_after: rows.length === limit ? rows[rows.length - 1]!.id : null,
      };
    },
  );

  app.get(
    '/v1/series/:id',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: { tags: ['registry'], summary: 'One series', params: IdParam },
    },
    async (request) => {
      const series = await findSeries(db, request.params.id, callerOf(request).readableOrganisationIds);
      if (!series) throw notFound(`series ${request.params.id}`);
      return seriesJson(series);
    },
  );

  app.post(
    '/v1/series',
    {
      config: { role: 'analyst', scope: 'monitoring:write' },
      schema: {
        tags: ['registry'],
        summary: "Register a series: a variable measured at a station, stored in the variable's unit",
        body: Type.Object(
          {
            station_id: RowId(),
            variable: Type.String({ examples: ['pm25'] }),
            code: Type.Optional(SeriesCode),
            qc_override: Type.Optional(QcOverride),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const created = await createSeries(db, caller.organisationId, request.body);
      const series = await findSeries(db, created.id, caller.readableOrganisationIds);
      return reply.status(201).send(seriesJson(series!));
    },
  );

  app.get(
    '/v1/variables',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['registry'],
        summary: 'Observed variables with canonical unit, domain and QC defaults',
      },
    },
    async () => {
      const rows = await db.selectFrom('variable').selectAll().orderBy('code').execute();
      return { items: rows };
    },
  );

  app.get(
    '/v1/units',
    { schema: { tags: ['registry'], summary: 'Units the platform converts between', security: [] } },
    async () => ({
      items: UNITS.map((u) => ({
        symbol: u.symbol,
        name: u.name,
        dimension: u.dimension,
        aliases: u.aliases,
      })),
    }),
  );
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function queryErrorOfBody(field: string, reason: string): Ew4eError {
  return new Ew4eError('EW4E_BAD_REQUEST', `${field}: ${reason}`, [{ pointer: `/${field}`, field, reason }]);
}

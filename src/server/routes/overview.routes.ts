/** @module The decision dashboard's overview and maps: areas at a glance, standing warnings, station health and areas as GeoJSON. */
import type { Geometry as GeoJsonGeometry } from 'geojson';
import { LRUCache } from 'lru-cache';
import { type Static, Type } from 'typebox';
import type { Services } from '../../app.ts';
import { bboxOf } from '../../geo/geojson-validation.ts';
import { AREA_KINDS } from '../../registry/area.ts';
import { areaOverviews, DAY_MS, TREND_DAYS, utcDayOf } from '../../report/area-overview.ts';
import {
  areaMarker,
  type Box,
  BoxUnion,
  FAULT_WINDOW_MS,
  markerBox,
  roundGeometry,
  simplifiedGeometry,
  stationStatus,
} from '../../report/map-features.ts';
import {
  areaOfInterestOf,
  leanMapWarnings,
  mapAreas,
  mapWarnings,
  overviewAreas,
  PublishedContentCache,
  signalsPerAreaAndDay,
  standingWarningOf,
  standingWarnings,
  stationHealth,
  warningGeometries,
} from '../../store/overview.repository.ts';
import { callerOf, type HttpServer } from '../http-server.ts';
import { bboxParam, Problem } from './route-schemas.ts';

const Time = Type.String({ format: 'date-time' });
const NullableTime = Type.Union([Time, Type.Null()]);
const GEOJSON = 'application/geo+json';

const Overview = Type.Object({
  as_of: Time,
  trend_start: Type.String({ format: 'date', description: 'the UTC day of trend[0]' }),
  items: Type.Array(
    Type.Object({
      area_id: Type.Integer(),
      code: Type.String(),
      name: Type.String(),
      kind: Type.String(),
      highest: Type.Union([
        Type.Object({
          severity: Type.String(),
          hazard: Type.String(),
          thread_id: Type.Integer(),
          headline: Type.Union([Type.String(), Type.Null()]),
        }),
        Type.Null(),
      ]),
      counts_by_hazard: Type.Record(Type.String(), Type.Integer()),
      trend: Type.Array(Type.Integer(), {
        description: `signals per UTC day, the last ${TREND_DAYS} days, oldest first`,
      }),
    }),
  ),
});

const Geometry = Type.Unknown({ description: 'RFC 7946 geometry' });

const WarningFeatures = Type.Object({
  type: Type.Literal('FeatureCollection'),
  bbox: Type.Optional(
    Type.Array(Type.Number(), {
      minItems: 4,
      maxItems: 4,
      description:
        'with view=map or view=points: [west, south, east, north] of all the features (RFC 7946 §5)',
    }),
  ),
  features: Type.Array(
    Type.Object({
      type: Type.Literal('Feature'),
      id: Type.Integer({ description: 'the version (warning) id' }),
      geometry: Geometry,
      properties: Type.Object({
        thread_id: Type.Integer(),
        // absent with view=map and view=points
        identifier: Type.Optional(Type.String()),
        status: Type.Union([Type.Literal('published'), Type.Literal('draft')]),
        severity: Type.String(),
        urgency: Type.Optional(Type.String()),
        certainty: Type.Optional(Type.String()),
        hazard: Type.String(),
        headline: Type.Optional(Type.Union([Type.String(), Type.Null()])),
        sent: Type.Optional(NullableTime),
        expires: Type.Optional(Time),
        radius_deg: Type.Optional(
          Type.Number({ description: 'view=points: how far the area reaches, in degrees' }),
        ),
      }),
    }),
  ),
});

const StationFeatures = Type.Object({
  type: Type.Literal('FeatureCollection'),
  features: Type.Array(
    Type.Object({
      type: Type.Literal('Feature'),
      id: Type.Integer(),
      geometry: Geometry,
      properties: Type.Object({
        id: Type.Integer(),
        name: Type.String(),
        sense: Type.String(),
        status: Type.Union([Type.Literal('ok'), Type.Literal('stale'), Type.Literal('fault')]),
        last_observation_at: NullableTime,
      }),
    }),
  ),
});

const AreaFeatures = Type.Object({
  type: Type.Literal('FeatureCollection'),
  features: Type.Array(
    Type.Object({
      type: Type.Literal('Feature'),
      id: Type.Integer(),
      geometry: Geometry,
      properties: Type.Object({
        id: Type.Integer(),
        organisation_id: Type.Union([Type.Integer(), Type.Null()]),
        kind: Type.String(),
        code: Type.String(),
        name: Type.String(),
        iso_code: Type.Union([Type.String(), Type.Null()]),
        properties: Type.Record(Type.String(), Type.Unknown()),
      }),
    }),
  ),
});

export async function overviewRoutes(app: HttpServer, { services }: { services: Services }): Promise<void> {
  const db = services.database.db;
  // Simplifying and rounding 10 000 areas costs most of the map layer's time; published versions are immutable.
  const shapedAreas = new LRUCache<string, GeoJsonGeometry>({ max: 50_000 });
  // The overview map's features of published versions, as JSON text: reading their areas out of the database
  // and writing them again was most of the time of a 10 000-warning layer.
  const leanFeatures = new LRUCache<string, { text: string; box: Box | null }>({ max: 50_000 });
  const contents = new PublishedContentCache();

  app.get(
    '/v1/overview',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['dashboard'],
        summary:
          'Countries and cities at a glance: the highest standing warning, warnings per hazard, signals per day',
        description:
          'Areas: the countries and cities your organisations registered, the country of each organisation, those ' +
          'holding your stations and those your standing warnings name. A standing warning (the newest published ' +
          'version of a thread, not a Cancel, not expired) concerns an area when it was issued for it, carries its ISO ' +
          '3166 geocode, or its polygon intersects the area. trend counts the signals raised for the area or at ' +
          `its stations per UTC day over the last ${TREND_DAYS} days, oldest first.`,
        response: { 200: Overview },
      },
    },
    async (request) => {
      const readable = callerOf(request).readableOrganisationIds;
      const nowMs = Date.now();
      const rows = await standingWarnings(db, { readable, nowMs }, contents);
      const warnings = rows.map(standingWarningOf);
      const areas = await overviewAreas(db, {
        readable,
        warningAreaIds: [...new Set(rows.flatMap((w) => w.area_ids))],
        warningGeocodes: [...new Set(rows.flatMap((w) => (w.geocodes ?? []).map((g) => g.value)))],
      });
      const firstDay = utcDayOf(nowMs) - TREND_DAYS + 1;
      const signalDays = await signalsPerAreaAndDay(db, {
        readable,
        areaIds: areas.map((a) => a.id),
        fromMs: firstDay * DAY_MS,
      });
      const overviews = areaOverviews(areas.map(areaOfInterestOf), warnings, signalDays, nowMs);
      return {
        as_of: new Date(nowMs).toISOString(),
        trend_start: new Date(firstDay * DAY_MS).toISOString().slice(0, 10),
        items: overviews.map((o) => ({
          area_id: o.area.id,
          code: o.area.code,
          name: o.area.name,
          kind: o.area.kind,
          highest:
            o.highest === null
              ? null
              : {
                  severity: o.highest.severity,
                  hazard: o.highest.hazard,
                  thread_id: o.highest.threadId,
                  headline: o.highest.headline,
                },
          counts_by_hazard: o.countsByHazard,
          trend: [...o.trend],
        })),
      };
    },
  );

  app.get(
    '/v1/map/warnings',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['dashboard'],
        summary:
          'Standing warnings (and, with include=drafts, drafts awaiting review) as a GeoJSON FeatureCollection',
        description:
          'One feature per warning version, its area as published, coordinates rounded to 5 decimals (RFC 7946 ' +
          '§11.2). A thread with a standing version and a draft gives both, told apart by status.',
        querystring: Type.Object({
          include: Type.Optional(Type.Literal('drafts')),
          simplify: Type.Optional(
            Type.Number({
              minimum: 0,
              maximum: 1,
              description:
                'Douglas-Peucker tolerance in degrees for an overview map (0.005 ≈ 500 m), coordinates then rounded to 4 decimals; 0 or absent: the areas as published',
            }),
          ),
          view: Type.Optional(
            Type.Union([Type.Literal('map'), Type.Literal('points')], {
              description:
                'map: only thread_id, status, severity and hazard per feature, what an overview map colours and ' +
                'links; points: the same, each area as a Point at the centre of its box with `radius_deg` (half ' +
                "the box's larger side), for world and continent maps where outlines would be a few pixels",
            }),
          ),
        }),
        response: { 200: WarningFeatures, 400: Problem },
      },
    },
    async (request, reply) => {
      const filter = {
        readable: callerOf(request).readableOrganisationIds,
        nowMs: Date.now(),
        includeDrafts: request.query.include === 'drafts',
      };
      const tolerance = request.query.simplify ?? 0;
      const shape = (g: GeoJsonGeometry) =>
        tolerance > 0 ? roundGeometry(simplifiedGeometry(g, tolerance), 4) : roundGeometry(g);
      // A published version never changes (drafts are revised in place): its shaped area is computed once.
      const shapeOf = (w: { id: number; status: string; geometry: GeoJsonGeometry }) => {
        if (w.status !== 'published') return shape(w.geometry);
        const key = `${w.id}:${tolerance}`;
        let shaped = shapedAreas.get(key);
        if (shaped === undefined) {
          shaped = shape(w.geometry);
          shapedAreas.set(key, shaped);
        }
        return shaped;
      };
      const view = request.query.view;
      if (view !== undefined) {
        const rows = await leanMapWarnings(db, filter);
        const cacheKey = (id: number) => `${id}:${view}:${tolerance}`;
        const cachable = (w: { status: string }) => w.status === 'published';
        const missing = rows.filter((w) => !(cachable(w) && leanFeatures.has(cacheKey(w.id))));
        const geometries = await warningGeometries(
          db,
          missing.map((w) => w.id),
        );
        const extent = new BoxUnion();
        const features = rows.map((w) => {
          const cached = cachable(w) ? leanFeatures.get(cacheKey(w.id)) : undefined;
          if (cached !== undefined) {
            extent.add(cached.box);
            return cached.text;
          }
          const area = geometries.get(w.id);
          const properties = {
            thread_id: w.thread_id,
            status: w.status,
            severity: w.severity,
            hazard: w.hazard,
          };
          const marker = view === 'points' && area !== undefined ? areaMarker(area) : undefined;
          const shaped = marker === undefined && area !== undefined ? shape(area) : null;
          const text = JSON.stringify(
            marker === undefined
              ? { type: 'Feature', id: w.id, geometry: shaped, properties }
              : {
                  type: 'Feature',
                  id: w.id,
                  geometry: { type: 'Point', coordinates: marker.center },
                  properties: { ...properties, radius_deg: marker.radiusDeg },
                },
          );
          const box = marker !== undefined ? markerBox(marker) : shaped === null ? null : bboxOf(shaped);
          if (cachable(w)) leanFeatures.set(cacheKey(w.id), { text, box });
          extent.add(box);
          return text;
        });
        // The FeatureCollection the schema documents, written as text from features that are JSON already;
        // its bbox (RFC 7946 §5) comes first, so the dashboard can fit the map without parsing the rest.
        const bbox = extent.box === null ? '' : `"bbox":${JSON.stringify(extent.box)},`;
        const body = `{"type":"FeatureCollection",${bbox}"features":[${features.join(',')}]}`;
        return reply.type(GEOJSON).send(body as unknown as Static<typeof WarningFeatures>);
      }
      // The schema documents the reply; JSON.stringify writes 10 000 free-form geometries faster than a
      // schema-compiled serializer that hands each geometry to JSON.stringify anyway.
      reply.type(GEOJSON).serializer(JSON.stringify);
      const rows = await mapWarnings(db, filter);
      return {
        type: 'FeatureCollection' as const,
        features: rows.map((w) => ({
          type: 'Feature' as const,
          id: w.id,
          geometry: shapeOf(w),
          properties: {
            thread_id: w.thread_id,
            identifier: w.identifier,
            status: w.status,
            severity: w.severity,
            urgency: w.urgency,
            certainty: w.certainty,
            hazard: w.hazard,
            headline: w.headline,
            sent: w.sent_at?.toISOString() ?? null,
            expires: w.expires_at.toISOString(),
          },
        })),
      };
    },
  );

  app.get(
    '/v1/map/stations',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['dashboard'],
        summary: "Your organisations' stations as GeoJSON points with their health (ok, stale, fault)",
        description:
          'fault: QC rejected a value of the station in the last 24 h; stale: never heard from, or silent for more ' +
          'than 3 × its declared interval or 24 h, whichever is shorter; ok otherwise. last_observation_at: its ' +
          'newest observation or event.',
        response: { 200: StationFeatures },
      },
    },
    async (request, reply) => {
      const nowMs = Date.now();
      const rows = await stationHealth(db, {
        readable: callerOf(request).readableOrganisationIds,
        faultSinceMs: nowMs - FAULT_WINDOW_MS,
      });
      reply.type(GEOJSON);
      return {
        type: 'FeatureCollection' as const,
        features: rows.map((s) => ({
          type: 'Feature' as const,
          id: s.id,
          geometry: roundGeometry({ type: 'Point', coordinates: [s.lon, s.lat] }),
          properties: {
            id: s.id,
            name: s.name,
            sense: s.sense,
            status: stationStatus(
              s.last_observation_at?.getTime() ?? null,
              s.expected_cadence_s,
              s.rejected_recently,
              nowMs,
            ),
            last_observation_at: s.last_observation_at?.toISOString() ?? null,
          },
        })),
      };
    },
  );

  app.get(
    '/v1/map/areas',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['dashboard'],
        summary:
          'Areas of one kind (protected areas, say) as a GeoJSON FeatureCollection, geometry as stored',
        querystring: Type.Object({
          kind: Type.Enum(AREA_KINDS),
          bbox: Type.Optional(Type.String({ description: 'minLon,minLat,maxLon,maxLat' })),
        }),
        response: { 200: AreaFeatures, 400: Problem },
      },
    },
    async (request, reply) => {
      const rows = await mapAreas(db, {
        readable: callerOf(request).readableOrganisationIds,
        kind: request.query.kind,
        bbox: bboxParam(request.query.bbox),
      });
      reply.type(GEOJSON);
      return {
        type: 'FeatureCollection' as const,
        features: rows.map((a) => ({
          type: 'Feature' as const,
          id: a.id,
          geometry: a.geometry,
          properties: {
            id: a.id,
            organisation_id: a.organisation_id,
            kind: a.kind,
            code: a.code,
            name: a.name,
            iso_code: a.iso_code,
            properties: a.properties,
          },
        })),
      };
    },
  );
}

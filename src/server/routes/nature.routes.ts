/** @module Nature routes for 30x30 (Kunming-Montreal target 3): protected areas in and out, coverage, gaps. */
import { Type } from 'typebox';
import type { Services } from '../../app.ts';
import {
  countryByCode,
  coverageOfCountry,
  gapsOfCountry,
  importProtectedAreas,
} from '../../nature/protected-area-service.ts';
import type { Caller } from '../../registry/access.ts';
import { listProtectedAreas, type ProtectedAreaRow } from '../../store/protected-area.repository.ts';
import { callerOf, type HttpServer } from '../http-server.ts';
import { bboxParam, PageQuery, queryError } from './route-schemas.ts';

function protectedAreaFeature(r: ProtectedAreaRow) {
  return {
    type: 'Feature' as const,
    id: r.id,
    bbox: [r.min_lon, r.min_lat, r.max_lon, r.max_lat],
    geometry: r.geometry,
    properties: {
      organisation_id: r.organisation_id,
      WDPAID: r.wdpa_id,
      WDPA_PID: r.wdpa_pid,
      NAME: r.name,
      DESIG: r.desig,
      IUCN_CAT: r.iucn_cat,
      STATUS: r.status,
      STATUS_YR: r.status_yr,
      MARINE: String(r.marine),
      REP_AREA: r.rep_area,
      GIS_AREA: r.gis_area,
      ISO3: r.iso3,
      point_only: r.point_only,
      land_km2: r.land_km2,
      sea_km2: r.sea_km2,
    },
  };
}

const CountryQuery = Type.String({
  minLength: 2,
  maxLength: 3,
  description: 'ISO 3166-1 alpha-2 or alpha-3',
  examples: ['BD', 'BGD'],
});

export async function natureRoutes(app: HttpServer, { services }: { services: Services }): Promise<void> {
  const db = services.database.db;
  // Protected areas held by the global organisation are shared reference data (a WDPA download), read by all.
  const sitesReadableBy = (caller: Caller): number[] => [
    ...new Set([...caller.readableOrganisationIds, services.globalOrganisationId]),
  ];
  // GeoJSON's own media type (RFC 7946 §12) is JSON too.
  app.addContentTypeParser(
    'application/geo+json',
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );

  app.post(
    '/v1/nature/protected-areas',
    {
      config: { role: 'analyst', scope: 'monitoring:write' },
      schema: {
        tags: ['nature'],
        summary:
          'Import protected and conserved areas shaped like the WDPA (GeoJSON FeatureCollection); cleaned as Protected Planet does, stored atomically',
        description:
          'Fields: WDPAID, WDPA_PID, NAME, DESIG, IUCN_CAT, STATUS, STATUS_YR, MARINE (0 terrestrial, 1 coastal, 2 marine), ' +
          'REP_AREA, GIS_AREA, ISO3. Kept: STATUS Designated, Inscribed, Established; UNESCO-MAB Biosphere Reserves are left out. ' +
          'Point-only sites become geodesic circles of REP_AREA; land parts are clipped to land, sea parts to sea. ' +
          'One invalid feature refuses the batch (422, each problem with its JSON pointer and field). Shapefiles: `ew4e nature import`.',
        body: Type.Unknown(),
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const result = await importProtectedAreas(
        db,
        caller.organisationId,
        request.body,
        new Date().getUTCFullYear(),
      );
      return reply.status(201).send(result);
    },
  );

  app.get(
    '/v1/nature/protected-areas',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['nature'],
        summary:
          'Cleaned protected areas as a GeoJSON FeatureCollection, by country (ISO3 field) and bounding box',
        querystring: Type.Intersect([
          PageQuery,
          Type.Object({
            country: Type.Optional(CountryQuery),
            bbox: Type.Optional(Type.String({ description: 'minLon,minLat,maxLon,maxLat' })),
          }),
        ]),
      },
    },
    async (request) => {
      const q = request.query;
      let iso3: string | undefined;
      if (q.country !== undefined) {
        const country = countryByCode(q.country);
        if (country?.isoAlpha3 == null) throw queryError('country', `unknown country "${q.country}"`);
        iso3 = country.isoAlpha3;
      }
      const limit = q.limit ?? 100;
      const rows = await listProtectedAreas(db, {
        readable: sitesReadableBy(callerOf(request)),
        iso3,
        bbox: bboxParam(q.bbox),
        after: q.after,
        limit,
      });
      return {
        type: 'FeatureCollection',
        features: rows.map(protectedAreaFeature),
        next_after: rows.length === limit ? rows[rows.length - 1]!.id : null,
      };
    },
  );

  app.get(
    '/v1/nature/coverage',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['nature'],
        summary:
          "A country's terrestrial and marine protected-area coverage, its STATUS_YR series and progress to 30 % by 2030",
        description:
          'Geodesic areas on WGS 84 (GeographicLib) of a Clipper union of the cleaned sites intersected with the country ' +
          '(Natural Earth 1:50m). Marine coverage in % needs a sea to measure against: pass marine_area, the id of an EEZ ' +
          'stored as an area (POST /v1/areas); without it only the protected sea in km² is given.',
        querystring: Type.Object({
          country: CountryQuery,
          marine_area: Type.Optional(
            Type.Integer({
              minimum: 1,
              description: 'id of the area (an EEZ) that marine coverage is measured against',
            }),
          ),
        }),
      },
    },
    async (request) =>
      coverageOfCountry(db, sitesReadableBy(callerOf(request)), request.query.country, {
        marineAreaId: request.query.marine_area,
        thisYear: new Date().getUTCFullYear(),
      }),
  );

  app.post(
    '/v1/nature/gaps',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['nature'],
        summary:
          'Gaps against a priority layer (KBAs, ecoregions, any polygons): share covered per feature, ranked uncovered areas, and what a proposed area would add',
        body: Type.Object({
          country: CountryQuery,
          priority: Type.Unknown({
            description: 'GeoJSON FeatureCollection of Polygon or MultiPolygon features',
          }),
          proposed: Type.Optional(
            Type.Unknown({
              description: 'GeoJSON Polygon or MultiPolygon: the area that might be designated',
            }),
          ),
        }),
      },
    },
    async (request) => gapsOfCountry(db, sitesReadableBy(callerOf(request)), request.body),
  );
}

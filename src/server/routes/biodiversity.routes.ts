/** @module Nature routes for species and soil: Darwin Core occurrence import and reads (sensitive locations generalised), population trends with a Living Planet Index, decline and degradation signals, and the black-soil report. */
import { Type } from 'typebox';
import type { Services } from '../../app.ts';
import { Ew4eError, notFound } from '../../errors.ts';
import { problemDetail } from '../../ingest/observation-ingest.ts';
import { livingPlanetIndex } from '../../nature/lpi.ts';
import { soilReport, soilReportHtml } from '../../nature/soil-report.ts';
import { SOIL_VARIABLES } from '../../nature/soil-trend.ts';
import { parseOccurrences } from '../../nature/species-occurrence.ts';
import { GENERALISATION_DEG, sensitivityOf, visiblePoint } from '../../nature/species-sensitivity.ts';
import { populationsOf, populationTrend } from '../../nature/species-trend.ts';
import { evaluateSoilTrends, evaluateSpeciesTrends } from '../../nature/trend-evaluation.ts';
import type { Caller } from '../../registry/access.ts';
import { findArea } from '../../store/area.repository.ts';
import { soilSeries, soilSites } from '../../store/soil.repository.ts';
import {
  listOccurrences,
  listSensitiveSpecies,
  replaceSensitiveSpecies,
  upsertOccurrences,
  yearlyCounts,
} from '../../store/species.repository.ts';
import { callerOf, type HttpServer } from '../http-server.ts';
import { SELF_CONTAINED_HTML } from '../security-headers.ts';
import { acceptRawBodies, ingestionBody, PageQuery, Problem } from './route-schemas.ts';

const AreaId = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
const Species = Type.String({ minLength: 1, maxLength: 500, description: 'scientificName as imported' });

const RaisedSignals = Type.Object({
  evaluated: Type.Integer({ description: 'series or populations with enough years to test' }),
  signals: Type.Array(
    Type.Object({
      id: Type.Integer(),
      area_id: Type.Union([Type.Integer(), Type.Null()]),
      series_id: Type.Union([Type.Integer(), Type.Null()]),
      score: Type.Number(),
      sentence: Type.String(),
      details: Type.Record(Type.String(), Type.Unknown()),
    }),
  ),
});

const Trend = Type.Union([
  Type.Null(),
  Type.Object({
    n: Type.Integer(),
    p_value: Type.Number(),
    tau: Type.Number(),
    sen_slope: Type.Number({ description: 'individuals per year' }),
    rate_per_year: Type.Number({
      description: "Sen's slope of log10 counts as a yearly rate: −0.062 is −6.2 % a year",
    }),
    direction: Type.Enum(['declining', 'increasing', 'stable']),
    significant_decline: Type.Boolean(),
  }),
]);

const SensitiveList = Type.Array(
  Type.Object(
    {
      scientific_name: Species,
      sensitivity: Type.Enum(['sensitive', 'highly_sensitive']),
    },
    { additionalProperties: false },
  ),
  { maxItems: 10_000 },
);

export async function biodiversityRoutes(
  app: HttpServer,
  { services, maxBatchRows }: { services: Services; maxBatchRows?: number },
): Promise<void> {
  const db = services.database.db;
  const limit = maxBatchRows ?? 50_000;

  await app.register(async (scope) => {
    acceptRawBodies(scope);
    scope.post(
      '/v1/biodiversity/occurrences',
      {
        config: { role: 'analyst', scope: 'observations:write' },
        schema: {
          tags: ['nature'],
          summary: 'Import Darwin Core occurrences (CSV)',
          description:
            'text/csv with the Darwin Core terms occurrenceID, scientificName, eventDate (ISO 8601 date, date-time or ' +
            "interval 'a/b', read as its start), decimalLatitude, decimalLongitude, basisOfRecord, and optionally " +
            'individualCount, countryCode, locality, informationWithheld, dataGeneralizations (either marks the record ' +
            `sensitive). Header names in any case and order; other columns are ignored. At most ${limit} rows. All or ` +
            'nothing: any bad row refuses the batch with every problem named by line and term. Re-sending an ' +
            'occurrenceID replaces the stored record. Points are linked to the registered areas holding them.',
          response: {
            200: Type.Object({ accepted: Type.Integer() }),
            413: Problem,
            415: Problem,
            422: Problem,
          },
        },
      },
      async (request) => {
        const caller = callerOf(request);
        const { text } = ingestionBody(request, ['csv']);
        const parsed = parseOccurrences(text);
        const total = parsed.rows.length + new Set(parsed.problems.map((p) => p.row)).size;
        if (total > limit) {
          throw new Ew4eError(
            'EW4E_BATCH_TOO_LARGE',
            `the batch has ${total} occurrences; at most ${limit} are accepted`,
          );
        }
        if (parsed.problems.length > 0) {
          throw new Ew4eError(
            'EW4E_INVALID_ROWS',
            `${new Set(parsed.problems.map((p) => p.row)).size} occurrence(s) are invalid; nothing was written`,
            parsed.problems.sort((a, b) => a.row - b.row).map(problemDetail),
          );
        }
        const accepted = await upsertOccurrences(
          db,
          caller.organisationId,
          caller.readableOrganisationIds,
          parsed.rows,
        );
        return { accepted };
      },
    );
  });

  app.get(
    '/v1/biodiversity/occurrences',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['nature'],
        summary: 'Occurrences as a GeoJSON FeatureCollection, sensitive locations generalised',
        description:
          'A sensitive record (flagged by informationWithheld or dataGeneralizations, or its species on the recording ' +
          "organisation's list as `sensitive`) is shown at the centre of its 0.1° grid cell, a `highly_sensitive` one " +
          "at the centre of its 1° cell, with its locality withheld — to everyone but the recording organisation's own " +
          'callers. `generalised_deg` says which (0: exact).',
        querystring: Type.Intersect([
          PageQuery,
          Type.Object({ species: Type.Optional(Species), area_id: Type.Optional(AreaId) }),
        ]),
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const q = request.query;
      if (q.area_id !== undefined) await readableArea(caller, q.area_id);
      const pageSize = q.limit ?? 100;
      const rows = await listOccurrences(db, {
        readable: caller.readableOrganisationIds,
        species: q.species,
        areaId: q.area_id,
        after: q.after,
        limit: pageSize,
      });
      return {
        type: 'FeatureCollection',
        features: rows.map((o) => {
          const sensitivity = sensitivityOf(o.sensitive, o.listed_sensitivity ?? undefined);
          const own = o.organisation_id === caller.organisationId;
          const point = visiblePoint(o, sensitivity, own);
          return {
            type: 'Feature',
            id: o.id,
            geometry: { type: 'Point', coordinates: [point.lon, point.lat] },
            properties: {
              occurrence_id: o.occurrence_id,
              scientific_name: o.scientific_name,
              event_date: o.event_date.toISOString(),
              individual_count: o.individual_count,
              basis_of_record: o.basis_of_record,
              country_code: o.country_code,
              locality: point.generalisedDeg > 0 ? null : o.locality,
              area_ids: o.area_ids,
              sensitivity,
              generalised_deg: point.generalisedDeg,
            },
          };
        }),
        next_after: rows.length === pageSize ? rows[rows.length - 1]!.id : null,
      };
    },
  );

  app.get(
    '/v1/biodiversity/sensitive-species',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['nature'],
        summary: "Your organisation's sensitive species list",
        response: { 200: SensitiveList },
      },
    },
    async (request) => listSensitiveSpecies(db, callerOf(request).organisationId),
  );

  app.put(
    '/v1/biodiversity/sensitive-species',
    {
      config: { role: 'analyst', scope: 'monitoring:write' },
      schema: {
        tags: ['nature'],
        summary: "Replace your organisation's sensitive species list",
        description: `Grid cells: sensitive ${GENERALISATION_DEG.sensitive}°, highly_sensitive ${GENERALISATION_DEG.highly_sensitive}°. Applies at once to every stored record of the species.`,
        body: SensitiveList,
        response: { 200: SensitiveList },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const list = new Map(
        request.body.map((s) => [s.scientific_name.trim().replace(/\s+/g, ' '), s.sensitivity]),
      );
      await replaceSensitiveSpecies(
        db,
        caller.organisationId,
        [...list].map(([scientificName, sensitivity]) => ({ scientificName, sensitivity })),
      );
      return listSensitiveSpecies(db, caller.organisationId);
    },
  );

  app.get(
    '/v1/biodiversity/trends',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['nature'],
        summary: 'Yearly population counts per species, their trends, and a Living Planet Index',
        description:
          'A population is a species in the area (`area_id`), or, without it, all readable records of the species. ' +
          'Counts: sum of individualCount per UTC year over field records (HumanObservation, MachineObservation, ' +
          'Observation, Occurrence); a record without a count counts one. Trend (from 5 years): Mann-Kendall and ' +
          "Sen's slope. LPI: chained log10 ratios, zeros lifted by 1 % of the mean, gaps interpolated log-linearly, " +
          'species averaged geometrically, 95 % interval from a seeded bootstrap over species.',
        querystring: Type.Object({
          area_id: Type.Optional(AreaId),
          species: Type.Optional(Species),
          replicates: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, default: 1000 })),
          seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4_294_967_295, default: 1 })),
        }),
        response: {
          200: Type.Object({
            area_id: Type.Union([AreaId, Type.Null()]),
            populations: Type.Array(
              Type.Object({
                species: Type.String(),
                area_id: Type.Union([Type.Integer(), Type.Null()]),
                area_name: Type.Union([Type.String(), Type.Null()]),
                years: Type.Array(Type.Integer()),
                counts: Type.Array(Type.Number()),
                trend: Trend,
              }),
            ),
            lpi: Type.Union([
              Type.Null(),
              Type.Object({
                years: Type.Array(Type.Integer()),
                index: Type.Array(Type.Number()),
                lower: Type.Array(Type.Number()),
                upper: Type.Array(Type.Number()),
                species: Type.Array(Type.Integer({ description: 'species speaking for each year' })),
                replicates: Type.Integer(),
              }),
            ]),
          }),
        },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const q = request.query;
      if (q.area_id !== undefined) await readableArea(caller, q.area_id);
      const populations = populationsOf(
        await yearlyCounts(db, {
          organisations: caller.readableOrganisationIds,
          species: q.species,
          areaId: q.area_id,
          perArea: false,
        }),
      );
      const lpi = livingPlanetIndex(populations, { replicates: q.replicates ?? 1000, seed: q.seed ?? 1 });
      return {
        area_id: q.area_id ?? null,
        populations: populations.map((p) => {
          const trend = populationTrend(p.years, p.counts);
          return {
            species: p.species,
            area_id: p.areaId,
            area_name: p.areaName,
            years: p.years,
            counts: p.counts,
            trend:
              trend === null
                ? null
                : {
                    n: trend.n,
                    p_value: trend.pValue,
                    tau: trend.tau,
                    sen_slope: trend.senSlope,
                    rate_per_year: trend.ratePerYear,
                    direction: trend.direction,
                    significant_decline: trend.significantDecline,
                  },
          };
        }),
        lpi:
          lpi.years.length === 0
            ? null
            : {
                years: lpi.years,
                index: lpi.index,
                lower: lpi.lower,
                upper: lpi.upper,
                species: lpi.species,
                replicates: lpi.replicates,
              },
      };
    },
  );

  app.post(
    '/v1/biodiversity/trends/evaluate',
    {
      config: { role: 'analyst', scope: 'monitoring:write' },
      schema: {
        tags: ['nature'],
        summary: 'Test every species × area population of your organisation for a decline; raise signals',
        description:
          "Populations with at least 5 years: Mann-Kendall p < 0.05 with a negative Sen's slope raises a `trend` " +
          'signal (detector `species_trend`, details.variable `species_count`), which the warning stage takes as ' +
          'evidence of the hazard species_decline over the area. Idempotent: the same years raise nothing new. ' +
          'Returns the signals newly raised.',
        response: { 200: RaisedSignals },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const { evaluated, signalIds } = await evaluateSpeciesTrends(
        db,
        services.bus,
        caller.organisationId,
        Date.now(),
      );
      return { evaluated, signals: await signalsById(signalIds) };
    },
  );

  app.get(
    '/v1/nature/soil/report',
    {
      config: { role: 'viewer', scope: 'read' },
      helmet: SELF_CONTAINED_HTML,
      schema: {
        tags: ['nature'],
        summary: 'The black-soil report: soil sites by belt, latest values and indicator trends',
        description:
          'Sites are stations with soil series (soil_organic_carbon, soil_moisture, soil_erosion, soil_ph, ' +
          'soil_bulk_density), grouped into the black-soil belts (north-east China, Ukraine, the Argentine Pampas, ' +
          'the North American prairies; rough outlines after the FAO Global Black Soil Distribution Map). Trend per ' +
          "indicator from 5 yearly means: Sen's slope per year, Mann-Kendall p, direction, and whether that direction " +
          'is degradation (carbon, pH falling; erosion, bulk density rising). `format=html`: one self-contained page ' +
          'with inline SVG sparklines.',
        querystring: Type.Object({ format: Type.Optional(Type.Enum(['json', 'html'], { default: 'json' })) }),
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const nowMs = Date.now();
      const rows = await soilSeries(db, caller.readableOrganisationIds, SOIL_VARIABLES);
      const report = soilReport(soilSites(rows), nowMs);
      if (request.query.format !== 'html') return report;
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(soilReportHtml(report));
    },
  );

  app.post(
    '/v1/nature/soil/evaluate',
    {
      config: { role: 'analyst', scope: 'monitoring:write' },
      schema: {
        tags: ['nature'],
        summary: "Test your organisation's soil series for degradation; raise signals",
        description:
          'A significant degrading trend (Mann-Kendall p < 0.05 over at least 5 yearly means) of soil organic carbon, ' +
          'erosion or bulk density raises a `trend` signal on the series (detector `soil_trend`); the warning stage ' +
          "takes its hazard from the variable (soil_carbon_loss; soil_erosion) and its area from the station's. " +
          'Idempotent like the species evaluation.',
        response: { 200: RaisedSignals },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const { evaluated, signalIds } = await evaluateSoilTrends(
        db,
        services.bus,
        caller.organisationId,
        Date.now(),
      );
      return { evaluated, signals: await signalsById(signalIds) };
    },
  );

  function signalsById(ids: readonly number[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return db
      .selectFrom('signal')
      .select(['id', 'area_id', 'series_id', 'score', 'sentence', 'details'])
      .where('id', 'in', [...ids])
      .orderBy('id')
      .execute();
  }

  async function readableArea(caller: Caller, areaId: number): Promise<void> {
    const area = await findArea(db, areaId, caller.readableOrganisationIds);
    if (area === undefined) throw notFound(`area ${areaId}`);
  }
}

/** @module Observation routes: batch ingestion (JSON, NDJSON, CSV) and reads of one series with server-side downsampling. */
import { Type } from 'typebox';
import type { Services } from '../../app.ts';
import { notFound } from '../../errors.ts';
import { parseObservations } from '../../ingest/observation-parser.ts';
import { qcFlagOfCode, qcRuleOfCode } from '../../ingest/quality-control.ts';
import { AGGREGATES, autoBucketS, formatDurationS, parseBucket } from '../../query/downsampling.ts';
import { bucketedObservations, rawObservations } from '../../store/observation.repository.ts';
import { findSeries } from '../../store/station.repository.ts';
import { callerOf, type HttpServer } from '../http-server.ts';
import {
  acceptRawBodies,
  IdParam,
  ingestionBody,
  Problem,
  queryError,
  TimeRangeQuery,
  timeRangeOf,
} from './route-schemas.ts';

const BatchSummary = Type.Object({
  accepted: Type.Integer({
    description: 'rows stored (a repeated series+time within the batch counts once; the last wins)',
  }),
  series: Type.Integer(),
  flagged: Type.Object({ suspect: Type.Integer(), rejected: Type.Integer() }),
  from: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  to: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const MAX_RAW_POINTS = 100_000;

export async function observationRoutes(
  app: HttpServer,
  { services, maxBatchRows }: { services: Services; maxBatchRows: number },
): Promise<void> {
  await app.register(async (scope) => {
    acceptRawBodies(scope);
    scope.post(
      '/v1/observations',
      {
        config: { role: 'analyst', scope: 'observations:write' },
        schema: {
          tags: ['observations'],
          summary: 'Ingest a batch of observations',
          description:
            `A JSON array, NDJSON (application/x-ndjson) or CSV (text/csv, header row) of records ` +
            `{series, time, value, unit?}. series is a series id or code of your organisation; time an ISO 8601 instant ` +
            `with zone; unit optional (converted to the series unit). At most ${maxBatchRows} rows per batch. ` +
            'The batch is atomic: all rows are stored, or none and the reply lists every bad row (CSV/NDJSON line or JSON ' +
            'pointer, field, reason). Re-sending is safe: the latest value sent for a (series, time) replaces the stored one.',
          consumes: ['application/json', 'application/x-ndjson', 'text/csv'],
          response: { 200: BatchSummary, 413: Problem, 415: Problem, 422: Problem },
        },
      },
      async (request) => {
        const { format, text } = ingestionBody(request, ['json', 'ndjson', 'csv']);
        const parsed = parseObservations(text, format);
        return services.observationIngest.ingest(callerOf(request), parsed);
      },
    );
  });

  app.get(
    '/v1/series/:id/observations',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['observations'],
        summary: "A series' observations, raw or downsampled",
        description:
          'Without bucket: raw values with their QC flag and rule. With bucket (ISO 8601 duration like PT1H, or "auto" ' +
          'for at most `points` buckets) and agg: one value per bucket, computed in the database. Values flagged ' +
          '"rejected" by hard limits are left out unless include_rejected=true.',
        params: IdParam,
        querystring: Type.Intersect([
          TimeRangeQuery,
          Type.Object({
            bucket: Type.Optional(Type.String({ examples: ['PT1H', 'auto'] })),
            agg: Type.Optional(Type.Enum(AGGREGATES, { default: 'avg' })),
            points: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 500 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_RAW_POINTS, default: 10_000 })),
            include_rejected: Type.Optional(Type.Boolean({ default: false })),
          }),
        ]),
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const series = await findSeries(
        services.database.db,
        request.params.id,
        caller.readableOrganisationIds,
      );
      if (!series) throw notFound(`series ${request.params.id}`);
      const { fromMs, toMs } = timeRangeOf(request.query);
      const range = {
        seriesIds: [series.id],
        fromMs,
        toMs,
        includeRejected: request.query.include_rejected ?? false,
      };
      const head = {
        series: series.id,
        code: series.code,
        variable: series.variable_code,
        unit: series.unit,
      };
      const bucket = request.query.bucket;
      if (bucket === undefined) {
        const limit = request.query.limit ?? 10_000;
        const rows = await rawObservations(services.database.db, range, limit);
        return {
          ...head,
          from: new Date(fromMs).toISOString(),
          to: new Date(toMs).toISOString(),
          truncated: rows.length === limit,
          points: rows.map((r) => ({
            time: r.time.toISOString(),
            value: r.value,
            qc: qcFlagOfCode(r.qc_flag),
            qc_rule: qcRuleOfCode(r.qc_rule),
          })),
        };
      }
      const bucketS = bucketSecondsOf(bucket, fromMs, toMs, request.query.points ?? 500);
      const agg = request.query.agg ?? 'avg';
      const rows = await bucketedObservations(services.database.db, range, bucketS, agg);
      return {
        ...head,
        from: new Date(fromMs).toISOString(),
        to: new Date(toMs).toISOString(),
        bucket: formatDurationS(bucketS),
        agg,
        points: rows.map((r) => ({ time: r.time.toISOString(), value: r.value, count: r.count })),
      };
    },
  );
}

/** Refuses buckets that would return more than 100 000 points: ask for a wider bucket instead. */
export function bucketSecondsOf(bucket: string, fromMs: number, toMs: number, points: number): number {
  if (bucket === 'auto') return autoBucketS(fromMs, toMs, points);
  const parsed = parseBucket(bucket);
  if ('reason' in parsed) throw queryError('bucket', parsed.reason);
  if ((toMs - fromMs) / 1000 / parsed.seconds > MAX_RAW_POINTS) {
    throw queryError(
      'bucket',
      `bucket ${bucket} gives more than ${MAX_RAW_POINTS} points over this range; widen it`,
    );
  }
  return parsed.seconds;
}

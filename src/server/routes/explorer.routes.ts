/** @module The series explorer: everything the monitoring chart draws for one series and range, in one call. */
import { Type } from 'typebox';
import type { Services } from '../../app.ts';
import { ENSEMBLE_DETECTOR } from '../../detect/detectors.ts';
import { FORECAST_DETECTOR } from '../../detect/forecast-detector.ts';
import { notFound } from '../../errors.ts';
import { qcFlagOfCode, qcRuleOfCode } from '../../ingest/quality-control.ts';
import { baselineBand, bucketStarts, explorerBuckets, forecastBand } from '../../query/series-explorer.ts';
import { findVariable } from '../../registry/variables.ts';
import { seriesContexts } from '../../store/detection.repository.ts';
import {
  bucketStats,
  detectorSnapshots,
  explorerRawPoints,
  flaggedPoints,
  signalsOfSeriesInRange,
} from '../../store/explorer.repository.ts';
import { findSeries } from '../../store/station.repository.ts';
import { callerOf, type HttpServer } from '../http-server.ts';
import { IdParam, Problem, TimeRangeQuery, timeRangeOf } from './route-schemas.ts';

const MAX_QC_POINTS = 2000;
const MAX_SIGNALS = 1000;
const Time = Type.String({ format: 'date-time' });
const Num = Type.Number();
const NullableNum = Type.Union([Type.Number(), Type.Null()]);

const Explorer = Type.Object({
  series: Type.Object({
    id: Type.Integer(),
    code: Type.String(),
    variable: Type.String(),
    unit: Type.String(),
    station_name: Type.String(),
  }),
  from: Time,
  to: Time,
  bucket_s: Type.Union([Type.Integer(), Type.Null()], {
    description: 'width of each bucket in seconds; null when the observations are raw points',
  }),
  observations: Type.Array(
    Type.Object({
      t: Type.String({ format: 'date-time', description: 'start of the bucket, or the time of a raw point' }),
      avg: NullableNum,
      min: NullableNum,
      max: NullableNum,
      n: Type.Integer({ description: 'values not rejected by QC' }),
      rejected: Type.Integer(),
      suspect: Type.Integer(),
    }),
  ),
  qc: Type.Array(
    Type.Object({
      t: Time,
      value: Num,
      flag: Type.Union([Type.Literal('suspect'), Type.Literal('rejected')]),
      rule: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  qc_truncated: Type.Boolean({
    description: `true when the range holds more than ${MAX_QC_POINTS} flagged values`,
  }),
  baseline: Type.Array(Type.Object({ t: Time, expected: Num, lower: Num, upper: Num })),
  signals: Type.Array(
    Type.Object({
      id: Type.Integer(),
      kind: Type.String(),
      state: Type.String(),
      start: Time,
      end: Type.Union([Time, Type.Null()]),
      sentence: Type.String(),
      score: Num,
    }),
  ),
  forecast: Type.Array(Type.Object({ t: Time, mean: Num, lower: Num, upper: Num })),
});

export async function explorerRoutes(app: HttpServer, { services }: { services: Services }): Promise<void> {
  const db = services.database.db;

  app.get(
    '/v1/series/:id/explorer',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['observations'],
        summary:
          'One series for the monitoring chart: downsampled data, QC flags, baseline band, signals, forecast',
        description:
          'observations: at most `points` aligned buckets (avg/min/max over values not rejected by QC, with counts of ' +
          'rejected and suspect ones), or the raw points when the range holds no more than `points`. qc: the suspect ' +
          `and rejected values themselves (at most ${MAX_QC_POINTS}). baseline: the seasonal baseline's expected ` +
          "value ± 3 σ at each bucket start, from the ensemble detector's stored state (empty before it has learnt). " +
          'forecast: the Holt-Winters forecast 6 h beyond the last observation detection has seen, with a 95 % band ' +
          '(only when that observation lies in the range). Both bands stop at 0 for a variable that cannot be ' +
          "negative (a concentration, amount or count). signals: the series' signals overlapping the range.",
        params: IdParam,
        querystring: Type.Intersect([
          TimeRangeQuery,
          Type.Object({
            points: Type.Optional(Type.Integer({ minimum: 2, maximum: 10_000, default: 600 })),
          }),
        ]),
        response: { 200: Explorer, 400: Problem, 404: Problem },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const series = await findSeries(db, request.params.id, caller.readableOrganisationIds);
      if (!series) throw notFound(`series ${request.params.id}`);
      const [context] = await seriesContexts(db, [series.id]);
      if (!context) throw notFound(`series ${request.params.id}`);
      const { fromMs, toMs } = timeRangeOf(request.query);
      const points = request.query.points ?? 600;
      const range = { seriesId: series.id, fromMs, toMs };
      const buckets = explorerBuckets(fromMs, toMs, points);

      // One more than `points` tells whether the range holds few enough to send raw.
      const raw = await explorerRawPoints(db, range, points + 1);
      const isRaw = raw.length <= points;
      const [stats, flagged, signals, snapshots] = await Promise.all([
        isRaw ? Promise.resolve([]) : bucketStats(db, range, buckets),
        flaggedPoints(db, range, MAX_QC_POINTS + 1),
        signalsOfSeriesInRange(db, range, MAX_SIGNALS),
        detectorSnapshots(db, series.id),
      ]);
      const observations = isRaw
        ? raw.map((r) => {
            const usable = r.qc_flag < 2;
            return {
              t: r.time.toISOString(),
              avg: usable ? r.value : null,
              min: usable ? r.value : null,
              max: usable ? r.value : null,
              n: usable ? 1 : 0,
              rejected: r.qc_flag === 2 ? 1 : 0,
              suspect: r.qc_flag === 1 ? 1 : 0,
            };
          })
        : stats.map((b) => ({
            t: b.time.toISOString(),
            avg: b.avg,
            min: b.min,
            max: b.max,
            n: b.n,
            rejected: b.rejected,
            suspect: b.suspect,
          }));
      // Bands around a concentration, count or amount stop at 0 (registry/variables.ts).
      const nonNegative = findVariable(context.variable)?.nonNegative === true;
      const forecast = forecastBand(snapshots.get(FORECAST_DETECTOR.name), context.cadenceS, { nonNegative });
      // A forecast made from outside the range says nothing about what the chart shows.
      const origin = forecast.originMs;
      const showForecast = origin !== null && origin >= fromMs && origin < toMs;
      const iso = (ms: number) => new Date(ms).toISOString();
      return {
        series: {
          id: series.id,
          code: series.code,
          variable: series.variable_code,
          unit: series.unit,
          station_name: context.stationName,
        },
        from: iso(fromMs),
        to: iso(toMs),
        bucket_s: isRaw ? null : buckets.bucketS,
        observations,
        qc: flagged.slice(0, MAX_QC_POINTS).map((p) => ({
          t: p.time.toISOString(),
          value: p.value,
          flag: qcFlagOfCode(p.qc_flag) as 'suspect' | 'rejected',
          rule: qcRuleOfCode(p.qc_rule),
        })),
        qc_truncated: flagged.length > MAX_QC_POINTS,
        baseline: baselineBand(
          snapshots.get(ENSEMBLE_DETECTOR.name),
          { range: context.range, timeZone: context.timeZone, nonNegative },
          bucketStarts(fromMs, toMs, buckets),
        ).map((b) => ({ t: iso(b.tMs), expected: b.expected, lower: b.lower, upper: b.upper })),
        signals: signals.map((s) => ({
          id: s.id,
          kind: s.kind,
          state: s.state,
          start: s.start_time.toISOString(),
          end: s.end_time?.toISOString() ?? null,
          sentence: s.sentence,
          score: s.score,
        })),
        forecast: showForecast
          ? forecast.points.map((f) => ({ t: iso(f.tMs), mean: f.mean, lower: f.lower, upper: f.upper }))
          : [],
      };
    },
  );
}

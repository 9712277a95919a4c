/** @module Event routes: batch ingestion (JSON, NDJSON, CSV, GeoJSON) and GeoJSON reads filtered by time, kind and bbox. */
import { Type } from 'typebox';
import type { Services } from '../../app.ts';
import { ALERT_FEEDS, type AlertFeed, parseAlertFeed } from '../../ingest/alert-feeds.ts';
import { parseEvents } from '../../ingest/event-parser.ts';
import { listEvents } from '../../store/event.repository.ts';
import { callerOf, type HttpServer } from '../http-server.ts';
import { acceptRawBodies, bboxParam, ingestionBody, PageQuery, Problem } from './route-schemas.ts';

export async function eventRoutes(
  app: HttpServer,
  { services, maxBatchRows }: { services: Services; maxBatchRows: number },
): Promise<void> {
  await app.register(async (scope) => {
    acceptRawBodies(scope);
    scope.post(
      '/v1/events',
      {
        config: { role: 'analyst', scope: 'events:write' },
        schema: {
          tags: ['events'],
          summary: 'Ingest a batch of events (points or polygons)',
          description:
            'A JSON array or NDJSON of {id?, kind, time, end_time?, geometry | lon+lat, source?, station?, attributes?}, ' +
            'a GeoJSON FeatureCollection (application/geo+json), or CSV with kind,time,lon,lat and optional id,end_time,source,station ' +
            `(other columns become attributes). At most ${maxBatchRows} events. Atomic like observations. Re-sending is safe: ` +
            'an event is identified by its source and id, or by its content when it has no id; the latest delivery wins. ' +
            'With `feed=firms` a NASA FIRMS active-fire CSV (latitude, longitude, acq_date, acq_time, …) becomes fire_detection events; ' +
            'with `feed=gfw` a Global Forest Watch integrated-alerts CSV becomes forest_loss_alert events.',
          querystring: Type.Object({
            feed: Type.Optional(
              Type.Enum([...ALERT_FEEDS], { description: 'read the CSV body as this download format' }),
            ),
          }),
          response: {
            200: Type.Object({ accepted: Type.Integer() }),
            413: Problem,
            415: Problem,
            422: Problem,
          },
        },
      },
      async (request) => {
        const feed = (request.query as { feed?: AlertFeed }).feed;
        if (feed !== undefined) {
          const { text } = ingestionBody(request, ['csv']);
          return services.eventIngest.ingest(callerOf(request), parseAlertFeed(text, feed));
        }
        const { format, text } = ingestionBody(request, ['json', 'ndjson', 'geojson', 'csv']);
        const parsed = parseEvents(text, format);
        return services.eventIngest.ingest(callerOf(request), parsed);
      },
    );
  });

  app.get(
    '/v1/events',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['events'],
        summary: 'Events as a GeoJSON FeatureCollection',
        querystring: Type.Intersect([
          PageQuery,
          Type.Object({
            from: Type.Optional(Type.String({ format: 'date-time' })),
            to: Type.Optional(Type.String({ format: 'date-time' })),
            kind: Type.Optional(Type.String()),
            bbox: Type.Optional(Type.String({ description: 'minLon,minLat,maxLon,maxLat' })),
          }),
        ]),
      },
    },
    async (request) => {
      const q = request.query;
      const bbox = bboxParam(q.bbox);
      const limit = q.limit ?? 100;
      const rows = await listEvents(services.database.db, {
        readable: callerOf(request).readableOrganisationIds,
        fromMs: q.from === undefined ? undefined : Date.parse(q.from),
        toMs: q.to === undefined ? undefined : Date.parse(q.to),
        kind: q.kind,
        bbox,
        after: q.after,
        limit,
      });
      return {
        type: 'FeatureCollection',
        features: rows.map((e) => ({
          type: 'Feature',
          id: e.id,
          geometry: e.geometry,
          // the event's own fields come last, so that no attribute can mask them
          properties: {
            ...e.attributes,
            kind: e.kind,
            time: e.time.toISOString(),
            end_time: e.end_time?.toISOString() ?? null,
            source: e.source_code,
            station: e.station_code,
            received_at: e.received_at.toISOString(),
          },
        })),
        next_after: rows.length === limit ? rows[rows.length - 1]!.id : null,
      };
    },
  );
}

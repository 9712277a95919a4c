/** @module Signal routes: what detection raised, filtered by series, station, area, kind, origin, score and time. */
import { Type } from 'typebox';
import type { Services } from '../../app.ts';
import { SIGNAL_KINDS } from '../../detect/signal.ts';
import { listSignals, signalsByIds } from '../../store/signal.repository.ts';
import { callerOf, type HttpServer } from '../http-server.ts';
import { BigRowId, queryError, RowId } from './route-schemas.ts';

export async function signalRoutes(app: HttpServer, { services }: { services: Services }): Promise<void> {
  app.get(
    '/v1/signals',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['signals'],
        summary: 'Signals raised by detectors and rules, newest first',
        description:
          'Each signal names its series or area, its time span, the detector or rule (and rule version) that raised it, ' +
          'a score in [0, 1], what was expected against what was observed, and a sentence for a duty officer. ' +
          'Page with `after` (the last id of the previous page).',
        querystring: Type.Object({
          series_id: Type.Optional(RowId()),
          station_id: Type.Optional(RowId()),
          area_id: Type.Optional(RowId()),
          kind: Type.Optional(Type.Enum(SIGNAL_KINDS)),
          origin: Type.Optional(Type.Enum(['detector', 'rule'])),
          min_score: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
          after: Type.Optional(BigRowId()),
        }),
      },
    },
    async (request) => {
      const q = request.query;
      const fromMs = q.from === undefined ? undefined : Date.parse(q.from);
      const toMs = q.to === undefined ? undefined : Date.parse(q.to);
      if (fromMs !== undefined && toMs !== undefined && !(fromMs < toMs))
        throw queryError('from', '`from` must be before `to`');
      const limit = q.limit ?? 100;
      const rows = await listSignals(services.database.db, {
        readable: callerOf(request).readableOrganisationIds,
        seriesId: q.series_id,
        stationId: q.station_id,
        areaId: q.area_id,
        kind: q.kind,
        origin: q.origin,
        minScore: q.min_score,
        fromMs,
        toMs,
        after: q.after,
        limit,
      });
      return {
        items: rows.map(signalJson),
        next_after: rows.length === limit ? rows[rows.length - 1]!.id : null,
      };
    },
  );

  app.get(
    '/v1/signals/stream',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['signals'],
        summary: 'New signals as they are raised, as Server-Sent Events (event: signal)',
        description:
          'For dashboards: each event carries one signal as JSON, as in GET /v1/signals. A comment every 15 s keeps proxies from closing the stream.',
      },
    },
    async (request, reply) => {
      const readable = callerOf(request).readableOrganisationIds;
      reply.hijack();
      const out = reply.raw;
      out.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      out.write(': ew4e signals\n\n');
      const unsubscribe = services.bus.subscribe('signals.raised', ({ signalIds }) => {
        signalsByIds(services.database.db, signalIds, readable)
          .then((rows) => {
            for (const s of rows)
              out.write(`id: ${s.id}\nevent: signal\ndata: ${JSON.stringify(signalJson(s))}\n\n`);
          })
          .catch((error: unknown) => request.log.error({ err: error }, 'signal stream failed'));
      });
      const heartbeat = setInterval(() => out.write(': keep-alive\n\n'), 15_000);
      request.raw.on('close', () => {
        clearInterval(heartbeat);
        unsubscribe();
      });
    },
  );
}

function signalJson(s: Awaited<ReturnType<typeof listSignals>>[number]) {
  return {
    ...s,
    start_time: s.start_time.toISOString(),
    end_time: s.end_time?.toISOString() ?? null,
    created_at: s.created_at.toISOString(),
  };
}

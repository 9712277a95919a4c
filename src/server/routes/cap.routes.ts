/** @module Public warning publishing: every published version as CAP 1.2 XML and as JSON at a stable URL, and Atom and RSS feeds of the warnings in force — all with ETags. */
import { access, mkdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Services } from '../../app.ts';
import { notFound } from '../../errors.ts';
import { publishedMessage } from '../../notify/dispatcher.ts';
import { makePrintedBulletin } from '../../notify/media/printed-bulletin.ts';
import { makeSpokenBulletin } from '../../notify/media/spoken-bulletin.ts';
import { feedVersions, publishedByIdentifier } from '../../store/warning-read.repository.ts';
import { capTime } from '../../warn/cap/cap-alert.ts';
import { geoJsonToCapPolygons, parseCapXml } from '../../warn/cap/cap-xml.ts';
import { HAZARD_CODES } from '../../warn/hazards.ts';
import { etagOf } from '../../warn/publish/etag.ts';
import {
  toAtomFeed,
  toRssFeed,
  type WarningFeed,
  type WarningFeedEntry,
} from '../../warn/publish/warning-feed.ts';
import { severityRank } from '../../warn/warning-policy.ts';
import type { HttpServer } from '../http-server.ts';
import { RowId } from './route-schemas.ts';

const Identifier = Type.Object({ identifier: Type.String({ pattern: '^[^\\s,<&]{1,200}$' }) });

/** A 304 when the client already holds this representation (RFC 9110 §13.1.2), else the body with its ETag. */
function sendWithEtag(
  request: FastifyRequest,
  reply: FastifyReply,
  etag: string,
  contentType: string,
  body: string,
) {
  reply.header('etag', etag).header('cache-control', 'public, max-age=60');
  const held = request.headers['if-none-match'];
  if (held?.split(',').some((t) => t.trim() === etag || t.trim() === '*')) {
    return reply.status(304).send();
  }
  return reply.type(contentType).send(body);
}

export async function capRoutes(app: HttpServer, { services }: { services: Services }): Promise<void> {
  const db = services.database.db;

  app.get(
    '/cap/:identifier.xml',
    {
      schema: {
        tags: ['publishing'],
        summary:
          'A published warning version as CAP 1.2 XML (application/cap+xml), signed when the organisation has a key',
        security: [],
        params: Identifier,
      },
    },
    async (request, reply) => {
      const row = await publishedByIdentifier(db, request.params.identifier);
      if (row?.cap_xml == null || row.etag === null) throw notFound('alert');
      return sendWithEtag(request, reply, row.etag, 'application/cap+xml; charset=utf-8', row.cap_xml);
    },
  );

  app.get(
    '/cap/:identifier.json',
    {
      schema: {
        tags: ['publishing'],
        summary:
          'A published warning version as JSON: the CAP 1.2 alert, field for field, with a link to its XML',
        security: [],
        params: Identifier,
      },
    },
    async (request, reply) => {
      const row = await publishedByIdentifier(db, request.params.identifier);
      if (row?.cap_xml == null) throw notFound('alert');
      const parsed = parseCapXml(row.cap_xml);
      if (!('alert' in parsed)) throw new Error(`stored alert ${request.params.identifier} does not parse`);
      const body = JSON.stringify({
        ...parsed.alert,
        links: {
          xml: `${services.publicUrl}/cap/${request.params.identifier}.xml`,
          thread: `${services.publicUrl}/v1/warnings/${row.thread_id}`,
        },
      });
      return sendWithEtag(request, reply, etagOf(body), 'application/json; charset=utf-8', body);
    },
  );

  const FeedQuery = Type.Object({
    hazard: Type.Optional(Type.Enum([...HAZARD_CODES])),
    severity: Type.Optional(
      Type.Enum(['Minor', 'Moderate', 'Severe', 'Extreme'], { description: 'this level or higher' }),
    ),
    bbox: Type.Optional(
      Type.String({ description: 'minLon,minLat,maxLon,maxLat: warnings whose area meets the box' }),
    ),
    organisation: Type.Optional(RowId()),
    lang: Type.Optional(
      Type.String({ pattern: '^[a-z]{2}$', description: 'language of titles and summaries (default en)' }),
    ),
  });

  const feedOf = async (
    query: { hazard?: string; severity?: string; bbox?: string; organisation?: number; lang?: string },
    selfUrl: string,
  ): Promise<WarningFeed> => {
    const nowMs = Date.now();
    const rows = await feedVersions(db, { nowMs, hazard: query.hazard, organisationId: query.organisation });
    const box = query.bbox?.split(',').map(Number);
    const language = query.lang ?? 'en';
    const entries = rows
      .filter(
        (r) =>
          query.severity === undefined ||
          severityRank(r.severity as never) >= severityRank(query.severity as never),
      )
      .filter((r) => {
        if (box === undefined || box.length !== 4 || box.some((n) => !Number.isFinite(n))) return true;
        const [w, s, e, n] = box as [number, number, number, number];
        return r.min_lon <= e && r.max_lon >= w && r.min_lat <= n && r.max_lat >= s;
      })
      .map((r): WarningFeedEntry => {
        const text = r.content.texts.find((t) => t.language === language) ?? r.content.texts[0];
        const sent = (r.sent_at ?? new Date(nowMs)).toISOString();
        return {
          id: `${services.publicUrl}/cap/${r.identifier}.xml`,
          title: text?.headline ?? r.hazard,
          summary: text?.description ?? '',
          language: text?.language ?? 'en',
          published: sent,
          updated: sent,
          capUrl: `${services.publicUrl}/cap/${r.identifier}.xml`,
          jsonUrl: `${services.publicUrl}/cap/${r.identifier}.json`,
          authorName: r.organisation_name,
          hazard: r.hazard,
          ...(text === undefined ? {} : { event: text.event }),
          severity: r.severity,
          urgency: r.urgency,
          certainty: r.certainty,
          msgType: r.msg_type,
          areaDesc: r.content.areaDesc,
          expires: capTime(r.expires_at),
          polygon: r.content.circle === null ? (geoJsonToCapPolygons(r.geometry)[0] ?? null) : null,
        };
      });
    // ISO 8601 UTC strings sort as times do.
    const updated =
      entries
        .map((e) => e.updated)
        .sort()
        .at(-1) ?? new Date(0).toISOString();
    return {
      id: `${services.publicUrl}/feeds/warnings`,
      title: 'EW4E — environmental warnings in force',
      selfUrl,
      alternateUrl: `${services.publicUrl}/feeds/warnings.atom`,
      updated,
      entries,
    };
  };

  app.get(
    '/feeds/warnings.atom',
    {
      schema: {
        tags: ['publishing'],
        summary:
          'Atom feed of the warnings in force (and of cancels of the last day), each entry linking to its CAP',
        security: [],
        querystring: FeedQuery,
      },
    },
    async (request, reply) => {
      const feed = await feedOf(request.query, `${services.publicUrl}${request.url}`);
      const body = toAtomFeed(feed);
      return sendWithEtag(request, reply, etagOf(body), 'application/atom+xml; charset=utf-8', body);
    },
  );

  app.get(
    '/feeds/warnings.rss',
    {
      schema: {
        tags: ['publishing'],
        summary: 'RSS 2.0 feed of the warnings in force',
        security: [],
        querystring: FeedQuery,
      },
    },
    async (request, reply) => {
      const feed = await feedOf(request.query, `${services.publicUrl}${request.url}`);
      const body = toRssFeed(feed);
      return sendWithEtag(request, reply, etagOf(body), 'application/rss+xml; charset=utf-8', body);
    },
  );

  app.get(
    '/feeds/warnings/stream',
    {
      schema: {
        tags: ['publishing'],
        summary:
          'Published warning versions as they go out, as Server-Sent Events (event: warning), for dashboards and displays',
        description:
          'Each event carries the version as in the feeds: identifier, msgType, levels, headline, area and links. Public, like the feeds.',
        security: [],
      },
    },
    async (request, reply) => {
      reply.hijack();
      const out = reply.raw;
      out.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      out.write(': ew4e warnings\n\n');
      const unsubscribe = services.bus.subscribe('warnings.published', ({ warningIds }) => {
        db.selectFrom('warning as w')
          .innerJoin('warning_thread as t', 't.id', 'w.thread_id')
          .select([
            'w.id',
            'w.thread_id',
            'w.identifier',
            'w.msg_type',
            'w.hazard',
            'w.severity',
            'w.urgency',
            'w.certainty',
            'w.content',
            'w.sent_at',
            'w.expires_at',
          ])
          .where('w.id', 'in', warningIds.length > 0 ? [...warningIds] : [-1])
          .execute()
          .then((rows) => {
            for (const r of rows) {
              const text = r.content.texts.find((x) => x.language === 'en') ?? r.content.texts[0];
              const event = {
                identifier: r.identifier,
                thread: r.thread_id,
                msgType: r.msg_type,
                hazard: r.hazard,
                severity: r.severity,
                urgency: r.urgency,
                certainty: r.certainty,
                headline: text?.headline ?? null,
                areaDesc: r.content.areaDesc,
                sent: r.sent_at?.toISOString() ?? null,
                expires: r.expires_at.toISOString(),
                capUrl: `${services.publicUrl}/cap/${r.identifier}.xml`,
              };
              out.write(`id: ${r.id}\nevent: warning\ndata: ${JSON.stringify(event)}\n\n`);
            }
          })
          .catch((error: unknown) => request.log.error({ err: error }, 'warning stream failed'));
      });
      const heartbeat = setInterval(() => out.write(': keep-alive\n\n'), 15_000);
      request.raw.on('close', () => {
        clearInterval(heartbeat);
        unsubscribe();
      });
    },
  );

  const BulletinQuery = Type.Object({
    lang: Type.Optional(
      Type.Enum(['en', 'fr', 'es', 'ar', 'ru', 'zh'], {
        description: 'language (default the first the warning is written in)',
      }),
    ),
  });

  /** Made once per version and language, then served from the media folder (versions never change). */
  const bulletin = async (
    identifier: string,
    lang: string | undefined,
    kind: 'wav' | 'pdf',
  ): Promise<string> => {
    const language = lang ?? 'en';
    const file = path.join(services.mediaDir, `${identifier}.${language}.${kind}`);
    try {
      await access(file);
      return file;
    } catch {
      // not made yet
    }
    const message = await publishedMessage(db, services.publicUrl, identifier, language);
    if (message === undefined) throw notFound('alert');
    await mkdir(services.mediaDir, { recursive: true });
    const partial = `${file}.${process.pid}.part`;
    if (kind === 'wav') await makeSpokenBulletin(message, partial);
    else await makePrintedBulletin(message, partial);
    await rename(partial, file);
    return file;
  };

  app.get(
    '/cap/:identifier.wav',
    {
      schema: {
        tags: ['publishing'],
        summary:
          'The warning as a spoken bulletin for community radio and phone lines (WAV, espeak-ng, in the language where a voice exists)',
        security: [],
        params: Identifier,
        querystring: BulletinQuery,
      },
    },
    async (request, reply) => {
      const file = await bulletin(request.params.identifier, request.query.lang, 'wav');
      return reply.type('audio/wav').send(await readFile(file));
    },
  );

  app.get(
    '/cap/:identifier.pdf',
    {
      schema: {
        tags: ['publishing'],
        summary: 'The warning as a one-page printable bulletin (PDF) with a map and the instructions',
        security: [],
        params: Identifier,
        querystring: BulletinQuery,
      },
    },
    async (request, reply) => {
      const file = await bulletin(request.params.identifier, request.query.lang, 'pdf');
      return reply.type('application/pdf').send(await readFile(file));
    },
  );
}

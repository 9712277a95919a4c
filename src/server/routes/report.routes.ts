/** @module The situation report, one click from the dashboard: the same report as a printable PDF or a self-contained HTML page. */
import type { MultiPolygon, Polygon } from 'geojson';
import { Type } from 'typebox';
import type { Services } from '../../app.ts';
import { notFound } from '../../errors.ts';
import { systemFonts } from '../../notify/media/bulletin-fonts.ts';
import type { Caller } from '../../registry/access.ts';
import { DAY_MS, TREND_DAYS, utcDayOf } from '../../report/area-overview.ts';
import { situationHtml } from '../../report/situation-html.ts';
import { situationPdf } from '../../report/situation-pdf.ts';
import { type SituationReport, situationReport, warningsConcerning } from '../../report/situation-report.ts';
import {
  areaOfInterestOf,
  PublishedContentCache,
  standingWarningOf,
  standingWarnings,
} from '../../store/overview.repository.ts';
import {
  deliveriesPerThread,
  homeGeometry,
  openIncidents,
  organisationName,
  reportArea,
  signalsPerHazardAndDay,
} from '../../store/report.repository.ts';
import { callerOf, type HttpServer } from '../http-server.ts';
import { SELF_CONTAINED_HTML } from '../security-headers.ts';

const ReportQuery = Type.Object({
  area_id: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'only what concerns this area' }),
  ),
});

const DESCRIPTION =
  "For the minister's desk: organisation and time of issue (UTC); a map of the standing warnings coloured by " +
  'severity over Natural Earth; the warnings (headline, severity, area, issued, expires) with their deliveries ' +
  '(delivered / pending / failed, over all versions); incidents not closed with their open tasks, assignees and ' +
  `due times; signals per day over ${TREND_DAYS} days per hazard. With area_id: only warnings and incidents ` +
  'concerning that area (issued for it, carrying its ISO 3166 geocode, or intersecting it) and signals raised ' +
  'in it.';

const isAreaGeometry = (g: { type: string }): g is Polygon | MultiPolygon =>
  g.type === 'Polygon' || g.type === 'MultiPolygon';

/** The report as data, from what the caller may read. */
async function buildReport(
  services: Services,
  contents: PublishedContentCache,
  caller: Caller,
  areaId: number | undefined,
  nowMs: number,
): Promise<SituationReport> {
  const db = services.database.db;
  const readable = caller.readableOrganisationIds;
  const areaRow = areaId === undefined ? undefined : await reportArea(db, areaId, readable);
  if (areaId !== undefined && areaRow === undefined) throw notFound(`area ${areaId}`);
  const area = areaRow === undefined ? null : areaOfInterestOf(areaRow);
  const warnings = warningsConcerning(
    area,
    (await standingWarnings(db, { readable, nowMs }, contents)).map(standingWarningOf),
  );
  const [deliveries, incidents, signals, organisation, home] = await Promise.all([
    deliveriesPerThread(
      db,
      warnings.map((w) => w.threadId),
    ),
    openIncidents(db, readable),
    signalsPerHazardAndDay(db, {
      readable,
      fromMs: (utcDayOf(nowMs) - TREND_DAYS + 1) * DAY_MS,
      areaId,
    }),
    organisationName(db, caller.organisationId),
    area === null ? homeGeometry(db, caller.organisationId) : Promise.resolve(null),
  ]);
  return situationReport({
    organisation,
    area,
    focus: area !== null && isAreaGeometry(area.geometry) ? area.geometry : home,
    warnings,
    deliveries,
    incidents,
    signals,
    nowMs,
  });
}

/** situation-report-20240101T0200Z.pdf */
const fileName = (nowMs: number, extension: string): string =>
  `situation-report-${new Date(nowMs).toISOString().slice(0, 16).replace(/[-:]/g, '')}Z.${extension}`;

export async function reportRoutes(app: HttpServer, { services }: { services: Services }): Promise<void> {
  const contents = new PublishedContentCache();
  app.get(
    '/v1/reports/situation.pdf',
    {
      config: { role: 'viewer', scope: 'read' },
      schema: {
        tags: ['dashboard'],
        summary: 'The situation report as a PDF (A4)',
        description: DESCRIPTION,
        querystring: ReportQuery,
      },
    },
    async (request, reply) => {
      const nowMs = Date.now();
      const report = await buildReport(services, contents, callerOf(request), request.query.area_id, nowMs);
      const pdf = await situationPdf(report, { fonts: await systemFonts() });
      return reply
        .type('application/pdf')
        .header('content-disposition', `inline; filename="${fileName(nowMs, 'pdf')}"`)
        .header('cache-control', 'no-store')
        .send(pdf);
    },
  );

  app.get(
    '/v1/reports/situation.html',
    {
      config: { role: 'viewer', scope: 'read' },
      helmet: SELF_CONTAINED_HTML,
      schema: {
        tags: ['dashboard'],
        summary: 'The situation report as one self-contained, printable HTML page',
        description: `${DESCRIPTION} Inline CSS and SVG; no scripts, no external resources.`,
        querystring: ReportQuery,
      },
    },
    async (request, reply) => {
      const nowMs = Date.now();
      const report = await buildReport(services, contents, callerOf(request), request.query.area_id, nowMs);
      return reply
        .type('text/html; charset=utf-8')
        .header('content-disposition', `inline; filename="${fileName(nowMs, 'html')}"`)
        .header('cache-control', 'no-store')
        .send(situationHtml(report));
    },
  );
}

/** @module Schemas and helpers shared by the routes: ids, time ranges, pagination, problem replies, raw bodies. */
import { type Static, Type } from 'typebox';
import { Ew4eError } from '../../errors.ts';
import { type BodyFormat, bodyFormatOf } from '../../ingest/row-problem.ts';
import { type BBox, parseBBox } from '../../registry/area.ts';
import type { HttpServer } from '../http-server.ts';

/**
 * An id of a table keyed by `integer` (organisations, areas, sources, stations, series, rules): beyond its
 * range PostgreSQL would refuse the number, so the schema does first and names the parameter.
 */
export const RowId = (options: { description?: string } = {}) =>
  Type.Integer({ minimum: 1, maximum: 2_147_483_647, ...options });

/** An id of a table keyed by `bigint` (signals, warnings and their threads), as far as JSON numbers are exact. */
export const BigRowId = (options: { description?: string } = {}) =>
  Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, ...options });

export const IdParam = Type.Object({ id: RowId() });

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.String(),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          row: Type.Optional(Type.Integer({ description: '0-based index of the record in the batch' })),
          line: Type.Optional(Type.Integer({ description: '1-based line in CSV or NDJSON' })),
          pointer: Type.Optional(Type.String({ description: 'RFC 6901 JSON pointer' })),
          field: Type.Optional(Type.String()),
          reason: Type.String(),
        }),
      ),
    ),
  },
  { description: 'RFC 9457 problem details' },
);

export const TimeRangeQuery = Type.Object({
  from: Type.Optional(
    Type.String({ format: 'date-time', description: 'ISO 8601; default: 24 hours before `to`' }),
  ),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'ISO 8601, exclusive; default: now' })),
});

const DAY_MS = 86_400_000;

export function timeRangeOf(
  query: Static<typeof TimeRangeQuery>,
  now = Date.now(),
): { fromMs: number; toMs: number } {
  const toMs = query.to === undefined ? now : Date.parse(query.to);
  const fromMs = query.from === undefined ? toMs - DAY_MS : Date.parse(query.from);
  if (!(fromMs < toMs)) throw queryError('from', '`from` must be before `to`');
  return { fromMs, toMs };
}

export const PageQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  after: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'cursor: the last id of the previous page',
    }),
  ),
});

/** Ingestion routes read the body as text and parse it themselves, so that errors can name lines and pointers. */
export function acceptRawBodies(scope: HttpServer): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
}

export function queryError(field: string, reason: string): Ew4eError {
  return new Ew4eError('EW4E_INVALID_QUERY', `${field}: ${reason}`, [{ field, reason }]);
}

/** The `bbox` query parameter (minLon,minLat,maxLon,maxLat), or a 400 that says what is wrong with it. */
export function bboxParam(text: string | undefined): BBox | undefined {
  if (text === undefined) return undefined;
  const parsed = parseBBox(text);
  if ('reason' in parsed) throw queryError('bbox', parsed.reason);
  return parsed.bbox;
}

const MEDIA_TYPES: Readonly<Record<BodyFormat, string>> = {
  json: 'application/json',
  ndjson: 'application/x-ndjson',
  csv: 'text/csv',
  geojson: 'application/geo+json',
};

/** The body of an ingestion request as text, in one of the formats the route accepts, or a 415 naming them. */
export function ingestionBody<F extends BodyFormat>(
  request: { headers: Record<string, string | string[] | undefined>; body: unknown },
  accepted: readonly F[],
): { format: F; text: string } {
  const contentType = request.headers['content-type'];
  const format = bodyFormatOf(typeof contentType === 'string' ? contentType : undefined);
  if (format === undefined || !(accepted as readonly BodyFormat[]).includes(format)) {
    throw new Ew4eError(
      'EW4E_UNSUPPORTED_MEDIA_TYPE',
      `send ${accepted.map((f) => MEDIA_TYPES[f]).join(', ')}, not "${contentType ?? 'nothing'}"`,
    );
  }
  return { format: format as F, text: typeof request.body === 'string' ? request.body : '' };
}

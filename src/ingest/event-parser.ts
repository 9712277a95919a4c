/** @module Reads event batches (fire detections, forest-loss alerts, citizen reports...) from JSON, NDJSON, GeoJSON or CSV bodies, naming the place of every problem. */
import type { Geometry } from 'geojson';
import { type GeometryPlace, validateGeometry } from '../geo/geojson-validation.ts';
import {
  csvRecordProblem,
  isJsonNumberText,
  parseDecimal,
  readCsvHeader,
  readCsvRecords,
  readJsonBody,
  readNdjsonRecords,
} from './body-reader.ts';
import { parseIsoInstant } from './iso-time.ts';
import {
  type BodyFormat,
  isJsonObject,
  jsonTypeOf,
  type ParseResult,
  problemAt,
  type RowProblem,
} from './row-problem.ts';

export interface ParsedEvent {
  /** 0-based index of the record in the batch. */
  readonly row: number;
  /** The physical line the record starts on, for CSV and NDJSON; later checks use it to name the place. */
  readonly line?: number;
  /** JSON pointer of the object holding the record's fields (`/3`, `/features/3/properties`), for JSON and GeoJSON. */
  readonly fieldsPointer?: string;
  /** The sender's own id of the event, trimmed; a number becomes its decimal text. */
  readonly externalId: string | undefined;
  readonly kind: string;
  readonly timeMs: number;
  readonly endTimeMs: number | undefined;
  readonly geometry: Geometry;
  readonly source: string | undefined;
  readonly station: string | undefined;
  readonly attributes: Record<string, unknown>;
}

/** Lower snake_case, e.g. fire_detection or forest_loss_alert; one regular expression without backtracking. */
const KIND = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * Parses a batch of events. Never throws on bad input: every bad field of every record is a problem (JSON and
 * GeoJSON: pointer such as `/3/time` or `/features/2/properties/time`; NDJSON and CSV: physical line and field),
 * and a record with problems is left out of `rows`.
 *
 * - JSON: an array of `{ id?, kind, time, end_time?, geometry? | lon + lat, source?, station?, attributes? }`;
 *   other members are ignored. A GeoJSON FeatureCollection sent as application/json is read as GeoJSON.
 * - NDJSON: one such object per line.
 * - GeoJSON: a FeatureCollection; `properties` hold kind, time, end_time, source and station, the rest become
 *   attributes; the feature's `id` (RFC 7946 §3.2) becomes externalId.
 * - CSV: columns kind, time, lon, lat and optionally id, end_time, source, station; every other column is an
 *   attribute, read as a number when it is written as a JSON number (so codes such as 007 stay text), empty
 *   cells left out.
 */
export function parseEvents(body: string, format: BodyFormat): ParseResult<ParsedEvent> {
  switch (format) {
    case 'json':
    case 'geojson':
      return fromJsonBody(body, format);
    case 'ndjson':
      return fromNdjson(body);
    case 'csv':
      return fromCsv(body);
    default: {
      const unreachable: never = format;
      throw new TypeError(`parseEvents: unsupported format ${String(unreachable)}`);
    }
  }
}

/** Where a record's fields are: its row, its line (CSV, NDJSON), the pointer of the object holding them (JSON). */
interface Place {
  readonly row: number;
  readonly line: number | undefined;
  readonly base: string | undefined;
}

function report(problems: RowProblem[], place: Place, field: string, reason: string): void {
  const pointer = place.base === undefined ? undefined : `${place.base}/${field}`;
  problems.push(problemAt(place.row, place.line, pointer, field, reason));
}

function fromJsonBody(body: string, format: 'json' | 'geojson'): ParseResult<ParsedEvent> {
  const parsed = readJsonBody(body);
  if (!parsed.ok) return { rows: [], problems: [parsed.problem] };
  const value = parsed.value;
  if (isJsonObject(value) && value.type === 'FeatureCollection') return fromFeatureCollection(value);
  if (format === 'json' && Array.isArray(value)) {
    const rows: ParsedEvent[] = [];
    const problems: RowProblem[] = [];
    for (let row = 0; row < value.length; row++) {
      const event = fromJsonRecord(value[row], { row, line: undefined, base: `/${row}` }, problems);
      if (event !== undefined) rows.push(event);
    }
    return { rows, problems };
  }
  const got = isJsonObject(value) && typeof value.type === 'string' ? `a ${value.type}` : jsonTypeOf(value);
  const reason =
    format === 'json'
      ? `expected a JSON array of events or a GeoJSON FeatureCollection, got ${got}`
      : `expected a GeoJSON FeatureCollection (RFC 7946 §3.3), got ${got}`;
  return { rows: [], problems: [problemAt(-1, undefined, '', undefined, reason)] };
}

function fromNdjson(body: string): ParseResult<ParsedEvent> {
  const rows: ParsedEvent[] = [];
  const problems: RowProblem[] = [];
  const records = readNdjsonRecords(body);
  for (let row = 0; row < records.length; row++) {
    const record = records[row]!;
    if (record.error !== undefined) {
      problems.push(problemAt(row, record.line, undefined, undefined, record.error));
      continue;
    }
    const event = fromJsonRecord(record.value, { row, line: record.line, base: undefined }, problems);
    if (event !== undefined) rows.push(event);
  }
  return { rows, problems };
}

function fromJsonRecord(record: unknown, place: Place, problems: RowProblem[]): ParsedEvent | undefined {
  if (!isJsonObject(record)) {
    problems.push(
      problemAt(
        place.row,
        place.line,
        place.base,
        undefined,
        `expected an event object, got ${jsonTypeOf(record)}`,
      ),
    );
    return undefined;
  }
  const before = problems.length;
  const externalId = readCode(record.id, place, 'id', problems);
  const kind = readKind(record.kind, place, problems);
  const timeMs = readTime(record.time, place, 'time', problems);
  const endTimeMs = readTime(record.end_time, place, 'end_time', problems);
  const geometry = readJsonLocation(record, place, problems);
  const source = readText(record.source, place, 'source', problems);
  const station = readCode(record.station, place, 'station', problems);
  let attributes: Record<string, unknown> = {};
  const rawAttributes = record.attributes;
  if (isJsonObject(rawAttributes)) {
    attributes = rawAttributes;
  } else if (rawAttributes !== undefined && rawAttributes !== null) {
    report(
      problems,
      place,
      'attributes',
      `attributes must be a JSON object, got ${jsonTypeOf(rawAttributes)}`,
    );
  }
  checkEndTime(timeMs, endTimeMs, place, problems);
  if (problems.length !== before) return undefined;
  return event(place, externalId, kind!, timeMs!, endTimeMs, geometry!, source, station, attributes);
}

/** Either a GeoJSON `geometry` or a point as `lon` and `lat`. */
function readJsonLocation(
  record: Record<string, unknown>,
  place: Place,
  problems: RowProblem[],
): Geometry | undefined {
  const { geometry, lon, lat } = record;
  const hasGeometry = geometry !== undefined && geometry !== null;
  const hasLon = lon !== undefined && lon !== null;
  const hasLat = lat !== undefined && lat !== null;
  if (hasGeometry && (hasLon || hasLat)) {
    report(problems, place, 'geometry', 'give either geometry or lon and lat, not both');
    return undefined;
  }
  if (hasGeometry) {
    const pointer = place.base === undefined ? '/geometry' : `${place.base}/geometry`;
    return checkedGeometry(geometry, place.row, place.line, pointer, problems);
  }
  if (!hasLon && !hasLat) {
    report(problems, place, 'geometry', 'a location is required: geometry (GeoJSON) or lon and lat');
    return undefined;
  }
  const x = readCoordinate(lon, place, 'lon', 180, problems);
  const y = readCoordinate(lat, place, 'lat', 90, problems);
  return x === undefined || y === undefined ? undefined : { type: 'Point', coordinates: [x, y] };
}

function readCoordinate(
  value: unknown,
  place: Place,
  field: 'lon' | 'lat',
  limit: number,
  problems: RowProblem[],
): number | undefined {
  if (value === undefined || value === null) {
    report(problems, place, field, `${field} is required with ${field === 'lon' ? 'lat' : 'lon'}`);
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    report(problems, place, field, `${field} must be a JSON number, got ${jsonTypeOf(value)}`);
    return undefined;
  }
  return inRange(value, place, field, limit, problems);
}

/** WGS 84 longitude in [-180, 180], latitude in [-90, 90] (RFC 7946 §4). */
function inRange(
  value: number,
  place: Place,
  field: 'lon' | 'lat',
  limit: number,
  problems: RowProblem[],
): number | undefined {
  if (value < -limit || value > limit) {
    report(problems, place, field, `${field} ${value} is outside [-${limit}, ${limit}]`);
    return undefined;
  }
  return value;
}

function checkedGeometry(
  value: unknown,
  row: number,
  line: number | undefined,
  pointer: string,
  problems: RowProblem[],
): Geometry | undefined {
  const at: GeometryPlace = line === undefined ? { row, pointer } : { row, line, pointer };
  const checked = validateGeometry(value, at);
  if ('geometry' in checked) return checked.geometry;
  for (const problem of checked.problems) problems.push(problem);
  return undefined;
}

/** Properties of a feature that are fields of the event; every other property is an attribute. */
const FEATURE_FIELDS = new Set(['kind', 'time', 'end_time', 'source', 'station']);

function fromFeatureCollection(collection: Record<string, unknown>): ParseResult<ParsedEvent> {
  const features = collection.features;
  if (!Array.isArray(features)) {
    const reason = `a FeatureCollection needs a "features" array (RFC 7946 §3.3), got ${jsonTypeOf(features)}`;
    return { rows: [], problems: [problemAt(-1, undefined, '/features', 'features', reason)] };
  }
  const rows: ParsedEvent[] = [];
  const problems: RowProblem[] = [];
  for (let row = 0; row < features.length; row++) {
    const event = fromFeature(features[row], row, problems);
    if (event !== undefined) rows.push(event);
  }
  return { rows, problems };
}

function fromFeature(feature: unknown, row: number, problems: RowProblem[]): ParsedEvent | undefined {
  const base = `/features/${row}`;
  if (!isJsonObject(feature) || feature.type !== 'Feature') {
    const got = isJsonObject(feature)
      ? `type ${JSON.stringify(feature.type) ?? 'missing'}`
      : jsonTypeOf(feature);
    problems.push(
      problemAt(row, undefined, base, undefined, `expected a GeoJSON Feature (RFC 7946 §3.2), got ${got}`),
    );
    return undefined;
  }
  const featurePlace: Place = { row, line: undefined, base };
  const properties = feature.properties;
  if (properties !== undefined && properties !== null && !isJsonObject(properties)) {
    report(
      problems,
      featurePlace,
      'properties',
      `properties must be a JSON object, got ${jsonTypeOf(properties)}`,
    );
    return undefined;
  }
  const props: Record<string, unknown> = isJsonObject(properties) ? properties : {};
  const place: Place = { row, line: undefined, base: `${base}/properties` };

  const before = problems.length;
  // RFC 7946 §3.2: a feature id is a string or any number.
  let externalId: string | undefined;
  const id = feature.id;
  if (typeof id === 'number' && Number.isFinite(id)) externalId = String(id);
  else externalId = readText(id, featurePlace, 'id', problems, 'a string or a number');
  const kind = readKind(props.kind, place, problems);
  const timeMs = readTime(props.time, place, 'time', problems);
  const endTimeMs = readTime(props.end_time, place, 'end_time', problems);
  const source = readText(props.source, place, 'source', problems);
  const station = readCode(props.station, place, 'station', problems);
  let geometry: Geometry | undefined;
  if (feature.geometry === undefined || feature.geometry === null) {
    report(problems, featurePlace, 'geometry', 'geometry is required: an event needs a location');
  } else {
    geometry = checkedGeometry(feature.geometry, row, undefined, `${base}/geometry`, problems);
  }
  checkEndTime(timeMs, endTimeMs, place, problems);
  if (problems.length !== before) return undefined;

  const attributes: Record<string, unknown> = {};
  for (const key of Object.keys(props)) {
    if (!FEATURE_FIELDS.has(key)) setOwn(attributes, key, props[key]);
  }
  return event(place, externalId, kind!, timeMs!, endTimeMs, geometry!, source, station, attributes);
}

const CSV_COLUMNS = ['id', 'kind', 'time', 'end_time', 'lon', 'lat', 'source', 'station'] as const;
const CSV_REQUIRED = ['kind', 'time', 'lon', 'lat'] as const;

function fromCsv(body: string): ParseResult<ParsedEvent> {
  const records = readCsvRecords(body);
  const mapped = readCsvHeader(records[0], CSV_COLUMNS, CSV_REQUIRED);
  if ('problems' in mapped) return { rows: [], problems: mapped.problems };
  const { width, column, others } = mapped.header;

  const rows: ParsedEvent[] = [];
  const problems: RowProblem[] = [];
  for (let r = 1; r < records.length; r++) {
    const row = r - 1;
    const record = records[r]!;
    const unusable = csvRecordProblem(record, row, width);
    if (unusable || record.cells === undefined) {
      if (unusable) problems.push(unusable);
      continue;
    }
    const { line, cells } = record;
    const place: Place = { row, line, base: undefined };
    const before = problems.length;
    const externalId = optionalCell(cells, column.id);
    const kind = readKind(optionalCell(cells, column.kind), place, problems);
    const timeMs = readTime(optionalCell(cells, column.time), place, 'time', problems);
    const endTimeMs = readTime(optionalCell(cells, column.end_time), place, 'end_time', problems);
    const x = readCsvCoordinate(cells[column.lon]!.trim(), place, 'lon', 180, problems);
    const y = readCsvCoordinate(cells[column.lat]!.trim(), place, 'lat', 90, problems);
    checkEndTime(timeMs, endTimeMs, place, problems);
    if (problems.length !== before) continue;

    const attributes: Record<string, unknown> = {};
    for (const { name, index } of others) {
      const text = cells[index]!.trim();
      if (text !== '') setOwn(attributes, name, attributeValue(text));
    }
    const geometry: Geometry = { type: 'Point', coordinates: [x!, y!] };
    const source = optionalCell(cells, column.source);
    const station = optionalCell(cells, column.station);
    rows.push(event(place, externalId, kind!, timeMs!, endTimeMs, geometry, source, station, attributes));
  }
  return { rows, problems };
}

/** The trimmed cell, or undefined if the column is absent or the cell empty. */
function optionalCell(cells: readonly string[], index: number): string | undefined {
  if (index === -1) return undefined;
  const text = cells[index]!.trim();
  return text === '' ? undefined : text;
}

function readCsvCoordinate(
  text: string,
  place: Place,
  field: 'lon' | 'lat',
  limit: number,
  problems: RowProblem[],
): number | undefined {
  if (text === '') {
    report(problems, place, field, `${field} is required`);
    return undefined;
  }
  const value = parseDecimal(text);
  if (!Number.isFinite(value)) {
    report(problems, place, field, `${field} must be a number`);
    return undefined;
  }
  return inRange(value, place, field, limit, problems);
}

/**
 * A CSV attribute: a number if written in JSON's number grammar and exact as a double, else the text. Integers
 * beyond 2^53 (long ids) stay text, since a double would change their digits.
 */
function attributeValue(text: string): string | number {
  if (!isJsonNumberText(text)) return text;
  const value = Number(text);
  if (!Number.isFinite(value)) return text;
  if (!Number.isSafeInteger(value) && /^-?\d+$/.test(text)) return text;
  return value;
}

/** Sets an own property even for the key "__proto__", which plain assignment would treat as the prototype. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

// ---------------------------------------------------------------------------------------------------------
// Fields shared by every format; a CSV cell arrives as its trimmed text, or undefined when empty.

function readKind(value: unknown, place: Place, problems: RowProblem[]): string | undefined {
  if (value === undefined || value === null) {
    report(problems, place, 'kind', 'kind is required');
    return undefined;
  }
  if (typeof value !== 'string') {
    report(problems, place, 'kind', `kind must be a string, got ${jsonTypeOf(value)}`);
    return undefined;
  }
  const kind = value.trim();
  if (!KIND.test(kind)) {
    const reason = `kind ${quoted(kind)} must be lower snake_case like fire_detection: a letter, then up to 63 of a-z, 0-9 and _`;
    report(problems, place, 'kind', reason);
    return undefined;
  }
  return kind;
}

/** `time` is required, `end_time` optional. */
function readTime(
  value: unknown,
  place: Place,
  field: 'time' | 'end_time',
  problems: RowProblem[],
): number | undefined {
  if (value === undefined || value === null || value === '') {
    if (field === 'time') report(problems, place, field, 'time is required');
    return undefined;
  }
  if (typeof value !== 'string') {
    report(
      problems,
      place,
      field,
      `${field} must be an ISO 8601 string like 2026-11-23T08:00:00Z, got ${jsonTypeOf(value)}`,
    );
    return undefined;
  }
  const time = parseIsoInstant(value);
  if (time.ok) return time.timeMs;
  report(problems, place, field, time.reason);
  return undefined;
}

function checkEndTime(
  timeMs: number | undefined,
  endTimeMs: number | undefined,
  place: Place,
  problems: RowProblem[],
): void {
  if (timeMs !== undefined && endTimeMs !== undefined && endTimeMs < timeMs) {
    report(problems, place, 'end_time', 'end_time must not be before time');
  }
}

/** An optional string, trimmed; empty counts as absent. */
function readText(
  value: unknown,
  place: Place,
  field: string,
  problems: RowProblem[],
  expected = 'a string',
): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    report(problems, place, field, `${field} must be ${expected}, got ${jsonTypeOf(value)}`);
    return undefined;
  }
  return value.trim() || undefined;
}

/** An optional id or code: a string, or a JSON integer read as its decimal text. */
function readCode(value: unknown, place: Place, field: string, problems: RowProblem[]): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return readText(value, place, field, problems, 'a string or an integer');
}

function quoted(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

function event(
  place: Place,
  externalId: string | undefined,
  kind: string,
  timeMs: number,
  endTimeMs: number | undefined,
  geometry: Geometry,
  source: string | undefined,
  station: string | undefined,
  attributes: Record<string, unknown>,
): ParsedEvent {
  const { row, line, base } = place;
  const where = line !== undefined ? { line } : base !== undefined ? { fieldsPointer: base } : {};
  return { row, ...where, externalId, kind, timeMs, endTimeMs, geometry, source, station, attributes };
}

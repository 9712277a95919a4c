/**
 * @module The fuzz properties of every parser of outside input, shared by the tests (test/fuzz/parsers.test.ts)
 * and the bench (bench/fuzz.ts). Each takes valid documents and, mostly, breaks them (test/fuzz/mutations.ts);
 * the parser must then return problems — each with a reason, a line inside the body, a row, a pointer — or
 * throw an Ew4eError, and never a TypeError, RangeError or stack overflow. Valid documents must read back
 * as written: rows exactly, and CAP XML written by toCapXml read by parseCapXml into the same alert.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Geometry, Position } from 'geojson';
import { RuleDefinition, validateRuleDefinition } from '../../src/detect/rules/rule-definition.ts';
import { Ew4eError } from '../../src/errors.ts';
import { validateGeometry } from '../../src/geo/geojson-validation.ts';
import { parseAlertFeed } from '../../src/ingest/alert-feeds.ts';
import { parseEvents } from '../../src/ingest/event-parser.ts';
import { parseIsoInstant } from '../../src/ingest/iso-time.ts';
import { parseObservations } from '../../src/ingest/observation-parser.ts';
import { bodyFormatOf, type ParseResult, type RowProblem } from '../../src/ingest/row-problem.ts';
import { parseEventDate, parseOccurrences } from '../../src/nature/species-occurrence.ts';
import { readWdpaFeatures } from '../../src/nature/wdpa-record.ts';
import { parseBucket } from '../../src/query/downsampling.ts';
import { parseBBox } from '../../src/registry/area.ts';
import {
  CAP_CATEGORIES,
  CAP_CERTAINTIES,
  CAP_MSG_TYPES,
  CAP_RESPONSE_TYPES,
  CAP_SCOPES,
  CAP_SEVERITIES,
  CAP_STATUSES,
  CAP_URGENCIES,
  type CapAlert,
} from '../../src/warn/cap/cap-alert.ts';
import { elementLines, parseCapXml, toCapXml } from '../../src/warn/cap/cap-xml.ts';
import { readCapFeed } from '../../src/warn/federation/cap-feed-reader.ts';
import { brokenJson, brokenJsonText, brokenText } from './mutations.ts';
import { type JsonSchema, schemaArbitrary } from './schema-arbitrary.ts';

export interface FuzzProperty<T = unknown> {
  /** One line of the bench per group. */
  readonly group: string;
  readonly name: string;
  /** Runs = weight × EW4E_FUZZ_RUNS (see fuzz-budget.ts). */
  readonly weight: number;
  readonly arbitrary: fc.Arbitrary<T>;
  /** The text the parser reads: the bench's yardstick runs JSON.parse on the same text. */
  textOf(input: T): string;
  /** Throws when the parser misbehaves on the input. */
  check(input: T): void;
}

const property = <T>(p: FuzzProperty<T>): FuzzProperty => p as FuzzProperty;
const identity = (s: string): string => s;

// ---------------------------------------------------------------------------------------------------------
// What every parser owes its caller

/** Runs the parser: its result, or nothing if it threw an Ew4eError; any other throw fails the property. */
function parsing<T>(what: string, run: () => T): T | undefined {
  try {
    return run();
  } catch (error) {
    if (Ew4eError.is(error)) return undefined;
    const e = error as Error;
    assert.fail(`${what} threw ${e?.name ?? typeof error}: ${String(e?.message ?? error).slice(0, 300)}`);
  }
}

/** The most lines a reader may count in `text`: LF, CRLF and a lone CR each end one. */
function lineCount(text: string): number {
  let lines = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) lines++;
  }
  return lines;
}

interface Located {
  readonly row?: number;
  readonly line?: number;
  readonly pointer?: string;
  readonly field?: string;
  readonly reason: string;
}

/** Problems a client can act on: a reason, and places that exist in the body; serialisable for the reply. */
function assertProblems(problems: readonly Located[], text: string): void {
  const lines = lineCount(text);
  for (const p of problems) {
    assert.equal(typeof p.reason, 'string');
    assert.ok(p.reason.length > 0, 'a problem without a reason');
    if (p.row !== undefined) assert.ok(Number.isInteger(p.row) && p.row >= -1, `row ${p.row}`);
    if (p.line !== undefined) {
      assert.ok(Number.isInteger(p.line) && p.line >= 1 && p.line <= lines, `line ${p.line} of ${lines}`);
    }
    if (p.pointer !== undefined)
      assert.ok(p.pointer === '' || p.pointer.startsWith('/'), `pointer ${p.pointer}`);
  }
  JSON.stringify(problems);
}

/** A parse result: problems as above, and no record both among the rows and among the problems. */
function assertParseResult<R extends { readonly row: number }>(result: ParseResult<R>, text: string): void {
  assertProblems(result.problems, text);
  const bad = new Set(result.problems.map((p: RowProblem) => p.row));
  for (const row of result.rows) assert.ok(!bad.has(row.row), `row ${row.row} is both read and refused`);
}

function assertGeometry(geometry: Geometry): void {
  const positions = (geometry as { coordinates: unknown }).coordinates;
  const walk = (value: unknown): void => {
    if (Array.isArray(value) && typeof value[0] === 'number') {
      const [lon, lat] = value as number[];
      assert.ok(Number.isFinite(lon) && Math.abs(lon!) <= 180, `longitude ${lon}`);
      assert.ok(Number.isFinite(lat) && Math.abs(lat!) <= 90, `latitude ${lat}`);
    } else if (Array.isArray(value)) value.forEach(walk);
  };
  walk(positions);
}

// ---------------------------------------------------------------------------------------------------------
// Valid documents

/** Any instant RFC 3339 can write: years 0000–9999, to the millisecond. */
const instant = fc.date({
  min: new Date('0000-01-01T00:00:00.000Z'),
  max: new Date('9999-12-31T23:59:59.999Z'),
  noInvalidDate: true,
});
const lon = fc.double({ min: -180, max: 180, noNaN: true });
const lat = fc.double({ min: -90, max: 90, noNaN: true });
const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
const code = fc.stringMatching(/^[a-z][a-z0-9._-]{0,20}$/);
const kind = fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/);

/** A CSV cell as RFC 4180 writes it: quoted when it holds a comma, quote or line break (or, sometimes, anyway). */
function csvCell(text: string, quote = false): string {
  return quote || /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csv(header: readonly string[], rows: readonly (readonly string[])[], crlf: boolean): string {
  return [header, ...rows].map((cells) => cells.map((c) => csvCell(c)).join(',')).join(crlf ? '\r\n' : '\n');
}

interface Observation {
  readonly series: string;
  readonly time: Date;
  readonly value: number;
  readonly unit?: string;
}

const observation: fc.Arbitrary<Observation> = fc.record(
  {
    series: fc.oneof(code, fc.nat().map(String)),
    time: instant,
    value: finite,
    unit: fc.constantFrom('µg/m³', 'mg/m3', '°C', 'ppb', 'm³/s'),
  },
  { requiredKeys: ['series', 'time', 'value'] },
);
const observations = fc.array(observation, { minLength: 1, maxLength: 12 });

function observationsAsJson(list: readonly Observation[]): string {
  return JSON.stringify(list.map((o) => ({ ...o, time: o.time.toISOString() })));
}
function observationsAsNdjson(list: readonly Observation[], crlf: boolean): string {
  return list.map((o) => JSON.stringify({ ...o, time: o.time.toISOString() })).join(crlf ? '\r\n' : '\n');
}
function observationsAsCsv(list: readonly Observation[], crlf: boolean): string {
  return csv(
    ['series', 'time', 'value', 'unit'],
    list.map((o) => [o.series, o.time.toISOString(), String(o.value), o.unit ?? '']),
    crlf,
  );
}

const geometry: fc.Arbitrary<Geometry> = (() => {
  const position: fc.Arbitrary<Position> = fc.tuple(lon, lat);
  const ring = fc
    .array(position, { minLength: 3, maxLength: 8 })
    .map((positions) => [...positions, positions[0]!]);
  const line = fc.array(position, { minLength: 2, maxLength: 8 });
  return fc.oneof(
    position.map((coordinates): Geometry => ({ type: 'Point', coordinates })),
    fc
      .array(position, { minLength: 1, maxLength: 5 })
      .map((coordinates): Geometry => ({ type: 'MultiPoint', coordinates })),
    line.map((coordinates): Geometry => ({ type: 'LineString', coordinates })),
    fc
      .array(line, { minLength: 1, maxLength: 3 })
      .map((coordinates): Geometry => ({ type: 'MultiLineString', coordinates })),
    fc
      .array(ring, { minLength: 1, maxLength: 3 })
      .map((coordinates): Geometry => ({ type: 'Polygon', coordinates })),
    fc
      .array(fc.array(ring, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 3 })
      .map((coordinates): Geometry => ({ type: 'MultiPolygon', coordinates })),
  );
})();

interface EventRecord {
  readonly id?: string;
  readonly kind: string;
  readonly time: Date;
  readonly lon: number;
  readonly lat: number;
  readonly confidence?: number;
}

const eventRecord: fc.Arbitrary<EventRecord> = fc.record(
  { id: code, kind, time: instant, lon, lat, confidence: fc.integer({ min: 0, max: 100 }) },
  { requiredKeys: ['kind', 'time', 'lon', 'lat'] },
);
const eventRecords = fc.array(eventRecord, { minLength: 1, maxLength: 10 });

function eventJson(e: EventRecord): Record<string, unknown> {
  return {
    ...(e.id === undefined ? {} : { id: e.id }),
    kind: e.kind,
    time: e.time.toISOString(),
    lon: e.lon,
    lat: e.lat,
    ...(e.confidence === undefined ? {} : { attributes: { confidence: e.confidence } }),
  };
}
function eventsAsGeoJson(list: readonly EventRecord[]): string {
  return JSON.stringify({
    type: 'FeatureCollection',
    features: list.map((e) => ({
      type: 'Feature',
      ...(e.id === undefined ? {} : { id: e.id }),
      geometry: { type: 'Point', coordinates: [e.lon, e.lat] },
      properties: {
        kind: e.kind,
        time: e.time.toISOString(),
        ...(e.confidence === undefined ? {} : { confidence: e.confidence }),
      },
    })),
  });
}
function eventsAsCsv(list: readonly EventRecord[], crlf: boolean): string {
  return csv(
    ['id', 'kind', 'time', 'lon', 'lat', 'confidence'],
    list.map((e) => [
      e.id ?? '',
      e.kind,
      e.time.toISOString(),
      String(e.lon),
      String(e.lat),
      e.confidence === undefined ? '' : String(e.confidence),
    ]),
    crlf,
  );
}

const FIRMS_HEADER = [
  'latitude',
  'longitude',
  'bright_ti4',
  'scan',
  'track',
  'acq_date',
  'acq_time',
  'satellite',
  'instrument',
  'confidence',
  'version',
  'frp',
  'daynight',
];
const day = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const firmsCsv = fc
  .tuple(
    fc.array(
      fc.tuple(lat, lon, day, fc.integer({ min: 0, max: 2359 }), fc.constantFrom('N', 'N20', 'Aqua'), finite),
      { maxLength: 10 },
    ),
    fc.boolean(),
  )
  .map(([rows, crlf]) =>
    csv(
      FIRMS_HEADER,
      rows.map(([la, lo, d, t, sat, frp]) => [
        String(la),
        String(lo),
        '330.5',
        '0.39',
        '0.36',
        d,
        String(t),
        sat,
        'VIIRS',
        'n',
        '2.0NRT',
        String(frp),
        'D',
      ]),
      crlf,
    ),
  );
const gfwCsv = fc
  .tuple(
    fc.array(fc.tuple(lat, lon, day, fc.constantFrom('nominal', 'high', 'highest')), { maxLength: 10 }),
    fc.constantFrom('gfw_integrated_alerts__date', 'date'),
    fc.boolean(),
  )
  .map(([rows, dateColumn, crlf]) =>
    csv(
      ['latitude', 'longitude', dateColumn, 'gfw_integrated_alerts__confidence'],
      rows.map(([la, lo, d, c]) => [String(la), String(lo), d, c]),
      crlf,
    ),
  );

// CAP: text the model can hold and XML can carry (no control characters, no CR: XML 1.0 §2.11 turns it
// into LF), trimmed (the reader trims), and not empty (an empty optional element reads as absent).
const capChar = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCXYZ0123456789') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(' ', '\n', '\t', '&', '<', '>', '"', "'", ';', '#', '/', ':', '.', '-'),
  },
  { weight: 2, arbitrary: fc.constantFrom('é', 'ü', 'µ', '³', '°', 'ß', 'ا', '中', '😀', '\u00A0') },
);
const capText = fc
  .array(capChar, { minLength: 1, maxLength: 30 })
  .map((cs) => cs.join('').trim())
  .filter((s) => s !== '');
const capToken = fc.stringMatching(/^[A-Za-z0-9._:@-]{1,30}$/);
const capTime = fc
  .tuple(
    fc.date({
      min: new Date('1970-01-01T00:00:00Z'),
      max: new Date('2199-12-31T00:00:00Z'),
      noInvalidDate: true,
    }),
    fc.constantFrom('-00:00', '+00:00', '+06:00', '-03:30', '+05:45'),
  )
  .map(([d, offset]) => `${d.toISOString().slice(0, 19)}${offset}`);
const pair = fc.record({ valueName: capText, value: fc.oneof(capText, fc.constant('')) });
const few = <T>(a: fc.Arbitrary<T>, max = 2) => fc.array(a, { maxLength: max });

const capAlert: fc.Arbitrary<CapAlert> = fc.record(
  {
    identifier: capToken,
    sender: capToken,
    sent: capTime,
    status: fc.constantFrom(...CAP_STATUSES),
    msgType: fc.constantFrom(...CAP_MSG_TYPES),
    source: capText,
    scope: fc.constantFrom(...CAP_SCOPES),
    restriction: capText,
    addresses: capText,
    code: few(capText),
    note: capText,
    references: few(fc.record({ sender: capToken, identifier: capToken, sent: capTime })),
    incidents: few(fc.stringMatching(/^[A-Za-z0-9]{1,8}( [A-Za-z0-9]{1,8})?$/)),
    info: few(
      fc.record(
        {
          language: fc.constantFrom('en-US', 'fr', 'ar', 'zh-CN'),
          category: few(fc.constantFrom(...CAP_CATEGORIES), 3),
          event: capText,
          responseType: few(fc.constantFrom(...CAP_RESPONSE_TYPES)),
          urgency: fc.constantFrom(...CAP_URGENCIES),
          severity: fc.constantFrom(...CAP_SEVERITIES),
          certainty: fc.constantFrom(...CAP_CERTAINTIES),
          audience: capText,
          eventCode: few(pair),
          effective: capTime,
          onset: capTime,
          expires: capTime,
          senderName: capText,
          headline: capText,
          description: capText,
          instruction: capText,
          web: capText,
          contact: capText,
          parameter: few(pair),
          resource: few(
            fc.record(
              {
                resourceDesc: capText,
                mimeType: capText,
                size: fc.nat(),
                uri: capText,
                derefUri: capText,
                digest: capText,
              },
              { requiredKeys: ['resourceDesc', 'mimeType'] },
            ),
          ),
          area: few(
            fc.record(
              {
                areaDesc: capText,
                polygon: few(capText),
                circle: few(capText),
                geocode: few(pair),
                altitude: fc.integer({ min: -1000, max: 100_000 }),
                ceiling: fc.integer({ min: -1000, max: 100_000 }),
              },
              { requiredKeys: ['areaDesc', 'polygon', 'circle', 'geocode'] },
            ),
          ),
        },
        {
          requiredKeys: [
            'language',
            'category',
            'event',
            'responseType',
            'urgency',
            'severity',
            'certainty',
            'eventCode',
            'parameter',
            'resource',
            'area',
          ],
        },
      ),
    ),
  },
  {
    requiredKeys: [
      'identifier',
      'sender',
      'sent',
      'status',
      'msgType',
      'scope',
      'code',
      'references',
      'incidents',
      'info',
    ],
  },
) as fc.Arbitrary<CapAlert>;

const capXmlText = capAlert.map(toCapXml);

/** A feed of one to three entries: Atom (CAP embedded, or linked) or RSS (linked). */
const capFeedText = fc
  .tuple(
    fc.array(fc.tuple(capAlert, fc.boolean(), capToken), { minLength: 1, maxLength: 3 }),
    fc.constantFrom('atom', 'rss'),
  )
  .map(([entries, format]) => {
    if (format === 'rss') {
      const items = entries
        .map(
          ([, , id]) =>
            `<item><guid>${id}</guid><title>t</title><link>https://cap.example.org/${id}.xml</link></item>`,
        )
        .join('\n');
      return `<?xml version="1.0"?>\n<rss version="2.0"><channel><title>CAP</title>\n${items}\n</channel></rss>`;
    }
    const items = entries
      .map(([alert, embed, id]) =>
        embed
          ? `<entry><id>${id}</id><title>t</title><updated>${alert.sent}</updated><content type="application/cap+xml">${toCapXml(alert).replace(/^<\?xml[^>]*\?>\n/, '')}</content></entry>`
          : `<entry><id>${id}</id><title>t</title><link rel="alternate" type="application/cap+xml" href="https://cap.example.org/${id}.xml"/></entry>`,
      )
      .join('\n');
    return `<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>CAP</title>\n${items}\n</feed>`;
  });

const wdpaFeature = fc.record({
  type: fc.constant('Feature'),
  properties: fc.record(
    {
      WDPAID: fc.integer({ min: 1, max: 600_000_000 }),
      WDPA_PID: fc.integer({ min: 1, max: 600_000_000 }).map(String),
      NAME: capText,
      DESIG: fc.constantFrom('National Park', 'Ramsar Site', 'UNESCO-MAB Biosphere Reserve'),
      IUCN_CAT: fc.constantFrom('Ia', 'II', 'Not Reported', 'IV'),
      STATUS: fc.constantFrom('Designated', 'Inscribed', 'Proposed', 'designated'),
      STATUS_YR: fc.oneof(fc.constant(0), fc.integer({ min: 1800, max: 2026 })),
      MARINE: fc.constantFrom('0', '1', '2', 0, 1, 2),
      REP_AREA: fc.double({ min: 0, max: 1e6, noNaN: true }),
      GIS_AREA: fc.double({ min: 0, max: 1e6, noNaN: true }),
      ISO3: fc.constantFrom('BGD', 'KEN', 'BGD;IND'),
    },
    { requiredKeys: ['WDPAID', 'NAME', 'STATUS', 'MARINE'] },
  ),
  geometry,
});
const wdpaCollection = fc.record({
  type: fc.constant('FeatureCollection'),
  features: fc.array(wdpaFeature, { maxLength: 4 }),
});

const DWC_HEADER = [
  'occurrenceID',
  'scientificName',
  'eventDate',
  'decimalLatitude',
  'decimalLongitude',
  'individualCount',
  'basisOfRecord',
  'countryCode',
  'locality',
];
const occurrenceRows = fc.uniqueArray(
  fc.tuple(
    code,
    fc.constantFrom('Panthera tigris', 'Gavialis  gangeticus', 'Rhinoceros unicornis'),
    fc.oneof(
      day,
      day.map((d) => d.slice(0, 7)),
      day.map((d) => d.slice(0, 4)),
      day.map((d) => `${d}T06:30Z`),
      day.map((d) => `${d}/${d}`),
    ),
    lat,
    lon,
    fc.option(fc.nat({ max: 10_000 }), { nil: undefined }),
    fc.constantFrom('HumanObservation', 'HUMAN_OBSERVATION', 'PreservedSpecimen', 'machineobservation'),
    fc.constantFrom('BD', 'ke', ''),
    fc.option(capText, { nil: undefined }),
  ),
  { minLength: 1, maxLength: 8, selector: (row) => row[0] },
);
const darwinCoreCsv = fc.tuple(occurrenceRows, fc.boolean()).map(([rows, crlf]) =>
  csv(
    DWC_HEADER,
    rows.map(([id, name, date, la, lo, count, basis, country, locality]) => [
      id,
      name,
      date,
      String(la),
      String(lo),
      count === undefined ? '' : String(count),
      basis,
      country,
      (locality ?? '').replace(/[\r\n]/g, ' '),
    ]),
    crlf,
  ),
);

// ---------------------------------------------------------------------------------------------------------
// The properties

const INGEST_FORMATS = ['json', 'ndjson', 'csv'] as const;

export const PARSER_PROPERTIES: readonly FuzzProperty[] = [
  // Observations -------------------------------------------------------------------------------------
  property({
    group: 'observations',
    name: 'broken CSV observations',
    weight: 30,
    arbitrary: brokenText(
      fc.tuple(observations, fc.boolean()).map(([list, crlf]) => observationsAsCsv(list, crlf)),
    ),
    textOf: identity,
    check: (text) => {
      const result = parsing('parseObservations(csv)', () => parseObservations(text, 'csv'));
      if (result !== undefined) assertParseResult(result, text);
    },
  }),
  property({
    group: 'observations',
    name: 'broken JSON and NDJSON observations',
    weight: 50,
    arbitrary: fc.tuple(
      fc.oneof(
        brokenJsonText(observations.map((list) => JSON.parse(observationsAsJson(list)) as unknown)),
        brokenText(
          fc.tuple(observations, fc.boolean()).map(([list, crlf]) => observationsAsNdjson(list, crlf)),
        ),
      ),
      fc.constantFrom('json' as const, 'ndjson' as const),
    ),
    textOf: ([text]) => text,
    check: ([text, format]) => {
      const result = parsing(`parseObservations(${format})`, () => parseObservations(text, format));
      if (result === undefined) return;
      assertParseResult(result, text);
      for (const row of result.rows) assert.ok(Number.isFinite(row.value) && Number.isFinite(row.timeMs));
    },
  }),
  property({
    group: 'observations',
    name: 'valid observations read back exactly, in every format',
    weight: 20,
    arbitrary: fc.tuple(observations, fc.constantFrom(...INGEST_FORMATS), fc.boolean()),
    textOf: ([list, format, crlf]) =>
      format === 'json'
        ? observationsAsJson(list)
        : format === 'ndjson'
          ? observationsAsNdjson(list, crlf)
          : observationsAsCsv(list, crlf),
    check: ([list, format, crlf]) => {
      const text =
        format === 'json'
          ? observationsAsJson(list)
          : format === 'ndjson'
            ? observationsAsNdjson(list, crlf)
            : observationsAsCsv(list, crlf);
      const { rows, problems } = parseObservations(text, format);
      assert.deepEqual(problems, []);
      assert.deepEqual(
        rows.map((r) => [r.series, r.timeMs, r.value, r.unit]),
        list.map((o) => [o.series, o.time.getTime(), o.value === 0 ? 0 : o.value, o.unit]),
      );
    },
  }),

  // Events -------------------------------------------------------------------------------------------
  property({
    group: 'events',
    name: 'broken CSV events',
    weight: 25,
    arbitrary: brokenText(
      fc.tuple(eventRecords, fc.boolean()).map(([list, crlf]) => eventsAsCsv(list, crlf)),
    ),
    textOf: identity,
    check: (text) => {
      const result = parsing('parseEvents(csv)', () => parseEvents(text, 'csv'));
      if (result === undefined) return;
      assertParseResult(result, text);
      for (const row of result.rows) assertGeometry(row.geometry);
    },
  }),
  property({
    group: 'events',
    name: 'broken JSON, NDJSON and GeoJSON events',
    weight: 60,
    arbitrary: fc.tuple(
      fc.oneof(
        brokenJsonText(eventRecords.map((list) => list.map(eventJson))),
        brokenJsonText(eventRecords.map((list) => JSON.parse(eventsAsGeoJson(list)) as unknown)),
        brokenJsonText(
          fc
            .array(fc.record({ kind, time: instant.map((d) => d.toISOString()), geometry }), { maxLength: 4 })
            .map((list) => list as unknown),
        ),
        brokenText(eventRecords.map((list) => list.map((e) => JSON.stringify(eventJson(e))).join('\n'))),
      ),
      fc.constantFrom('json' as const, 'ndjson' as const, 'geojson' as const),
    ),
    textOf: ([text]) => text,
    check: ([text, format]) => {
      const result = parsing(`parseEvents(${format})`, () => parseEvents(text, format));
      if (result === undefined) return;
      assertParseResult(result, text);
      for (const row of result.rows) assertGeometry(row.geometry);
    },
  }),
  property({
    group: 'events',
    name: 'valid events read back exactly, in every format',
    weight: 10,
    arbitrary: fc.tuple(eventRecords, fc.constantFrom('json', 'ndjson', 'geojson', 'csv'), fc.boolean()),
    textOf: ([list, format, crlf]) => eventsText(list, format, crlf),
    check: ([list, format, crlf]) => {
      const { rows, problems } = parseEvents(eventsText(list, format, crlf), format as never);
      assert.deepEqual(problems, []);
      assert.deepEqual(
        rows.map((r) => [r.externalId, r.kind, r.timeMs, r.geometry, r.attributes]),
        list.map((e) => [
          e.id,
          e.kind,
          e.time.getTime(),
          { type: 'Point', coordinates: [e.lon === 0 ? 0 : e.lon, e.lat === 0 ? 0 : e.lat] },
          e.confidence === undefined ? {} : { confidence: e.confidence },
        ]),
      );
    },
  }),

  // Satellite alert files ----------------------------------------------------------------------------
  property({
    group: 'alert-feeds',
    name: 'broken FIRMS and GFW CSV',
    weight: 30,
    arbitrary: fc.oneof(
      brokenText(firmsCsv).map((text) => ['firms' as const, text] as const),
      brokenText(gfwCsv).map((text) => ['gfw' as const, text] as const),
    ),
    textOf: ([, text]) => text,
    check: ([feed, text]) => {
      const result = parsing(`parseAlertFeed(${feed})`, () => parseAlertFeed(text, feed));
      if (result === undefined) return;
      assertParseResult(result, text);
      for (const row of result.rows) {
        assertGeometry(row.geometry);
        assert.ok(Number.isFinite(row.timeMs));
      }
    },
  }),

  // GeoJSON ------------------------------------------------------------------------------------------
  property({
    group: 'geojson',
    name: 'broken GeoJSON geometries',
    weight: 40,
    arbitrary: brokenJsonText(geometry),
    textOf: identity,
    check: (text) => {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return; // Not JSON: the body reader's concern, fuzzed above.
      }
      const result = parsing('validateGeometry', () =>
        validateGeometry(value, { row: 0, pointer: '/geometry' }),
      );
      if (result === undefined) return;
      if ('geometry' in result) assertGeometry(result.geometry);
      else {
        assertProblems(result.problems, text);
        assert.ok(
          result.problems.length > 0 && result.problems.length <= 11,
          'problems are capped per geometry',
        );
      }
    },
  }),

  // CAP XML ------------------------------------------------------------------------------------------
  property({
    group: 'cap-xml',
    name: 'CAP 1.2 written by toCapXml reads back as the same alert',
    weight: 4,
    arbitrary: capAlert,
    textOf: toCapXml,
    check: (alert) => {
      const read = parseCapXml(toCapXml(alert));
      assert.ok('alert' in read, `problems: ${JSON.stringify((read as { problems?: unknown }).problems)}`);
      // JSON copies: fast-check's records may have no prototype, which strict equality would count.
      assert.deepEqual(JSON.parse(JSON.stringify(read.alert)), JSON.parse(JSON.stringify(alert)));
    },
  }),
  property({
    group: 'cap-xml',
    name: 'broken CAP XML (DTDs, entities, nesting, encodings)',
    weight: 15,
    arbitrary: brokenText(capXmlText),
    textOf: identity,
    check: (text) => {
      const result = parsing('parseCapXml', () => parseCapXml(text));
      if (result !== undefined && 'problems' in result) {
        assert.ok(result.problems.length > 0);
        assertProblems(result.problems, text);
      }
      parsing('elementLines', () => elementLines(text));
    },
  }),
  property({
    group: 'cap-feed',
    name: 'broken Atom and RSS CAP feeds',
    weight: 8,
    arbitrary: brokenText(capFeedText),
    textOf: identity,
    check: (text) => {
      const feed = parsing('readCapFeed', () =>
        readCapFeed(text, { baseUrl: 'https://feeds.example.org/cap/' }),
      );
      if (feed === undefined) return;
      assertProblems(
        feed.problems.map((p) => ({ reason: p.reason, ...(p.line === undefined ? {} : { line: p.line }) })),
        text,
      );
      if ('entries' in feed) {
        for (const entry of feed.entries) {
          assert.ok(entry.capXml !== null || entry.capUrl !== null, 'an entry without CAP');
          if (entry.capUrl !== null) assert.match(entry.capUrl, /^https?:\/\//);
          if (entry.capXml !== null) parsing('parseCapXml(entry)', () => parseCapXml(entry.capXml!));
        }
      }
    },
  }),

  // Rule definitions ---------------------------------------------------------------------------------
  property({
    group: 'rules',
    name: 'broken rule definitions',
    weight: 35,
    arbitrary: brokenText(
      schemaArbitrary(RuleDefinition as unknown as JsonSchema, { broken: true }).map((v) =>
        JSON.stringify(v),
      ),
    ),
    textOf: identity,
    check: (text) => {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return;
      }
      const result = parsing('validateRuleDefinition', () => validateRuleDefinition(value));
      if (result !== undefined && 'problems' in result) {
        assert.ok(result.problems.length > 0);
        assertProblems(result.problems, text);
      }
    },
  }),
  property({
    group: 'rules',
    name: 'rule definitions of the schema pass the shape check (it mirrors the schema)',
    weight: 4,
    arbitrary: schemaArbitrary(RuleDefinition as unknown as JsonSchema),
    textOf: (value) => JSON.stringify(value),
    check: (value) => {
      const result = validateRuleDefinition(value);
      if ('problems' in result) {
        for (const p of result.problems) assert.notEqual(p.reason, 'does not match the rule schema');
      }
    },
  }),

  // 30x30 and species --------------------------------------------------------------------------------
  property({
    group: 'wdpa',
    name: 'broken WDPA feature collections',
    weight: 15,
    arbitrary: brokenJsonText(wdpaCollection),
    textOf: identity,
    check: (text) => {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return;
      }
      const reading = parsing('readWdpaFeatures', () => readWdpaFeatures(value, 2026));
      if (reading === undefined) return;
      assertProblems(reading.problems, text);
      for (const site of reading.sites) {
        assert.ok(Number.isSafeInteger(site.wdpaId) && site.wdpaId > 0);
        assertGeometry(site.geometry);
      }
    },
  }),
  property({
    group: 'occurrences',
    name: 'broken Darwin Core occurrence CSV',
    weight: 20,
    arbitrary: brokenText(darwinCoreCsv),
    textOf: identity,
    check: (text) => {
      const result = parsing('parseOccurrences', () => parseOccurrences(text));
      if (result === undefined) return;
      assertParseResult(result, text);
      for (const row of result.rows) {
        assert.ok(Number.isFinite(row.eventDateMs), `eventDate ${row.eventDateMs}`);
        assert.ok(Math.abs(row.lat) <= 90 && Math.abs(row.lon) <= 180);
      }
    },
  }),
  property({
    group: 'occurrences',
    name: 'valid Darwin Core occurrence CSV is read whole',
    weight: 5,
    arbitrary: darwinCoreCsv,
    textOf: identity,
    check: (text) => {
      const { rows, problems } = parseOccurrences(text);
      assert.deepEqual(problems, []);
      assert.equal(rows.length, lineCount(text.trimEnd()) - 1);
    },
  }),

  // Query parameters ---------------------------------------------------------------------------------
  property({
    group: 'query-params',
    name: 'bbox, bucket, instants, event dates and content types',
    weight: 40,
    arbitrary: brokenText(
      fc.oneof(
        fc.tuple(lon, lat, lon, lat).map((box) => box.join(',')),
        fc.constantFrom(
          'PT1H',
          'P1D',
          'PT30S',
          'P1W',
          'auto',
          'P1M',
          'application/json; charset=utf-8',
          'text/csv',
        ),
        instant.map((d) => d.toISOString()),
        day,
        fc.string({ maxLength: 30 }),
      ),
    ),
    textOf: identity,
    check: (text) => {
      const box = parsing('parseBBox', () => parseBBox(text));
      if (box !== undefined && 'bbox' in box) {
        const [minLon, minLat, maxLon, maxLat] = box.bbox;
        assert.ok(
          [minLon, maxLon].every((x) => Math.abs(x) <= 180) && minLat <= maxLat && Math.abs(maxLat) <= 90,
        );
      }
      const bucket = parsing('parseBucket', () => parseBucket(text));
      if (bucket !== undefined && 'seconds' in bucket) {
        assert.ok(
          Number.isSafeInteger(bucket.seconds) && bucket.seconds >= 1,
          `bucket of ${bucket.seconds} s`,
        );
      }
      const time = parsing('parseIsoInstant', () => parseIsoInstant(text));
      if (time?.ok) assert.ok(Number.isSafeInteger(time.timeMs) && Math.abs(time.timeMs) <= 8.64e15);
      const date = parsing('parseEventDate', () => parseEventDate(text));
      if (date !== undefined && 'timeMs' in date)
        assert.ok(Number.isFinite(date.timeMs), `eventDate ${date.timeMs}`);
      parsing('bodyFormatOf', () => bodyFormatOf(text));
    },
  }),
  property({
    group: 'query-params',
    name: 'every RFC 3339 instant reads back to its millisecond',
    weight: 5,
    arbitrary: fc.tuple(instant, fc.constantFrom('Z', '+00:00', '-00:00', 'z')),
    textOf: ([d, zone]) => d.toISOString().replace('Z', zone),
    check: ([d, zone]) => {
      const read = parseIsoInstant(d.toISOString().replace('Z', zone));
      assert.deepEqual(read, { ok: true, timeMs: d.getTime() });
    },
  }),
];

function eventsText(list: readonly EventRecord[], format: string, crlf: boolean): string {
  switch (format) {
    case 'json':
      return JSON.stringify(list.map(eventJson));
    case 'ndjson':
      return list.map((e) => JSON.stringify(eventJson(e))).join(crlf ? '\r\n' : '\n');
    case 'geojson':
      return eventsAsGeoJson(list);
    default:
      return eventsAsCsv(list, crlf);
  }
}

/** Re-exported for the route fuzzing: the same valid-then-broken documents, sent over HTTP. */
export const DOCUMENTS = {
  observationsCsv: fc.tuple(observations, fc.boolean()).map(([list, crlf]) => observationsAsCsv(list, crlf)),
  eventsGeoJson: eventRecords.map(eventsAsGeoJson),
  firmsCsv,
  capXml: capXmlText,
  capFeed: capFeedText,
  darwinCoreCsv,
  wdpaCollection: brokenJson(wdpaCollection),
  geometry,
} as const;

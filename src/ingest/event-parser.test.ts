import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ParsedEvent, parseEvents } from './event-parser.ts';

const T0 = Date.UTC(2026, 10, 23, 8);
const SQUARE = [
  [10, 50],
  [11, 50],
  [11, 51],
  [10, 51],
  [10, 50],
];

describe('parseEvents: JSON', () => {
  it('reads events with a geometry or with lon and lat', () => {
    const body = JSON.stringify([
      {
        id: 'viirs-1',
        kind: 'fire_detection',
        time: '2026-11-23T08:00:00Z',
        geometry: { type: 'Point', coordinates: [13.4, 52.5] },
        source: 'firms',
        station: 7,
        attributes: { frp: 12.5, confidence: 'high' },
        ignored: true,
      },
      {
        kind: 'forest_loss_alert',
        time: '2026-11-23T08:00:00Z',
        end_time: '2026-11-23T10:00:00+01:00',
        lon: -60.1,
        lat: -3.2,
      },
    ]);
    expect(parseEvents(body, 'json')).toEqual({
      rows: [
        {
          row: 0,
          fieldsPointer: '/0',
          externalId: 'viirs-1',
          kind: 'fire_detection',
          timeMs: T0,
          endTimeMs: undefined,
          geometry: { type: 'Point', coordinates: [13.4, 52.5] },
          source: 'firms',
          station: '7',
          attributes: { frp: 12.5, confidence: 'high' },
        },
        {
          row: 1,
          fieldsPointer: '/1',
          externalId: undefined,
          kind: 'forest_loss_alert',
          timeMs: T0,
          endTimeMs: T0 + 3_600_000,
          geometry: { type: 'Point', coordinates: [-60.1, -3.2] },
          source: undefined,
          station: undefined,
          attributes: {},
        },
      ],
      problems: [],
    });
  });

  it('names every bad field by JSON pointer, deep inside geometries too', () => {
    const body = JSON.stringify([
      { kind: 'Fire Detection', time: '2026-11-23T08:00:00', lon: 13, lat: 52 },
      {
        kind: 'citizen_report',
        time: '2026-11-23T08:00:00Z',
        geometry: { type: 'Polygon', coordinates: [SQUARE.slice(0, 4)] },
      },
      {
        kind: 'citizen_report',
        time: '2026-11-23T08:00:00Z',
        end_time: '2026-11-23T07:00:00Z',
        lon: 200,
        lat: '52',
      },
      { kind: 'citizen_report', time: '2026-11-23T08:00:00Z' },
      {
        kind: 'citizen_report',
        time: '2026-11-23T08:00:00Z',
        lon: 1,
        lat: 2,
        geometry: { type: 'Point', coordinates: [1, 2] },
      },
      { kind: 'x', time: '2026-11-23T08:00:00Z', lon: 1, attributes: [1], source: 5, id: { a: 1 } },
      7,
    ]);
    const result = parseEvents(body, 'json');
    expect(result.rows).toEqual([]);
    expect(result.problems).toEqual([
      {
        row: 0,
        pointer: '/0/kind',
        field: 'kind',
        reason:
          'kind "Fire Detection" must be lower snake_case like fire_detection: a letter, then up to 63 of a-z, 0-9 and _',
      },
      { row: 0, pointer: '/0/time', field: 'time', reason: 'time zone missing (add Z for UTC)' },
      {
        row: 1,
        pointer: '/1/geometry/coordinates/0/3',
        field: 'geometry',
        reason: expect.stringMatching(/^a linear ring must be closed/),
      },
      { row: 2, pointer: '/2/lon', field: 'lon', reason: 'lon 200 is outside [-180, 180]' },
      { row: 2, pointer: '/2/lat', field: 'lat', reason: 'lat must be a JSON number, got string' },
      { row: 2, pointer: '/2/end_time', field: 'end_time', reason: 'end_time must not be before time' },
      {
        row: 3,
        pointer: '/3/geometry',
        field: 'geometry',
        reason: 'a location is required: geometry (GeoJSON) or lon and lat',
      },
      {
        row: 4,
        pointer: '/4/geometry',
        field: 'geometry',
        reason: 'give either geometry or lon and lat, not both',
      },
      { row: 5, pointer: '/5/id', field: 'id', reason: 'id must be a string or an integer, got object' },
      { row: 5, pointer: '/5/lat', field: 'lat', reason: 'lat is required with lon' },
      { row: 5, pointer: '/5/source', field: 'source', reason: 'source must be a string, got number' },
      {
        row: 5,
        pointer: '/5/attributes',
        field: 'attributes',
        reason: 'attributes must be a JSON object, got array',
      },
      { row: 6, pointer: '/6', reason: 'expected an event object, got number' },
    ]);
  });

  it('reads a FeatureCollection sent as application/json as GeoJSON', () => {
    const body = JSON.stringify({
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [1, 2] },
          properties: { kind: 'k', time: '2026-11-23T08:00:00Z' },
        },
      ],
    });
    expect(parseEvents(body, 'json').rows).toHaveLength(1);
  });

  it('wants an array', () => {
    expect(parseEvents('{"kind":"x"}', 'json').problems).toEqual([
      {
        row: -1,
        pointer: '',
        reason: 'expected a JSON array of events or a GeoJSON FeatureCollection, got object',
      },
    ]);
  });

  it('accepts kinds of 1 to 64 characters', () => {
    const kinds = [
      'a',
      `a${'b'.repeat(63)}`,
      `a${'b'.repeat(64)}`,
      '1fire',
      '_fire',
      'fire-detection',
      'fireDetection',
      '',
    ];
    const body = JSON.stringify(
      kinds.map((kind) => ({ kind, time: '2026-11-23T08:00:00Z', lon: 0, lat: 0 })),
    );
    const result = parseEvents(body, 'json');
    expect(result.rows.map((r) => r.row)).toEqual([0, 1]);
    expect(result.problems.map((p) => p.row)).toEqual([2, 3, 4, 5, 6, 7]);
  });
});

describe('parseEvents: NDJSON', () => {
  it('reads one event per line with its line; geometry problems also carry a pointer within the line', () => {
    const body = [
      '{"kind":"fire_detection","time":"2026-11-23T08:00:00Z","lon":1,"lat":2}',
      '',
      '{"kind":"fire_detection","time":"2026-11-23T08:00:00Z","geometry":{"type":"Point","coordinates":[1,95]}}',
      '{"kind":"fire_detection"',
    ].join('\n');
    const result = parseEvents(body, 'ndjson');
    expect(result.rows).toEqual([
      {
        row: 0,
        line: 1,
        externalId: undefined,
        kind: 'fire_detection',
        timeMs: T0,
        endTimeMs: undefined,
        geometry: { type: 'Point', coordinates: [1, 2] },
        source: undefined,
        station: undefined,
        attributes: {},
      },
    ]);
    expect(result.problems).toEqual([
      {
        row: 1,
        line: 3,
        pointer: '/geometry/coordinates/1',
        field: 'geometry',
        reason: 'latitude 95 is outside [-90, 90]; GeoJSON order is [longitude, latitude]',
      },
      { row: 2, line: 4, reason: expect.stringMatching(/^invalid JSON at column 25: /) },
    ]);
  });
});

describe('parseEvents: GeoJSON', () => {
  it('reads features: properties become fields and attributes, the feature id the external id', () => {
    const body = JSON.stringify({
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          id: 1234,
          geometry: { type: 'Polygon', coordinates: [SQUARE] },
          properties: {
            kind: 'forest_loss_alert',
            time: '2026-11-23T08:00:00Z',
            end_time: '2026-11-24T08:00:00Z',
            source: 'glad',
            station: 'S-1',
            area_ha: 3.5,
            confidence: 'nominal',
          },
        },
      ],
    });
    expect(parseEvents(body, 'geojson')).toEqual({
      rows: [
        {
          row: 0,
          fieldsPointer: '/features/0/properties',
          externalId: '1234',
          kind: 'forest_loss_alert',
          timeMs: T0,
          endTimeMs: T0 + 86_400_000,
          geometry: { type: 'Polygon', coordinates: [SQUARE] },
          source: 'glad',
          station: 'S-1',
          attributes: { area_ha: 3.5, confidence: 'nominal' },
        },
      ],
      problems: [],
    });
  });

  it('names problems by pointers into features and their properties', () => {
    const body = JSON.stringify({
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [0, 0] },
          properties: { kind: 'k', time: '2026-11-23T08:00:00Z' },
        },
        { type: 'Feature', geometry: null, properties: { kind: 'k', time: 'yesterday' } },
        { type: 'Feature', geometry: { type: 'GeometryCollection', geometries: [] }, properties: null },
        { type: 'Point', coordinates: [0, 0] },
        { type: 'Feature', id: true, geometry: { type: 'Point', coordinates: [0, 0] }, properties: [] },
      ],
    });
    const result = parseEvents(body, 'geojson');
    expect(result.rows.map((r) => r.row)).toEqual([0]);
    expect(result.problems).toEqual([
      {
        row: 1,
        pointer: '/features/1/properties/time',
        field: 'time',
        reason: 'expected ISO 8601 like 2026-11-23T08:00:00Z',
      },
      {
        row: 1,
        pointer: '/features/1/geometry',
        field: 'geometry',
        reason: 'geometry is required: an event needs a location',
      },
      { row: 2, pointer: '/features/2/properties/kind', field: 'kind', reason: 'kind is required' },
      { row: 2, pointer: '/features/2/properties/time', field: 'time', reason: 'time is required' },
      {
        row: 2,
        pointer: '/features/2/geometry/type',
        field: 'geometry',
        reason: expect.stringContaining('GeometryCollection is not supported'),
      },
      {
        row: 3,
        pointer: '/features/3',
        reason: 'expected a GeoJSON Feature (RFC 7946 §3.2), got type "Point"',
      },
      {
        row: 4,
        pointer: '/features/4/properties',
        field: 'properties',
        reason: 'properties must be a JSON object, got array',
      },
    ]);
  });

  it('wants a FeatureCollection', () => {
    const feature = { type: 'Feature', geometry: null, properties: {} };
    expect(parseEvents(JSON.stringify(feature), 'geojson').problems).toEqual([
      { row: -1, pointer: '', reason: 'expected a GeoJSON FeatureCollection (RFC 7946 §3.3), got a Feature' },
    ]);
    expect(parseEvents('{"type":"FeatureCollection"}', 'geojson').problems).toEqual([
      {
        row: -1,
        pointer: '/features',
        field: 'features',
        reason: 'a FeatureCollection needs a "features" array (RFC 7946 §3.3), got undefined',
      },
    ]);
  });

  it('keeps a "__proto__" property as an attribute, not as a prototype', () => {
    const body = `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[0,0]},"properties":{"kind":"k","time":"2026-11-23T08:00:00Z","__proto__":{"polluted":1}}}]}`;
    const [event] = parseEvents(body, 'geojson').rows;
    expect(Object.getPrototypeOf(event!.attributes)).toBe(Object.prototype);
    expect(Object.keys(event!.attributes)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('parseEvents: CSV', () => {
  it('reads kind, time, lon, lat and optional columns; every other column is an attribute', () => {
    const body = [
      'Kind,time,lon,lat,id,end_time,source,station,frp,code,big_id,note,empty',
      'fire_detection,2026-11-23T08:00:00Z,13.4,52.5,v-1,,firms,,12.5,007,12345678901234567890,"hot, smoky",',
      'fire_detection,2026-11-23T08:00:00Z,-1e1,0,,2026-11-23T09:00:00Z,,st,-3,0,1e3,x,',
    ].join('\r\n');
    expect(parseEvents(body, 'csv')).toEqual({
      rows: [
        {
          row: 0,
          line: 2,
          externalId: 'v-1',
          kind: 'fire_detection',
          timeMs: T0,
          endTimeMs: undefined,
          geometry: { type: 'Point', coordinates: [13.4, 52.5] },
          source: 'firms',
          station: undefined,
          attributes: { frp: 12.5, code: '007', big_id: '12345678901234567890', note: 'hot, smoky' },
        },
        {
          row: 1,
          line: 3,
          externalId: undefined,
          kind: 'fire_detection',
          timeMs: T0,
          endTimeMs: T0 + 3_600_000,
          geometry: { type: 'Point', coordinates: [-10, 0] },
          source: undefined,
          station: 'st',
          attributes: { frp: -3, code: 0, big_id: 1000, note: 'x' },
        },
      ],
      problems: [],
    });
  });

  it('names missing columns and every bad cell by line', () => {
    expect(parseEvents('kind,time,lat\n', 'csv').problems).toEqual([
      { row: -1, line: 1, field: 'lon', reason: 'missing required column "lon" in the header row' },
    ]);
    const body = [
      'kind,time,lon,lat,end_time',
      'fire,2026-11-23T08:00:00Z,abc,,',
      ',2026-11-23T08:00:00Z,0,-91,2026-11-23T07:00:00Z',
      'fire,2026-11-23T08:00:00Z,0',
    ].join('\n');
    expect(parseEvents(body, 'csv').problems).toEqual([
      { row: 0, line: 2, field: 'lon', reason: 'lon must be a number' },
      { row: 0, line: 2, field: 'lat', reason: 'lat is required' },
      { row: 1, line: 3, field: 'kind', reason: 'kind is required' },
      { row: 1, line: 3, field: 'lat', reason: 'lat -91 is outside [-90, 90]' },
      { row: 1, line: 3, field: 'end_time', reason: 'end_time must not be before time' },
      { row: 2, line: 4, reason: 'expected 5 columns as in the header, got 3' },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Properties

const text = fc
  .string({ minLength: 1, maxLength: 10, unit: fc.constantFrom('a', 'B', '1', ' ', ',', '"', '\n', 'é') })
  .filter((s) => s.trim() !== '');
const eventArbitrary = fc.record({
  id: fc.option(text, { nil: undefined }),
  kind: fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/),
  date: fc.date({
    min: new Date('1900-01-01T00:00:00Z'),
    max: new Date('2100-01-01T00:00:00Z'),
    noInvalidDate: true,
  }),
  durationMs: fc.option(fc.nat({ max: 86_400_000 }), { nil: undefined }),
  lon: fc.double({ min: -180, max: 180, noNaN: true }).map((v) => (Object.is(v, -0) ? 0 : v)),
  lat: fc.double({ min: -90, max: 90, noNaN: true }).map((v) => (Object.is(v, -0) ? 0 : v)),
  source: fc.option(text, { nil: undefined }),
  station: fc.option(text, { nil: undefined }),
  note: fc.option(text, { nil: undefined }),
});
type Generated = typeof eventArbitrary extends fc.Arbitrary<infer T> ? T : never;

type Unplaced = Omit<ParsedEvent, 'line' | 'fieldsPointer'>;

function expectedOf(generated: readonly Generated[]): Unplaced[] {
  return generated.map((g, row) => ({
    row,
    externalId: g.id?.trim(),
    kind: g.kind,
    timeMs: g.date.getTime(),
    endTimeMs: g.durationMs === undefined ? undefined : g.date.getTime() + g.durationMs,
    geometry: { type: 'Point', coordinates: [g.lon, g.lat] },
    source: g.source?.trim(),
    station: g.station?.trim(),
    attributes: g.note === undefined ? {} : { note: g.note.trim() },
  }));
}

function endTime(g: Generated): string | undefined {
  return g.durationMs === undefined ? undefined : new Date(g.date.getTime() + g.durationMs).toISOString();
}

function csvCell(value: string | number | undefined): string {
  const cell = value === undefined ? '' : String(value);
  return /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

/** The same event whatever the format, once where it came from is left aside. */
function withoutPlace({ line: _line, fieldsPointer: _pointer, ...rest }: ParsedEvent): Unplaced {
  return rest;
}

describe('parseEvents: properties', () => {
  it('reads generated valid events the same from JSON, NDJSON, GeoJSON and CSV, with no problems', () => {
    fc.assert(
      fc.property(fc.array(eventArbitrary, { maxLength: 12 }), (generated) => {
        const want = expectedOf(generated);
        const records = generated.map((g) => ({
          id: g.id,
          kind: g.kind,
          time: g.date.toISOString(),
          end_time: endTime(g),
          lon: g.lon,
          lat: g.lat,
          source: g.source,
          station: g.station,
          attributes: g.note === undefined ? undefined : { note: g.note.trim() },
        }));
        const json = parseEvents(JSON.stringify(records), 'json');
        expect(json.problems).toEqual([]);
        expect(json.rows.map(withoutPlace)).toEqual(want);
        expect(json.rows.map((r) => r.fieldsPointer)).toEqual(want.map((_, i) => `/${i}`));

        const ndjson = parseEvents(records.map((r) => JSON.stringify(r)).join('\n'), 'ndjson');
        expect(ndjson.problems).toEqual([]);
        expect(ndjson.rows.map(withoutPlace)).toEqual(want);

        const collection = {
          type: 'FeatureCollection',
          features: generated.map((g) => ({
            type: 'Feature',
            ...(g.id === undefined ? {} : { id: g.id }),
            geometry: { type: 'Point', coordinates: [g.lon, g.lat] },
            properties: {
              kind: g.kind,
              time: g.date.toISOString(),
              end_time: endTime(g),
              source: g.source,
              station: g.station,
              ...(g.note === undefined ? {} : { note: g.note.trim() }),
            },
          })),
        };
        const geojson = parseEvents(JSON.stringify(collection), 'geojson');
        expect(geojson.problems).toEqual([]);
        expect(geojson.rows.map(withoutPlace)).toEqual(want);
        expect(geojson.rows.map((r) => r.fieldsPointer)).toEqual(
          want.map((_, i) => `/features/${i}/properties`),
        );

        const lines = generated.map((g) =>
          [g.id, g.kind, g.date.toISOString(), endTime(g), g.lon, g.lat, g.source, g.station, g.note]
            .map(csvCell)
            .join(','),
        );
        const csv = parseEvents(
          ['id,kind,time,end_time,lon,lat,source,station,note', ...lines].join('\n'),
          'csv',
        );
        expect(csv.problems).toEqual([]);
        // A note that is a JSON number comes back as a number from CSV: compare as text.
        expect(
          csv.rows.map((row) => ({
            ...withoutPlace(row),
            attributes: Object.fromEntries(Object.entries(row.attributes).map(([k, v]) => [k, String(v)])),
          })),
        ).toEqual(want);
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on arbitrary text in any format', () => {
    const jsonish = fc
      .array(
        fc.constantFrom(
          '[',
          ']',
          '{',
          '}',
          ',',
          ':',
          '"kind"',
          '"time"',
          '"geometry"',
          '"type"',
          '"Feature"',
          '"FeatureCollection"',
          '"features"',
          '"coordinates"',
          '1',
          'null',
          '"Polygon"',
        ),
        { maxLength: 40 },
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), jsonish, fc.json()), (body) => {
        for (const format of ['json', 'ndjson', 'csv', 'geojson'] as const) parseEvents(body, format);
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on arbitrary JSON values as events or features', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.dictionary(
            fc.constantFrom(
              'kind',
              'time',
              'end_time',
              'geometry',
              'lon',
              'lat',
              'id',
              'attributes',
              'type',
              'properties',
              'source',
            ),
            fc.jsonValue(),
          ),
        ),
        (records) => {
          parseEvents(JSON.stringify(records), 'json');
          parseEvents(JSON.stringify({ type: 'FeatureCollection', features: records }), 'geojson');
        },
      ),
      { numRuns: 500 },
    );
  });
});

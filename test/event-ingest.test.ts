/** Ingestion and query of events (fire detections, forest-loss alerts...) through HTTP, on every storage backend. */
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from './support/test-database.ts';
import {
  type Fixture,
  registerFixture,
  startTestPlatform,
  type TestPlatform,
} from './support/test-platform.ts';

const T0 = Date.parse('2026-06-01T00:00:00Z');
const iso = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

/** What GET /v1/events answers. */
interface EventPage extends FeatureCollection<Geometry, Record<string, unknown>> {
  readonly next_after: number | null;
}

describe.each(BACKENDS)('events on %s', (backend) => {
  let t: TestPlatform;
  let a: Fixture;
  let b: Fixture;
  /** A source code that only b's organisation has. */
  const bOnlySource = 'kfs';

  beforeAll(async () => {
    t = await startTestPlatform(backend);
    a = await registerFixture(t, 'aa', 'BD');
    b = await registerFixture(t, 'bb', 'KE');
    const source = await t.request('POST', '/v1/sources', {
      key: b.key,
      body: {
        code: bOnlySource,
        name: 'Kenya Forest Service',
        provider: 'KFS',
        licence: 'CC-BY-4.0',
        provenance: 'patrol reports',
      },
    });
    if (source.statusCode !== 201) throw new Error(`source: ${source.statusCode} ${source.body}`);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function count(): Promise<number> {
    const row = await t.platform.services.database.db
      .selectFrom('event')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async function post(body: unknown, contentType = 'application/json', key = a.key) {
    const r = await t.request('POST', '/v1/events', {
      key,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      contentType,
    });
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as { accepted: number };
  }

  async function events(query: string, key = a.key): Promise<EventPage> {
    const r = await t.request('GET', `/v1/events?${query}`, { key });
    expect(r.statusCode, r.body).toBe(200);
    const page = r.json() as EventPage;
    expect(page.type).toBe('FeatureCollection');
    return page;
  }

  const byTime = (page: EventPage) =>
    [...page.features].sort((x, y) => String(x.properties.time).localeCompare(String(y.properties.time)));

  describe('accepts every format', () => {
    it('a JSON array, with a GeoJSON Point or with lon and lat, and reads back source, station and attributes', async () => {
      const body = [
        {
          id: 'modis-1',
          kind: 'json_fire',
          time: iso(0),
          geometry: { type: 'Point', coordinates: [90.41, 23.81] },
          source: 'doe',
          attributes: { frp_mw: 12.5, confidence: 'high' },
        },
        {
          id: 'modis-2',
          kind: 'json_fire',
          time: iso(1),
          end_time: iso(31),
          lon: 90.52,
          lat: 23.92,
          station: 'agargaon',
        },
      ];
      expect(await post(body)).toEqual({ accepted: 2 });

      const page = await events('kind=json_fire');
      expect(page.features).toHaveLength(2);
      const [first, second] = byTime(page) as [Feature, Feature];
      expect(first.geometry).toEqual({ type: 'Point', coordinates: [90.41, 23.81] });
      expect(first.properties).toMatchObject({
        kind: 'json_fire',
        time: iso(0),
        end_time: null,
        source: 'doe',
        station: null,
        frp_mw: 12.5,
        confidence: 'high',
      });
      expect(typeof first.id).toBe('number');
      expect(second.geometry).toEqual({ type: 'Point', coordinates: [90.52, 23.92] });
      expect(second.properties).toMatchObject({
        time: iso(1),
        end_time: iso(31),
        source: null,
        station: 'agargaon',
      });
    });

    it('NDJSON', async () => {
      const ndjson = [
        { id: 'n1', kind: 'ndjson_fire', time: iso(10), lon: 90.1, lat: 23.1, source: 'doe' },
        {
          id: 'n2',
          kind: 'ndjson_fire',
          time: iso(11),
          lon: 90.2,
          lat: 23.2,
          attributes: { satellite: 'N20' },
        },
      ]
        .map((e) => JSON.stringify(e))
        .join('\n');
      expect(await post(`${ndjson}\n`, 'application/x-ndjson')).toEqual({ accepted: 2 });
      const [first, second] = byTime(await events('kind=ndjson_fire')) as [Feature, Feature];
      expect(first.geometry).toEqual({ type: 'Point', coordinates: [90.1, 23.1] });
      expect(first.properties?.source).toBe('doe');
      expect(second.properties).toMatchObject({ time: iso(11), satellite: 'N20' });
    });

    it('CSV: extra columns become attributes, numbers read as numbers, codes such as 007 kept as text', async () => {
      const csv = [
        'id,kind,time,lon,lat,source,confidence,frp_mw,scan,track',
        `c1,csv_fire,${iso(20)},90.3,23.3,doe,nominal,12.5,007,`,
        `c2,csv_fire,${iso(21)},-0.5,51.5,,low,-3e2,1,0.5`,
      ].join('\n');
      expect(await post(csv, 'text/csv')).toEqual({ accepted: 2 });
      const [first, second] = byTime(await events('kind=csv_fire')) as [Feature, Feature];
      expect(first.geometry).toEqual({ type: 'Point', coordinates: [90.3, 23.3] });
      expect(first.properties).toMatchObject({
        source: 'doe',
        confidence: 'nominal',
        frp_mw: 12.5,
        scan: '007',
      });
      // an empty cell is left out, not stored as ""
      expect(first.properties).not.toHaveProperty('track');
      expect(second.geometry).toEqual({ type: 'Point', coordinates: [-0.5, 51.5] });
      expect(second.properties).toMatchObject({ source: null, confidence: 'low', frp_mw: -300, scan: 1 });
      expect(second.properties?.track).toBe(0.5);
    });

    it('a GeoJSON FeatureCollection with a Polygon (application/geo+json)', async () => {
      const polygon = {
        type: 'Polygon',
        coordinates: [
          [
            [90.0, 23.0],
            [90.2, 23.0],
            [90.2, 23.2],
            [90.0, 23.2],
            [90.0, 23.0],
          ],
        ],
      };
      const collection = {
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            id: 'glad-1',
            geometry: polygon,
            properties: { kind: 'geojson_loss', time: iso(30), source: 'doe', area_ha: 3.25, tile: 'T45QZA' },
          },
          {
            type: 'Feature',
            id: 7,
            geometry: { type: 'Point', coordinates: [90.1, 23.1] },
            properties: { kind: 'geojson_loss', time: iso(31) },
          },
        ],
      };
      expect(await post(collection, 'application/geo+json')).toEqual({ accepted: 2 });
      const [first, second] = byTime(await events('kind=geojson_loss')) as [Feature, Feature];
      expect(first.geometry).toEqual(polygon);
      expect(first.properties).toMatchObject({
        kind: 'geojson_loss',
        time: iso(30),
        source: 'doe',
        area_ha: 3.25,
        tile: 'T45QZA',
      });
      expect(second.geometry).toEqual({ type: 'Point', coordinates: [90.1, 23.1] });
    });
  });

  describe('GET /v1/events filters and pages', () => {
    it('by kind and by time, `from` inclusive and `to` exclusive', async () => {
      const body = [0, 60, 120, 180].map((m) => ({
        kind: 'time_window',
        time: iso(1000 + m),
        lon: 1,
        lat: 1,
      }));
      expect(await post(body)).toEqual({ accepted: 4 });
      const page = await events(`kind=time_window&from=${iso(1060)}&to=${iso(1180)}`);
      expect(page.features.map((f) => f.properties.time)).toEqual([iso(1060), iso(1120)]);
      expect((await events(`kind=time_window&from=${iso(1000)}`)).features).toHaveLength(4);
      expect((await events(`kind=time_window&to=${iso(1000)}`)).features).toHaveLength(0);
      expect((await events('kind=no_such_kind')).features).toEqual([]);
    });

    it('by bbox, also one that crosses the antimeridian', async () => {
      const body = [
        { id: 'east', kind: 'bbox_test', time: iso(2000), lon: 178, lat: -15 },
        { id: 'west', kind: 'bbox_test', time: iso(2001), lon: -178, lat: -15 },
        { id: 'greenwich', kind: 'bbox_test', time: iso(2002), lon: 0, lat: -15 },
        {
          id: 'big',
          kind: 'bbox_test',
          time: iso(2003),
          // no vertex lies inside the query box below, but the polygon covers it
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [-30, -40],
                [30, -40],
                [30, 40],
                [-30, 40],
                [-30, -40],
              ],
            ],
          },
        },
      ];
      expect(await post(body)).toEqual({ accepted: 4 });
      const lons = (page: EventPage) =>
        byTime(page).map((f) => (f.geometry.type === 'Point' ? f.geometry.coordinates[0] : f.geometry.type));

      expect(lons(await events('kind=bbox_test&bbox=170,-20,-170,-10'))).toEqual([178, -178]);
      expect(lons(await events('kind=bbox_test&bbox=170,-20,180,-10'))).toEqual([178]);
      expect(lons(await events('kind=bbox_test&bbox=-5,-20,5,-10'))).toEqual([0, 'Polygon']);
      expect(lons(await events('kind=bbox_test&bbox=10,10,11,11'))).toEqual(['Polygon']);
      expect(lons(await events('kind=bbox_test&bbox=100,-20,120,-10'))).toEqual([]);

      const bad = await t.request('GET', '/v1/events?bbox=10,20,30', { key: a.key });
      expect(bad.statusCode).toBe(400);
    });

    it('pages with limit and after, and next_after is null on the last page', async () => {
      const body = [0, 1, 2, 3, 4].map((m) => ({ kind: 'page_test', time: iso(3000 + m), lon: 2, lat: 2 }));
      expect(await post(body)).toEqual({ accepted: 5 });
      const ids: unknown[] = [];
      let after: number | null = 0;
      const pages: number[] = [];
      while (after !== null) {
        const page = await events(`kind=page_test&limit=2&after=${after}`);
        pages.push(page.features.length);
        ids.push(...page.features.map((f) => f.id));
        after = page.next_after;
        if (after !== null) expect(after).toBe(page.features.at(-1)?.id);
      }
      expect(pages).toEqual([2, 2, 1]);
      expect(ids).toEqual([...(ids as number[])].sort((x, y) => x - y));
      expect(new Set(ids).size).toBe(5);
    });

    it("attributes named like the event's own fields do not mask them", async () => {
      const body = [
        {
          id: 'masked',
          kind: 'masking',
          time: iso(3500),
          lon: 90,
          lat: 23,
          source: 'doe',
          attributes: {
            kind: 'other',
            time: 'never',
            source: 'spoofed',
            station: 'x',
            received_at: 'x',
            note: 'kept',
          },
        },
      ];
      expect(await post(body)).toEqual({ accepted: 1 });
      const page = await events('kind=masking');
      expect(page.features).toHaveLength(1);
      const properties = page.features[0]!.properties;
      expect(properties).toMatchObject({
        kind: 'masking',
        time: iso(3500),
        source: 'doe',
        station: null,
        note: 'kept',
      });
      expect(Number.isNaN(Date.parse(String(properties.received_at)))).toBe(false);
    });

    it("reads only the caller's organisation", async () => {
      await post([{ id: 'b1', kind: 'other_org', time: iso(4000), lon: 36.8, lat: -1.3 }], undefined, b.key);
      expect((await events('kind=other_org', a.key)).features).toEqual([]);
      expect((await events('kind=other_org', b.key)).features).toHaveLength(1);
    });
  });

  describe('re-sending is harmless', () => {
    it('the same batch again adds nothing', async () => {
      const batch = [
        { id: 'r1', kind: 'resend', time: iso(5000), lon: 90, lat: 23, source: 'doe' },
        { id: 'r2', kind: 'resend', time: iso(5001), lon: 90, lat: 23, source: 'doe' },
        { kind: 'resend', time: iso(5002), lon: 90, lat: 23 },
      ];
      const before = await count();
      expect(await post(batch)).toEqual({ accepted: 3 });
      expect(await count()).toBe(before + 3);
      expect(await post(batch)).toEqual({ accepted: 3 });
      expect(await count()).toBe(before + 3);
      expect((await events('kind=resend')).features).toHaveLength(3);
    });

    it('the same source and id with new attributes replaces the event', async () => {
      const first = { id: 'u1', kind: 'update', time: iso(6000), lon: 90, lat: 23, source: 'doe' };
      await post([{ ...first, attributes: { status: 'suspected', frp_mw: 3 } }]);
      const before = await count();
      await post([{ ...first, lon: 90.001, attributes: { status: 'confirmed' } }]);
      expect(await count()).toBe(before);
      const page = await events('kind=update');
      expect(page.features).toHaveLength(1);
      expect(page.features[0]?.geometry).toEqual({ type: 'Point', coordinates: [90.001, 23] });
      expect(page.features[0]?.properties).toMatchObject({ status: 'confirmed', source: 'doe' });
      expect(page.features[0]?.properties).not.toHaveProperty('frp_mw');
    });

    it('the same id from another source is another event', async () => {
      const before = await count();
      await post([
        { id: 'same', kind: 'two_sources', time: iso(6100), lon: 90, lat: 23, source: 'doe' },
        { id: 'same', kind: 'two_sources', time: iso(6100), lon: 90, lat: 23 },
      ]);
      expect(await count()).toBe(before + 2);
    });

    it('an event without id is known by its content', async () => {
      const report = { kind: 'no_id', time: iso(7000), lon: 90.5, lat: 23.5, attributes: { note: 'smoke' } };
      const before = await count();
      await post([report]);
      await post(`${JSON.stringify(report)}\n`, 'application/x-ndjson');
      expect(await count()).toBe(before + 1);
      // the same content twice in one batch is one event too
      expect(await post([report, report])).toEqual({ accepted: 1 });
      expect(await count()).toBe(before + 1);
      // a different place is a different event
      await post([{ ...report, lon: 90.6 }]);
      expect(await count()).toBe(before + 2);
    });
  });

  describe('bad input gets a 4xx naming the place, and nothing is written', () => {
    async function rejects(
      body: string,
      contentType: string,
      expected: { status: number; errors?: object[] },
      key = a.key,
    ) {
      const before = await count();
      const r = await t.request('POST', '/v1/events', { key, body, contentType });
      expect(r.statusCode, r.body).toBe(expected.status);
      expect(r.headers['content-type']).toContain('application/problem+json');
      if (expected.errors)
        expect(r.json().errors).toEqual(expected.errors.map((e) => expect.objectContaining(e)));
      expect(await count()).toBe(before);
      return r.json();
    }
    const good = { kind: 'bad_input', time: iso(9000), lon: 90, lat: 23 };

    it('an unknown source code', async () => {
      const problem = await rejects(
        JSON.stringify([
          { ...good, source: 'doe' },
          { ...good, id: 'x', source: 'nope' },
        ]),
        'application/json',
        { status: 422, errors: [{ row: 1, pointer: '/1/source', field: 'source' }] },
      );
      expect(problem.code).toBe('EW4E_INVALID_ROWS');
      expect(problem.errors[0].reason).toContain('nope');
    });

    it('an unknown station', async () => {
      await rejects(JSON.stringify([{ ...good, station: 'nowhere' }]), 'application/json', {
        status: 422,
        errors: [{ pointer: '/0/station', field: 'station' }],
      });
      await rejects(
        `${JSON.stringify(good)}\n${JSON.stringify({ ...good, station: 'nowhere' })}\n`,
        'application/x-ndjson',
        {
          status: 422,
          errors: [{ line: 2, field: 'station' }],
        },
      );
    });

    it('a CSV time that is not ISO 8601', async () => {
      const csv = `kind,time,lon,lat\nbad_input,${iso(9000)},90,23\nbad_input,20/11/2026 08:00,90,23\n`;
      await rejects(csv, 'text/csv', { status: 422, errors: [{ line: 3, field: 'time' }] });
    });

    it('an invalid geometry', async () => {
      const geometry = { type: 'Point', coordinates: [90, 95] };
      await rejects(
        JSON.stringify([good, { ...good, lon: undefined, lat: undefined, geometry }]),
        'application/json',
        {
          status: 422,
          errors: [{ pointer: '/1/geometry/coordinates/1', field: 'geometry' }],
        },
      );
      await rejects(JSON.stringify([{ ...good, lat: 95 }]), 'application/json', {
        status: 422,
        errors: [{ pointer: '/0/lat', field: 'lat' }],
      });
      const openRing = {
        type: 'Polygon',
        coordinates: [
          [
            [90, 23],
            [91, 23],
            [91, 24],
            [90, 24],
          ],
        ],
      };
      await rejects(
        JSON.stringify([{ ...good, lon: undefined, lat: undefined, geometry: openRing }]),
        'application/json',
        {
          status: 422,
          errors: [{ pointer: '/0/geometry/coordinates/0/3', field: 'geometry' }],
        },
      );
    });

    it('a GeoJSON feature with a bad time', async () => {
      const collection = {
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            geometry: { type: 'Point', coordinates: [90, 23] },
            properties: { kind: 'bad_input', time: 'yesterday' },
          },
          {
            type: 'Feature',
            geometry: { type: 'Point', coordinates: [90, 23] },
            properties: { kind: 'bad_input', time: iso(9000) },
          },
        ],
      };
      await rejects(JSON.stringify(collection), 'application/geo+json', {
        status: 422,
        errors: [{ row: 0, pointer: '/features/0/properties/time', field: 'time' }],
      });
    });

    it('a GeoJSON feature with an unknown source names the property', async () => {
      const collection = {
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            geometry: { type: 'Point', coordinates: [90, 23] },
            properties: { ...good, source: 'doe' },
          },
          {
            type: 'Feature',
            geometry: { type: 'Point', coordinates: [90, 23] },
            properties: { ...good, source: 'nope' },
          },
        ],
      };
      await rejects(JSON.stringify(collection), 'application/geo+json', {
        status: 422,
        errors: [{ row: 1, pointer: '/features/1/properties/source', field: 'source' }],
      });
    });

    it("another organisation's source code", async () => {
      await rejects(JSON.stringify([good, { ...good, id: 'y', source: bOnlySource }]), 'application/json', {
        status: 422,
        errors: [{ pointer: '/1/source', field: 'source' }],
      });
      // the same batch is fine for the organisation that owns the source
      const before = await count();
      await post([{ ...good, id: 'y', source: bOnlySource }], undefined, b.key);
      expect(await count()).toBe(before + 1);
    });

    it('a wrong content type, no key, a viewer key', async () => {
      await rejects(JSON.stringify([good]), 'application/xml', { status: 415 });
      const noKey = await t.platform.server.inject({
        method: 'POST',
        url: '/v1/events',
        payload: JSON.stringify([good]),
        headers: { 'content-type': 'application/json' },
      });
      expect(noKey.statusCode).toBe(401);
      const viewer = await t.request('POST', '/v1/keys', {
        body: { name: 'v', role: 'viewer', organisation_id: a.orgId },
      });
      expect(viewer.statusCode, viewer.body).toBe(201);
      await rejects(JSON.stringify([good]), 'application/json', { status: 403 }, viewer.json().key);
      // a viewer may read
      expect((await events('kind=json_fire', viewer.json().key)).type).toBe('FeatureCollection');
    });
  });
});

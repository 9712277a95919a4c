/** Sources, stations, series and areas through HTTP on every backend: GeoJSON out, areas linked to stations, the antimeridian, liveness. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from './support/test-database.ts';
import {
  type Fixture,
  registerFixture,
  startTestPlatform,
  type TestPlatform,
} from './support/test-platform.ts';

/** A square polygon, counter-clockwise (RFC 7946 §3.1.6). */
function square(minLon: number, minLat: number, maxLon: number, maxLat: number) {
  return {
    type: 'Polygon',
    coordinates: [
      [
        [minLon, minLat],
        [maxLon, minLat],
        [maxLon, maxLat],
        [minLon, maxLat],
        [minLon, minLat],
      ],
    ],
  };
}

describe.each(BACKENDS)('registry on %s', (backend) => {
  let t: TestPlatform;
  let a: Fixture;

  beforeAll(async () => {
    t = await startTestPlatform(backend);
    a = await registerFixture(t, 'aa', 'BD');
  });
  afterAll(async () => {
    await t?.close();
  });

  async function station(code: string, lon: number, lat: number, extra: object = {}) {
    const r = await t.request('POST', '/v1/stations', {
      key: a.key,
      body: {
        source_id: a.sourceId,
        code,
        name: code,
        sense: 'acoustic',
        lon,
        lat,
        expected_cadence_s: 300,
        ...extra,
      },
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json();
  }

  it('returns stations as GeoJSON Features with source, licence and liveness', async () => {
    const r = await t.request('GET', `/v1/stations/${a.stationId}`, { key: a.key });
    expect(r.statusCode).toBe(200);
    const f = r.json();
    expect(f).toMatchObject({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [90.3795, 23.7781] },
    });
    expect(f.properties).toMatchObject({
      code: 'agargaon',
      sense: 'ground_station',
      licence: 'CC-BY-4.0',
      provider: 'DoE',
      status: 'silent',
      delay_s: null,
    });

    const now = new Date(Date.now() - 30_000).toISOString();
    expect(
      (
        await t.request('POST', '/v1/observations', {
          key: a.key,
          body: [{ series: a.seriesId, time: now, value: 30 }],
        })
      ).statusCode,
    ).toBe(200);
    const after = (await t.request('GET', `/v1/stations/${a.stationId}`, { key: a.key })).json();
    expect(after.properties.status).toBe('ok');
    expect(after.properties.last_observation_at).toBe(now);
    expect(after.properties.delay_s).toBeGreaterThanOrEqual(29);
  });

  it('links stations to the areas that contain them, whichever is registered first', async () => {
    const inside = await station('lake-1', 10.5, 10.5);
    await station('lake-out', 12.5, 10.5);
    const area = await t.request('POST', '/v1/areas', {
      key: a.key,
      body: {
        type: 'Feature',
        geometry: square(10, 10, 11, 11),
        properties: { kind: 'protected_area', code: 'pa-1', name: 'Lake reserve', WDPAID: 1234 },
      },
    });
    expect(area.statusCode, area.body).toBe(201);
    expect(area.json().properties).toMatchObject({ kind: 'protected_area', WDPAID: 1234 });
    const later = await station('lake-2', 10.2, 10.8);
    const listed = await t.request('GET', `/v1/stations?area_id=${area.json().id}`, { key: a.key });
    expect(
      listed
        .json()
        .features.map((f: { id: number }) => f.id)
        .sort(),
    ).toEqual([inside.id, later.id].sort());
  });

  it('puts stations into Natural Earth countries, across the antimeridian too', async () => {
    const fiji = await station('viti-levu', 178.0, -17.8);
    const chukotka = await station('chukotka', -173.5, 66.2);
    const countries = async (id: number) => {
      const r = await t.request('GET', '/v1/areas?kind=country&limit=1000', { key: a.key });
      const all = r.json().features as { id: number; properties: { iso_code: string } }[];
      const containing = [];
      for (const c of all) {
        const s = await t.request('GET', `/v1/stations?area_id=${c.id}&limit=1000`, { key: a.key });
        if (s.json().features.some((f: { id: number }) => f.id === id))
          containing.push(c.properties.iso_code);
      }
      return containing;
    };
    expect(await countries(fiji.id)).toEqual(['FJ']);
    expect(await countries(chukotka.id)).toEqual(['RU']);
  });

  it('filters stations by a bbox that crosses the antimeridian', async () => {
    const east = await station('dateline-e', 179.5, -16.5);
    const west = await station('dateline-w', -179.5, -16.5);
    const r = await t.request('GET', '/v1/stations?bbox=179,-17,-179,-16', { key: a.key });
    expect(r.statusCode, r.body).toBe(200);
    expect(
      r
        .json()
        .features.map((f: { id: number }) => f.id)
        .sort(),
    ).toEqual([east.id, west.id].sort());
    const bad = await t.request('GET', '/v1/stations?bbox=1,2,3', { key: a.key });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('bbox');
  });

  it('lists countries from Natural Earth with ISO codes, geometry on request', async () => {
    const r = await t.request('GET', '/v1/areas?kind=country&q=Kenya&geometry=true', { key: a.key });
    const [kenya] = r.json().features;
    expect(kenya.properties).toMatchObject({ iso_code: 'KE', name: 'Kenya', iso_a3: 'KEN' });
    expect(kenya.geometry.type).toMatch(/Polygon/);
    const noGeometry = await t.request('GET', '/v1/areas?kind=country&q=Kenya', { key: a.key });
    expect(noGeometry.json().features[0].geometry).toBeNull();
  });

  it('refuses invalid areas and series with the place named', async () => {
    const openRing = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 1],
        ],
      ],
    };
    const r = await t.request('POST', '/v1/areas', {
      key: a.key,
      body: { type: 'Feature', geometry: openRing, properties: { kind: 'custom', code: 'x', name: 'x' } },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0].pointer).toMatch(/^\/geometry\/coordinates/);
    const s = await t.request('POST', '/v1/series', {
      key: a.key,
      body: { station_id: a.stationId, variable: 'no-such-variable' },
    });
    expect(s.statusCode).toBe(400);
    expect(s.json().errors[0]).toMatchObject({ pointer: '/variable', field: 'variable' });
    const q = await t.request('POST', '/v1/series', {
      key: a.key,
      body: { station_id: a.stationId, variable: 'pm10', qc_override: { hardMin: 10, hardMax: 5 } },
    });
    expect(q.statusCode).toBe(400);
    expect(q.json().errors[0].pointer).toMatch(/^\/qc_override\//);
    const dup = await t.request('POST', '/v1/series', {
      key: a.key,
      body: { station_id: a.stationId, variable: 'pm25' },
    });
    expect(dup.statusCode).toBe(409);
    const missing = await t.request('POST', '/v1/stations', { key: a.key, body: { code: 'x' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors.map((e: { pointer: string }) => e.pointer)).toContain('/source_id');
  });

  it("hides another organisation's registry entries", async () => {
    const b = await registerFixture(t, 'bb', 'KE');
    expect((await t.request('GET', `/v1/stations/${a.stationId}`, { key: b.key })).statusCode).toBe(404);
    expect((await t.request('GET', `/v1/series/${a.seriesId}`, { key: b.key })).statusCode).toBe(404);
    expect((await t.request('GET', `/v1/series/${a.seriesId}/observations`, { key: b.key })).statusCode).toBe(
      404,
    );
    const listed = await t.request('GET', '/v1/stations?limit=1000', { key: b.key });
    expect(
      listed
        .json()
        .features.every(
          (f: { properties: { organisation_id: number } }) => f.properties.organisation_id === b.orgId,
        ),
    ).toBe(true);
    const station = await t.request('POST', '/v1/stations', {
      key: b.key,
      body: {
        source_id: a.sourceId,
        code: 'stolen',
        name: 'x',
        sense: 'satellite',
        lon: 0,
        lat: 0,
        expected_cadence_s: 60,
      },
    });
    expect(station.statusCode).toBe(400);
    // the global admin reads everything below it
    expect((await t.request('GET', `/v1/stations/${a.stationId}`)).statusCode).toBe(200);
  });

  it('serves OpenAPI 3 at /docs describing every route', async () => {
    const html = await t.platform.server.inject({ method: 'GET', url: '/docs/' });
    expect(html.statusCode).toBe(200);
    const doc = (await t.platform.server.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([p, ops]) =>
        Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${p}`),
      ),
    );
    for (const route of [
      'POST /v1/observations',
      'GET /v1/series/{id}/observations',
      'POST /v1/events',
      'GET /v1/events',
      'GET /v1/stations',
      'POST /v1/stations',
      'GET /v1/areas/{id}/observations',
      'POST /v1/keys',
      'GET /health',
    ]) {
      expect(documented, route).toContain(route);
    }
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(ops as Record<string, { summary?: string }>))
        expect(op.summary, `${m} ${p}`).toBeTruthy();
    }
  });
});

/** 30x30 through HTTP on every backend: WDPA import (cleaned, refused whole on a bad row), listing, coverage, gaps. */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from './support/test-database.ts';
import {
  type Fixture,
  registerFixture,
  startTestPlatform,
  type TestPlatform,
} from './support/test-platform.ts';

function square(minLon: number, minLat: number, size: number) {
  const [maxLon, maxLat] = [minLon + size, minLat + size];
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

describe.each(BACKENDS)('nature (30x30) on %s', (backend) => {
  let t: TestPlatform;
  let a: Fixture;
  let viewerKey: string;

  beforeAll(async () => {
    t = await startTestPlatform(backend);
    a = await registerFixture(t, 'ke-env', 'KE');
    const viewer = await t.request('POST', '/v1/keys', {
      body: { name: 'viewer', role: 'viewer', organisation_id: a.orgId },
    });
    viewerKey = viewer.json().key;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses the whole batch and names the feature and field of every bad row', async () => {
    const layer = JSON.parse(await readFile('test/in/nature-series.geojson', 'utf8'));
    layer.features[1].properties.STATUS_YR = 'nineteen ninety';
    layer.features[2].properties.MARINE = '3';
    layer.features[3].geometry = { type: 'Point', coordinates: [36, 2] };
    const r = await t.request('POST', '/v1/nature/protected-areas', { key: a.key, body: layer });
    expect(r.statusCode).toBe(422);
    const body = r.json();
    expect(body.code).toBe('EW4E_INVALID_ROWS');
    expect(body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 1, pointer: '/features/1/properties/STATUS_YR', field: 'STATUS_YR' }),
        expect.objectContaining({ row: 2, pointer: '/features/2/properties/MARINE', field: 'MARINE' }),
        expect.objectContaining({ row: 3, pointer: '/features/3/properties/REP_AREA', field: 'REP_AREA' }),
      ]),
    );
    const listed = await t.request('GET', '/v1/nature/protected-areas?country=KE', { key: a.key });
    expect(listed.json().features).toEqual([]);
  });

  it('imports, cleans and lists WDPA-shaped sites; only analysts import', async () => {
    const layer = JSON.parse(await readFile('test/in/nature-series.geojson', 'utf8'));
    const denied = await t.request('POST', '/v1/nature/protected-areas', { key: viewerKey, body: layer });
    expect(denied.statusCode).toBe(403);
    const r = await t.request('POST', '/v1/nature/protected-areas', {
      key: a.key,
      body: JSON.stringify(layer),
      contentType: 'application/geo+json',
    });
    expect(r.statusCode, r.body).toBe(201);
    const result = r.json();
    expect(result.accepted).toBe(4);
    expect(result.excluded.map((e: { wdpa_id: number }) => e.wdpa_id)).toEqual([405, 406]);
    // Importing again replaces the parcels instead of counting them twice.
    expect(
      (await t.request('POST', '/v1/nature/protected-areas', { key: a.key, body: layer })).statusCode,
    ).toBe(201);

    const listed = await t.request('GET', '/v1/nature/protected-areas?country=KEN', { key: viewerKey });
    expect(listed.statusCode).toBe(200);
    const features = listed.json().features;
    expect(features.map((f: { properties: { WDPAID: number } }) => f.properties.WDPAID)).toEqual([
      401, 402, 403, 404,
    ]);
    expect(features[0].geometry.type).toBe('MultiPolygon');
    expect(features[0].properties.land_km2).toBeCloseTo(12308.78, 1);
    const boxed = await t.request('GET', '/v1/nature/protected-areas?bbox=34.9,0.9,35.6,1.6', {
      key: viewerKey,
    });
    expect(boxed.json().features.map((f: { properties: { WDPAID: number } }) => f.properties.WDPAID)).toEqual(
      [403],
    );
  });

  it('reports coverage with its STATUS_YR series and the pace needed for 30 % by 2030', async () => {
    const r = await t.request('GET', '/v1/nature/coverage?country=KE', { key: viewerKey });
    expect(r.statusCode, r.body).toBe(200);
    const c = r.json();
    expect(c.country).toEqual({ code: 'KE', iso3: 'KEN', name: 'Kenya' });
    expect(c.terrestrial.protected_km2).toBeCloseTo(24615.29, 1);
    expect(c.terrestrial.pct).toBeCloseTo(4.1566, 3);
    expect(c.series.map((p: { year: number }) => p.year)).toEqual([1970, 1990, 2010]);
    expect(c.marine.pct).toBeNull();
    expect(c.marine.note).toMatch(/EEZ/);
    expect(c.target.pct).toBe(30);
    expect(c.target.gap_pct).toBeCloseTo(30 - c.terrestrial.pct, 9);
    expect(c.target.needed_pp_per_year).toBeCloseTo(c.target.gap_pct / c.target.years_left, 9);
    expect(c.cached).toBe(false);
    const again = await t.request('GET', '/v1/nature/coverage?country=KEN', { key: viewerKey });
    expect(again.json().cached).toBe(true);
    const unknown = await t.request('GET', '/v1/nature/coverage?country=XQ', { key: viewerKey });
    expect(unknown.statusCode).toBe(400);
  });

  it('ranks gaps in a priority layer and says what a proposed area would add', async () => {
    const r = await t.request('POST', '/v1/nature/gaps', {
      key: viewerKey,
      body: {
        country: 'KE',
        priority: {
          type: 'FeatureCollection',
          features: [
            // Half inside the 1970 park.
            { type: 'Feature', properties: { name: 'KBA half covered' }, geometry: square(36.5, -1, 1) },
            { type: 'Feature', properties: { name: 'KBA uncovered' }, geometry: square(39, 1, 0.5) },
          ],
        },
        proposed: square(39, 1, 0.25),
      },
    });
    expect(r.statusCode, r.body).toBe(200);
    const g = r.json();
    expect(g.gaps.map((x: { name: string }) => x.name)).toEqual(['KBA half covered', 'KBA uncovered']);
    expect(g.gaps[0].covered_pct).toBeCloseTo(50, 1);
    expect(g.gaps[1].covered_pct).toBe(0);
    expect(g.gaps[1].if_designated.covered_pct).toBeCloseTo(25, 0);
    expect(g.gap_map.features).toHaveLength(2);
    expect(g.what_if.country.gain_pp).toBeGreaterThan(0);
    expect(g.what_if.country.terrestrial_pct).toBeCloseTo(4.1566, 3);

    const bad = await t.request('POST', '/v1/nature/gaps', {
      key: viewerKey,
      body: {
        country: 'KE',
        priority: {
          type: 'FeatureCollection',
          features: [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [1, 2] } }],
        },
      },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].pointer).toBe('/priority/features/0/geometry/type');
  });
});

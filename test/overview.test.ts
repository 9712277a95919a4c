import booleanIntersects from '@turf/boolean-intersects';
import type { Polygon } from 'geojson';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignalDraft } from '../src/detect/signal.ts';
import { insertSignals } from '../src/store/signal.repository.ts';
import { emptyThreadState } from '../src/warn/warning-thread.ts';
import { BACKENDS } from './support/test-database.ts';
import {
  type Fixture,
  fixtureSignal,
  registerFixture,
  startTestPlatform,
  type TestPlatform,
} from './support/test-platform.ts';

const DAY = 86_400_000;

const box = (w: number, s: number, e: number, n: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [w, s],
      [e, s],
      [e, n],
      [w, n],
      [w, s],
    ],
  ],
});

/** Every coordinate of a geometry, flattened. */
const numbersOf = (coordinates: unknown): number[] =>
  Array.isArray(coordinates)
    ? coordinates.flatMap(numbersOf)
    : typeof coordinates === 'number'
      ? [coordinates]
      : [];

describe.each(BACKENDS)('overview and maps on %s', (backend) => {
  let t: TestPlatform;
  let f: Fixture;
  let other: Fixture;
  let dhakaId = 0;
  let chattogramId = 0;
  const now = Date.now();

  async function area(
    key: string,
    kind: string,
    code: string,
    name: string,
    geometry: unknown,
    iso?: string,
  ) {
    const r = await t.request('POST', '/v1/areas', {
      key,
      body: {
        type: 'Feature',
        geometry,
        properties: { kind, code, name, ...(iso ? { iso_code: iso } : {}) },
      },
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json().id as number;
  }

  async function rule(definition: Record<string, unknown>) {
    const r = await t.request('POST', '/v1/rules', {
      key: f.key,
      body: {
        name: `rule ${Math.random()}`,
        definition: { kind: 'threshold', select: { series: f.seriesCode }, when: 'above', ...definition },
      },
    });
    expect(r.statusCode, r.body).toBe(201);
    return {
      origin: 'rule' as const,
      ruleId: r.json().id as number,
      ruleVersion: r.json().version as number,
    };
  }

  function signal(raisedBy: SignalDraft['raisedBy'], startMs: number): SignalDraft {
    return fixtureSignal(f, { raisedBy, startMs, details: {}, dedupeKey: `ov:${startMs}:${Math.random()}` });
  }

  beforeAll(async () => {
    t = await startTestPlatform(backend);
    f = await registerFixture(t, 'ov', 'BD');
    other = await registerFixture(t, 'ot', 'NP');
    // Registered before the signals, so the warnings are issued for the city around the station.
    dhakaId = await area(f.key, 'city', 'dhaka', 'Dhaka', box(90.3, 23.7, 90.46, 23.86), 'BD-13');
    chattogramId = await area(
      f.key,
      'city',
      'chattogram',
      'Chattogram',
      box(91.75, 22.3, 91.9, 22.4),
      'BD-10',
    );
    // Dhaka's millions raise a rule's level one step (exposure): Moderate is published as Severe.
    const air = await rule({
      level: 75,
      severity: 'Extreme',
      warning: { autoPublish: ['Severe', 'Extreme'] },
    });
    const fire = await rule({
      level: 200,
      severity: 'Moderate',
      warning: { hazard: 'waste_fire', autoPublish: ['Severe', 'Extreme'] },
    });
    // No autoPublish: the warning waits for an approver as a draft.
    const wild = await rule({ level: 300, severity: 'Moderate', warning: { hazard: 'wildfire' } });
    const db = t.platform.services.database.db;
    const ids = await insertSignals(db, [signal(air, now), signal(fire, now), signal(wild, now)]);
    await t.platform.services.warnings.process(ids, now);
    // An older signal, not warned on: it shows in the trend three days back.
    await insertSignals(db, [signal({ origin: 'detector', detector: 'ensemble' }, now - 3 * DAY)]);
  }, 60_000);
  afterAll(async () => t?.close());

  it('gives each relevant country and city its highest standing warning, counts per hazard and a 14-day trend', async () => {
    const r = await t.request('GET', '/v1/overview', { key: f.key });
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    const byCode = new Map(body.items.map((i: { code: string }) => [i.code, i]));
    expect([...byCode.keys()].sort()).toEqual(['BD', 'chattogram', 'dhaka']);
    const trend = Array(14).fill(0);
    trend[13] = 3;
    trend[10] = 1;
    for (const code of ['BD', 'dhaka']) {
      const item = byCode.get(code) as Record<string, unknown>;
      // The higher of the two standing warnings (Extreme over Severe); the draft is not standing.
      expect(item.highest).toMatchObject({ severity: 'Extreme', hazard: 'air_pollution' });
      expect(typeof (item.highest as { headline: unknown }).headline).toBe('string');
      expect(item.counts_by_hazard).toEqual({ air_pollution: 1, waste_fire: 1 });
      expect(item.trend).toEqual(trend);
    }
    expect(byCode.get('BD')).toMatchObject({ kind: 'country', name: 'Bangladesh' });
    expect(byCode.get('dhaka')).toMatchObject({ area_id: dhakaId, kind: 'city' });
    expect(byCode.get('chattogram')).toEqual({
      area_id: chattogramId,
      code: 'chattogram',
      name: 'Chattogram',
      kind: 'city',
      highest: null,
      counts_by_hazard: {},
      trend: Array(14).fill(0),
    });
    expect(body.trend_start).toBe(
      new Date(Math.floor(now / DAY) * DAY - 13 * DAY).toISOString().slice(0, 10),
    );

    const threads = (await t.request('GET', '/v1/warnings', { key: f.key })).json().items;
    const levels = Object.fromEntries(
      threads.map((w: { hazard: string; current: { severity: string } | null }) => [
        w.hazard,
        w.current?.severity ?? null,
      ]),
    );
    expect(levels).toEqual({ air_pollution: 'Extreme', waste_fire: 'Severe', wildfire: null });
    const extreme = threads.find((w: { hazard: string }) => w.hazard === 'air_pollution');
    expect((byCode.get('BD') as { highest: { thread_id: number } }).highest.thread_id).toBe(extreme.id);

    // Asked again, the published versions' contents come from the cache: the same answer.
    const again = (await t.request('GET', '/v1/overview', { key: f.key })).json();
    expect({ ...again, as_of: body.as_of }).toEqual(body);
  });

  it('shows another organisation its own areas and nothing of ours', async () => {
    const body = (await t.request('GET', '/v1/overview', { key: other.key })).json();
    // Nepal is its country; Bangladesh holds its station. Our cities are not its to see.
    expect(body.items.map((i: { code: string }) => i.code).sort()).toEqual(['BD', 'NP']);
    for (const item of body.items) {
      expect(item.highest).toBeNull();
      expect(item.counts_by_hazard).toEqual({});
      expect(item.trend).toEqual(Array(14).fill(0));
    }
    const map = await t.request('GET', '/v1/map/warnings?include=drafts', { key: other.key });
    expect(map.json()).toEqual({ type: 'FeatureCollection', features: [] });
  });

  it('maps standing warnings as GeoJSON with rounded coordinates, and drafts on request', async () => {
    const r = await t.request('GET', '/v1/map/warnings', { key: f.key });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/geo\+json/);
    const body = r.json();
    expect(body.type).toBe('FeatureCollection');
    expect(body.features.map((x: { properties: { hazard: string } }) => x.properties.hazard).sort()).toEqual([
      'air_pollution',
      'waste_fire',
    ]);
    for (const feature of body.features) {
      expect(feature.type).toBe('Feature');
      expect(['Polygon', 'MultiPolygon']).toContain(feature.geometry.type);
      for (const x of numbersOf(feature.geometry.coordinates)) expect(Math.round(x * 1e5) / 1e5).toBe(x);
      expect(Object.keys(feature.properties).sort()).toEqual(
        [
          'certainty',
          'expires',
          'headline',
          'hazard',
          'identifier',
          'sent',
          'severity',
          'status',
          'thread_id',
          'urgency',
        ].sort(),
      );
      expect(feature.properties.status).toBe('published');
      expect(Date.parse(feature.properties.expires)).toBeGreaterThan(now);
    }
    const withDrafts = (await t.request('GET', '/v1/map/warnings?include=drafts', { key: f.key })).json();
    const draft = withDrafts.features.find(
      (x: { properties: { status: string } }) => x.properties.status === 'draft',
    );
    expect(withDrafts.features).toHaveLength(3);
    expect(draft.properties).toMatchObject({ hazard: 'wildfire', severity: 'Severe', sent: null });
    expect((await t.request('GET', '/v1/map/warnings?include=everything', { key: f.key })).statusCode).toBe(
      400,
    );
  });

  it('gives the overview map lean, simplified features, and shows an approved draft as published', async () => {
    const lean = async () =>
      (
        await t.request('GET', '/v1/map/warnings?include=drafts&simplify=0.005&view=map', { key: f.key })
      ).json();
    const before = await lean();
    expect(before.features).toHaveLength(3);
    for (const feature of before.features) {
      expect(Object.keys(feature.properties).sort()).toEqual(['hazard', 'severity', 'status', 'thread_id']);
      for (const x of numbersOf(feature.geometry.coordinates)) expect(Math.round(x * 1e4) / 1e4).toBe(x);
    }
    const draft = before.features.find(
      (x: { properties: { status: string } }) => x.properties.status === 'draft',
    );
    await t.platform.services.warnings.approve(draft.properties.thread_id, 1, 'test approver', [f.orgId], {});
    const after = await lean();
    const same = after.features.filter(
      (x: { properties: { thread_id: number } }) => x.properties.thread_id === draft.properties.thread_id,
    );
    expect(same.map((x: { properties: { status: string } }) => x.properties.status)).toEqual(['published']);
  });

  it("maps the caller's stations with their health: ok, stale or fault", async () => {
    async function station(code: string, lon: number, value: number | null) {
      const s = await t.request('POST', '/v1/stations', {
        key: f.key,
        body: {
          source_id: f.sourceId,
          code,
          name: code,
          sense: 'ground_station',
          lon,
          lat: 23.8,
          expected_cadence_s: 60,
        },
      });
      expect(s.statusCode, s.body).toBe(201);
      const series = await t.request('POST', '/v1/series', {
        key: f.key,
        body: { station_id: s.json().id, variable: 'pm25' },
      });
      if (value !== null) {
        const ingest = await t.request('POST', '/v1/observations', {
          key: f.key,
          body: [{ series: series.json().code, time: new Date(Date.now() - 30_000).toISOString(), value }],
        });
        expect(ingest.statusCode, ingest.body).toBe(200);
      }
      return s.json().id as number;
    }
    const fresh = await station('fresh', 90.41, 40);
    const faulty = await station('faulty', 90.42, 2500);
    const r = await t.request('GET', '/v1/map/stations', { key: f.key });
    expect(r.statusCode, r.body).toBe(200);
    const byId = new Map(r.json().features.map((x: { id: number }) => [x.id, x]));
    expect(byId.size).toBe(3);
    expect(byId.get(f.stationId)).toMatchObject({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [90.3795, 23.7781] },
      properties: {
        id: f.stationId,
        name: 'Dhaka Agargaon',
        sense: 'ground_station',
        status: 'stale',
        last_observation_at: null,
      },
    });
    expect(byId.get(fresh)).toMatchObject({ properties: { status: 'ok' } });
    expect(byId.get(faulty)).toMatchObject({ properties: { status: 'fault' } });
    expect(
      Date.now() -
        Date.parse(
          (byId.get(fresh) as { properties: { last_observation_at: string } }).properties.last_observation_at,
        ),
    ).toBeLessThan(120_000);
    const theirs = (await t.request('GET', '/v1/map/stations', { key: other.key })).json().features;
    expect(theirs.map((x: { id: number }) => x.id)).toEqual([other.stationId]);
  });

  it('maps protected areas with their geometry as stored, to those who may see them', async () => {
    const geometry = box(89.0, 21.6, 89.9, 22.4);
    const id = await area(f.key, 'protected_area', 'sundarbans', 'Sundarbans', geometry);
    const mine = (await t.request('GET', '/v1/map/areas?kind=protected_area', { key: f.key })).json();
    expect(mine.features).toEqual([
      expect.objectContaining({
        type: 'Feature',
        id,
        geometry,
        properties: expect.objectContaining({
          kind: 'protected_area',
          code: 'sundarbans',
          name: 'Sundarbans',
        }),
      }),
    ]);
    const theirs = (await t.request('GET', '/v1/map/areas?kind=protected_area', { key: other.key })).json();
    expect(theirs.features).toEqual([]);
    const near = (
      await t.request('GET', '/v1/map/areas?kind=country&bbox=90,23,90.5,23.5', { key: f.key })
    ).json();
    expect(near.features.map((x: { properties: { code: string } }) => x.properties.code)).toContain('BD');
    expect((await t.request('GET', '/v1/map/areas?kind=volcano', { key: f.key })).statusCode).toBe(400);
    expect((await t.request('GET', '/v1/map/areas', { key: f.key })).statusCode).toBe(400);
  });

  it('maps 10 000 standing warnings in one query', async () => {
    const big = await registerFixture(t, 'big', 'BD');
    const db = t.platform.services.database.db;
    const state = JSON.stringify(emptyThreadState(now));
    const expires = new Date(now + DAY);
    // 10 000 threads, each with a published 33-point polygon, as the warning stage would store them.
    await sql`
      with shape as (
        select g, jsonb_build_object('type', 'Polygon', 'coordinates', jsonb_build_array(
                 (select jsonb_agg(jsonb_build_array(
                           88 + (g % 100) * 0.05 + 0.02 * cos(2 * pi() * (k % 32) / 32),
                           21 + (g / 100) * 0.05 + 0.02 * sin(2 * pi() * (k % 32) / 32)) order by k)
                  from generate_series(0, 32) k))) as geometry,
               88 + (g % 100) * 0.05 as lon, 21 + (g / 100) * 0.05 as lat
        from generate_series(1, 10000) g),
      thread as (
        insert into warning_thread (organisation_id, hazard, status, area_desc, area_ids, geometry,
                                    min_lon, min_lat, max_lon, max_lat, exposure, state, first_signal_at, last_signal_at)
        select ${big.orgId}, 'air_pollution', 'open', 'Place ' || g, '{}', geometry,
               lon - 0.02, lat - 0.02, lon + 0.02, lat + 0.02,
               '{"population": 0, "circle": null, "geocodes": []}'::jsonb, ${state}::jsonb, now(), now()
        from shape
        returning id, area_desc, geometry)
      insert into warning (thread_id, organisation_id, version, msg_type, status, identifier, hazard, severity,
                           urgency, certainty, content, expires_at, sent_at)
      select id, ${big.orgId}, 1, 'Alert', 'published', 'big-' || id, 'air_pollution',
             (array['Minor', 'Moderate', 'Severe', 'Extreme'])[1 + id % 4], 'Expected', 'Likely',
             jsonb_build_object('texts', jsonb_build_array(jsonb_build_object('language', 'en',
                                  'headline', 'Air pollution warning for ' || area_desc)),
                                'areaDesc', area_desc, 'geometry', geometry, 'geocodes', '[]'::jsonb),
             ${expires}, now()
      from thread`.execute(db);

    const started = performance.now();
    const r = await t.request('GET', '/v1/map/warnings', { key: big.key });
    const elapsedMs = performance.now() - started;
    expect(r.statusCode).toBe(200);
    const features = r.json().features;
    expect(features).toHaveLength(10_000);
    expect(features[0].geometry.coordinates[0]).toHaveLength(33);
    console.info(
      `GET /v1/map/warnings, 10 000 threads on ${backend}: ${elapsedMs.toFixed(0)} ms, ${(r.body.length / 1e6).toFixed(1)} MB`,
    );
    expect(elapsedMs).toBeLessThan(5000);
    // The overview relates the 10 000 areas to Bangladesh exactly: as turf's boolean intersection does.
    const o0 = performance.now();
    const overview = await t.request('GET', '/v1/overview', { key: big.key });
    const overviewMs = performance.now() - o0;
    const bangladesh = await db
      .selectFrom('area')
      .select('geometry')
      .where('kind', '=', 'country')
      .where('iso_code', '=', 'BD')
      .executeTakeFirstOrThrow();
    const stored = await sql<{ geometry: Polygon }>`
      select content->'geometry' as geometry from warning where organisation_id = ${big.orgId}`.execute(db);
    const inside = stored.rows.filter((w) => booleanIntersects(w.geometry, bangladesh.geometry)).length;
    expect(overview.json().items).toEqual([
      expect.objectContaining({ code: 'BD', counts_by_hazard: { air_pollution: inside } }),
    ]);
    expect(inside).toBeGreaterThan(1000);
    console.info(`GET /v1/overview, 10 000 threads on ${backend}: ${overviewMs.toFixed(0)} ms`);
  }, 60_000);
});

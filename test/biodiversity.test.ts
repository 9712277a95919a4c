/** Species and soil through HTTP on every backend: Darwin Core import, sensitive generalisation, trends and LPI, decline and degradation signals that become warnings, the black-soil report. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from './support/test-database.ts';
import {
  ADMIN_KEY,
  type Fixture,
  registerFixture,
  startTestPlatform,
  type TestPlatform,
} from './support/test-platform.ts';

const HEADER =
  'occurrenceID,scientificName,eventDate,decimalLatitude,decimalLongitude,individualCount,basisOfRecord,informationWithheld';

/** Tigers counted in two surveys a year, 120 → 84 over 2015–2020 (about −6.9 % a year); deer steady; one withheld pangolin. */
function goodCsv(): string {
  const tigers = [120, 110, 104, 96, 90, 84];
  const lines = [HEADER];
  tigers.forEach((n, i) => {
    const year = 2015 + i;
    lines.push(`tiger-${year}-a,Panthera tigris,${year}-02-10,21.95,89.18,${n / 2},HumanObservation,`);
    lines.push(
      `tiger-${year}-b,Panthera tigris,${year}-11-03T06:00:00+06:00,21.97,89.21,${n / 2},MachineObservation,`,
    );
    lines.push(`deer-${year},Axis axis,${year}-05-01/${year}-05-03,21.91,89.25,50,HumanObservation,`);
  });
  lines.push('pangolin-1,Manis javanica,2020-04-01,22.07,89.33,1,HumanObservation,coordinates withheld');
  // A specimen in a museum: stored, but not counted in population trends.
  lines.push('museum-1,Panthera tigris,1931-01-01,21.95,89.18,1,PreservedSpecimen,');
  return lines.join('\n');
}

describe.each(BACKENDS)('species and soil on %s', (backend) => {
  let t: TestPlatform;
  let a: Fixture;
  let sundarbansId: number;
  let viewerKey: string;

  beforeAll(async () => {
    t = await startTestPlatform(backend);
    a = await registerFixture(t, 'bdn', 'BD');
    const area = await t.request('POST', '/v1/areas', {
      key: a.key,
      body: {
        type: 'Feature',
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [88.8, 21.5],
              [89.8, 21.5],
              [89.8, 22.4],
              [88.8, 22.4],
              [88.8, 21.5],
            ],
          ],
        },
        properties: { kind: 'protected_area', code: 'sundarbans', name: 'Sundarbans' },
      },
    });
    expect(area.statusCode, area.body).toBe(201);
    sundarbansId = area.json().id;
    const viewer = await t.request('POST', '/v1/keys', {
      body: { name: 'viewer', role: 'viewer', organisation_id: a.orgId },
    });
    expect(viewer.statusCode, viewer.body).toBe(201);
    viewerKey = viewer.json().key;
  }, 120_000);
  afterAll(async () => t?.close());

  const occurrenceCount = async () =>
    Number(
      (
        await t.platform.services.database.db
          .selectFrom('occurrence')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  const importCsv = (body: string, key = a.key) =>
    t.request('POST', '/v1/biodiversity/occurrences', { key, body, contentType: 'text/csv' });

  it('refuses a batch with a bad row, naming its line and term, and stores nothing', async () => {
    const body = [
      HEADER,
      'ok-1,Panthera tigris,2015-02-10,21.95,89.18,3,HumanObservation,',
      'bad-1,Panthera tigris,2015-02-10,121.95,89.18,3,HumanObservation,',
    ].join('\n');
    const r = await importCsv(body);
    expect(r.statusCode, r.body).toBe(422);
    expect(r.json().code).toBe('EW4E_INVALID_ROWS');
    expect(r.json().errors).toEqual([
      {
        row: 1,
        line: 3,
        field: 'decimalLatitude',
        reason: 'decimalLatitude must be within [-90, 90], got 121.95',
      },
    ]);
    expect(await occurrenceCount()).toBe(0);
  });

  it('refuses a body that is not CSV, and a viewer', async () => {
    expect(
      (await t.request('POST', '/v1/biodiversity/occurrences', { key: a.key, body: [] })).statusCode,
    ).toBe(415);
    expect((await importCsv(goodCsv(), viewerKey)).statusCode).toBe(403);
  });

  it('imports a good batch, links points to the area holding them, and replaces on re-sending', async () => {
    const r = await importCsv(goodCsv());
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ accepted: 20 });
    expect((await importCsv(goodCsv())).json()).toEqual({ accepted: 20 });
    expect(await occurrenceCount()).toBe(20);
    const inArea = await t.request('GET', `/v1/biodiversity/occurrences?area_id=${sundarbansId}&limit=1000`, {
      key: a.key,
    });
    expect(inArea.json().features).toHaveLength(20);
  });

  it('generalises sensitive locations for everyone but the recording organisation', async () => {
    const listed = await t.request('PUT', '/v1/biodiversity/sensitive-species', {
      key: a.key,
      body: [{ scientific_name: 'Panthera tigris', sensitivity: 'highly_sensitive' }],
    });
    expect(listed.statusCode, listed.body).toBe(200);
    const point = async (key: string, id: string) => {
      const r = await t.request('GET', '/v1/biodiversity/occurrences?limit=1000', { key });
      expect(r.statusCode, r.body).toBe(200);
      const feature = r
        .json()
        .features.find((f: { properties: { occurrence_id: string } }) => f.properties.occurrence_id === id);
      return { coordinates: feature.geometry.coordinates, ...feature.properties };
    };
    // Own organisation, even a viewer: the exact point.
    expect(await point(viewerKey, 'tiger-2015-a')).toMatchObject({
      coordinates: [89.18, 21.95],
      generalised_deg: 0,
    });
    // Another organisation (the global administrator reads every organisation): cell centres only.
    expect(await point(ADMIN_KEY, 'tiger-2015-a')).toMatchObject({
      coordinates: [89.5, 21.5],
      sensitivity: 'highly_sensitive',
      generalised_deg: 1,
    });
    expect(await point(ADMIN_KEY, 'pangolin-1')).toMatchObject({
      coordinates: [89.35, 22.05],
      sensitivity: 'sensitive',
      generalised_deg: 0.1,
      locality: null,
    });
    expect(await point(ADMIN_KEY, 'deer-2015')).toMatchObject({
      coordinates: [89.25, 21.91],
      generalised_deg: 0,
    });
  });

  it('reports yearly counts per species in an area, their trends and a Living Planet Index', async () => {
    const r = await t.request('GET', `/v1/biodiversity/trends?area_id=${sundarbansId}&replicates=200`, {
      key: viewerKey,
    });
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    const tiger = body.populations.find((p: { species: string }) => p.species === 'Panthera tigris');
    expect(tiger).toMatchObject({
      area_id: sundarbansId,
      area_name: 'Sundarbans',
      years: [2015, 2016, 2017, 2018, 2019, 2020],
      counts: [120, 110, 104, 96, 90, 84],
      trend: { n: 6, direction: 'declining', significant_decline: true },
    });
    expect(tiger.trend.p_value).toBeCloseTo(0.0085, 4);
    expect(body.populations.map((p: { species: string }) => p.species)).toEqual([
      'Axis axis',
      'Manis javanica',
      'Panthera tigris',
    ]);
    // Tigers fall 84/120 = 0.7 over the years, deer stay, the pangolin has one year: I(2020) = √0.7.
    expect(body.lpi.years).toEqual([2015, 2016, 2017, 2018, 2019, 2020]);
    expect(body.lpi.index[5]).toBeCloseTo(Math.sqrt(0.7), 9);
    expect(body.lpi.lower[5]).toBeLessThanOrEqual(body.lpi.index[5]);
    expect(body.lpi.upper[5]).toBeGreaterThanOrEqual(body.lpi.index[5]);
    expect(
      (await t.request('GET', '/v1/biodiversity/trends?area_id=999999', { key: viewerKey })).statusCode,
    ).toBe(404);
  });

  it('turns a significant decline into a signal, and the signal into a species_decline warning', async () => {
    const r = await t.request('POST', '/v1/biodiversity/trends/evaluate', { key: a.key });
    expect(r.statusCode, r.body).toBe(200);
    const raised = r.json().signals as { id: number; area_id: number; sentence: string }[];
    const sundarbans = raised.filter((s) => s.area_id === sundarbansId);
    expect(sundarbans.map((s) => s.sentence)).toEqual([
      'Population of Panthera tigris in Sundarbans fell 6.9 % a year since 2015 (Mann-Kendall p = 0.0085)',
    ]);
    // Evaluating the same years again raises nothing new.
    expect(
      (await t.request('POST', '/v1/biodiversity/trends/evaluate', { key: a.key })).json().signals,
    ).toEqual([]);

    const warnings = t.platform.services.warnings;
    await warnings.idle();
    await warnings.process(
      raised.map((s) => s.id),
      Date.now(),
    );
    const db = t.platform.services.database.db;
    const threads = await db
      .selectFrom('warning_thread')
      .select(['id', 'hazard', 'area_ids'])
      .where('organisation_id', '=', a.orgId)
      .where('hazard', '=', 'species_decline')
      .execute();
    const thread = threads.find((th) => th.area_ids.includes(sundarbansId));
    expect(thread).toBeDefined();
    const versions = await db
      .selectFrom('warning')
      .select(['hazard', 'status'])
      .where('thread_id', '=', thread!.id)
      .execute();
    expect(versions.length).toBeGreaterThan(0);
    expect(versions[0]!.hazard).toBe('species_decline');
  });

  it('reports a soil site losing carbon in its black-soil belt, and warns of soil carbon loss', async () => {
    const station = await t.request('POST', '/v1/stations', {
      key: a.key,
      body: {
        source_id: a.sourceId,
        code: 'cn-harbin-plot',
        name: 'Harbin black soil plot',
        sense: 'ground_station',
        lon: 126.63,
        lat: 45.75,
        expected_cadence_s: 86_400,
      },
    });
    expect(station.statusCode, station.body).toBe(201);
    const series = await t.request('POST', '/v1/series', {
      key: a.key,
      body: { station_id: station.json().id, variable: 'soil_organic_carbon' },
    });
    expect(series.statusCode, series.body).toBe(201);
    const carbon = [28.4, 27.9, 27.1, 26.8, 26.0, 25.5];
    const csv = `series,time,value\n${carbon.map((v, i) => `${series.json().code},${2018 + i}-06-01T00:00:00Z,${v}`).join('\n')}`;
    const ingest = await t.request('POST', '/v1/observations', {
      key: a.key,
      body: csv,
      contentType: 'text/csv',
    });
    expect(ingest.statusCode, ingest.body).toBe(200);

    const report = await t.request('GET', '/v1/nature/soil/report', { key: viewerKey });
    expect(report.statusCode, report.body).toBe(200);
    const belt = report.json().belts[0];
    expect(belt.belt).toBe('northeast_china');
    expect(belt.sites[0]).toMatchObject({
      code: 'cn-harbin-plot',
      degrading: true,
      indicators: [
        {
          variable: 'soil_organic_carbon',
          unit: 'g/kg',
          latest_value: 25.5,
          latest_time: '2023-06-01T00:00:00.000Z',
          years: [2018, 2019, 2020, 2021, 2022, 2023],
          trend: { n: 6, direction: 'falling', degradation: true },
        },
      ],
    });
    expect(belt.sites[0].indicators[0].trend.slope_per_year).toBeCloseTo(-0.58, 2);

    const html = await t.request('GET', '/v1/nature/soil/report?format=html', { key: viewerKey });
    expect(html.statusCode).toBe(200);
    expect(String(html.headers['content-type'])).toContain('text/html');
    expect(html.body).toContain('Harbin black soil plot');
    expect(html.body).toContain('<svg');

    const evaluated = await t.request('POST', '/v1/nature/soil/evaluate', { key: a.key });
    expect(evaluated.statusCode, evaluated.body).toBe(200);
    const signals = evaluated.json().signals as { id: number; sentence: string }[];
    expect(signals.map((s) => s.sentence)).toEqual([
      'Soil organic carbon at Harbin black soil plot fell 0.58 g/kg a year since 2018 (Mann-Kendall p = 0.0085)',
    ]);
    await t.platform.services.warnings.idle();
    await t.platform.services.warnings.process(
      signals.map((s) => s.id),
      Date.now(),
    );
    const versions = await t.platform.services.database.db
      .selectFrom('warning')
      .select(['hazard', 'status'])
      .where('organisation_id', '=', a.orgId)
      .where('hazard', '=', 'soil_carbon_loss')
      .execute();
    expect(versions.length).toBeGreaterThan(0);
  });
});

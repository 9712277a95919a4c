/** The real `ew4e` command line in a child process, on every storage backend: import of observations and areas, keys. */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callerOfKey } from '../src/store/access.repository.ts';
import { type Database, openDatabase } from '../src/store/database.ts';
import { createOrganisation } from '../src/store/organisation.repository.ts';
import { createSeries, createSource, createStation } from '../src/store/station.repository.ts';
import { BACKENDS, freshDatabase, type TestDatabase } from './support/test-database.ts';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node bin/ew4e.mjs …args` against the database at `location` and collects what it prints. */
function ew4e(args: readonly string[], location: TestDatabase['location']): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent' };
  delete env.EW4E_ADMIN_KEY;
  if ('dataDir' in location) {
    env.EW4E_DATA_DIR = location.dataDir;
    delete env.DATABASE_URL;
  } else {
    env.DATABASE_URL = location.databaseUrl;
  }
  const child = spawn(process.execPath, ['bin/ew4e.mjs', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Opens the database the CLI wrote to, once the CLI has exited (one PGlite folder takes one process). */
async function withDatabase<T>(location: TestDatabase['location'], read: (database: Database) => Promise<T>) {
  const database = await openDatabase(location);
  try {
    return await read(database);
  } finally {
    await database.close();
  }
}

const DAY_MS = 86_400_000;

describe.each(BACKENDS)('ew4e CLI on %s', (backend) => {
  let testDatabase: TestDatabase | undefined;
  let dir: string;
  /** What beforeEach registered: an organisation with a source, a station and a PM2.5 series. */
  let org: { id: number; code: string };
  let series: { id: number; code: string };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ew4e-cli-'));
    testDatabase = await freshDatabase(backend);
    const db = testDatabase.database.db;
    const global = await db
      .selectFrom('organisation')
      .select('id')
      .where('kind', '=', 'global')
      .executeTakeFirstOrThrow();
    const organisation = await createOrganisation(db, {
      parentId: global.id,
      kind: 'country',
      code: 'bd-doe',
      name: 'Bangladesh Department of Environment',
      isoCode: 'BD',
    });
    const source = await createSource(db, organisation.id, {
      code: 'cams',
      name: 'CAMS network',
      provider: 'DoE',
      licence: 'CC-BY-4.0',
      provenance: 'continuous air monitoring stations',
    });
    const station = await createStation(db, organisation.id, {
      source_id: source.id,
      code: 'agargaon',
      name: 'Dhaka Agargaon',
      sense: 'ground_station',
      lon: 90.3795,
      lat: 23.7781,
      expected_cadence_s: 60,
    });
    const created = await createSeries(db, organisation.id, { station_id: station.id, variable: 'pm25' });
    org = { id: organisation.id, code: organisation.code };
    series = { id: created.id, code: created.code };
    // the CLI opens the database itself
    await testDatabase.database.close();
  });
  afterEach(async () => {
    await testDatabase?.dispose();
    testDatabase = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const BAD_SERIES_LINE = 5000;
  const BAD_VALUE_LINE = 9000;

  /** 12 000 observations, one a minute, with an unknown series on one line and text for a value on another. */
  async function observationsCsv(): Promise<string> {
    const t0 = Math.floor(Date.now() / DAY_MS - 20) * DAY_MS;
    const lines = ['series,time,value'];
    for (let i = 0; i < 12_000; i++) {
      const line = lines.length + 1;
      const time = new Date(t0 + i * 60_000).toISOString();
      const seriesCode = line === BAD_SERIES_LINE ? 'no-such-series' : series.code;
      const value = line === BAD_VALUE_LINE ? 'high' : String(20 + (i % 13));
      lines.push(`${seriesCode},${time},${value}`);
    }
    const file = path.join(dir, 'observations.csv');
    await writeFile(file, `${lines.join('\n')}\n`);
    return file;
  }

  async function storedObservations(): Promise<number> {
    return withDatabase(testDatabase!.location, async (database) => {
      const row = await database.db
        .selectFrom('observation')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('series_id', '=', series.id)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    });
  }

  it('imports observations in batches, keeping the valid rows and naming the bad ones', async () => {
    const file = await observationsCsv();
    const run = await ew4e(['import', file, '--org', org.code, '--batch', '5000'], testDatabase!.location);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain(`${file}: 11998 accepted, 2 rejected`);
    expect(run.stderr).toMatch(new RegExp(`line ${BAD_SERIES_LINE} series: .*no-such-series`));
    expect(run.stderr).toMatch(new RegExp(`line ${BAD_VALUE_LINE} value: `));
    expect(await storedObservations()).toBe(11_998);
  }, 180_000);

  it('with --strict, writes nothing when a row is bad', async () => {
    const file = await observationsCsv();
    const run = await ew4e(
      ['import', file, '--org', org.code, '--batch', '5000', '--strict'],
      testDatabase!.location,
    );
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain(`${file}: 0 accepted, 2 rejected`);
    expect(run.stderr).toMatch(new RegExp(`line ${BAD_SERIES_LINE} series`));
    expect(run.stderr).toMatch(new RegExp(`line ${BAD_VALUE_LINE} value`));
    expect(await storedObservations()).toBe(0);
  }, 180_000);

  it('imports protected areas from GeoJSON, naming the bad feature', async () => {
    const square = (lon: number, lat: number) => ({
      type: 'Polygon',
      coordinates: [
        [
          [lon, lat],
          [lon + 0.1, lat],
          [lon + 0.1, lat + 0.1],
          [lon, lat + 0.1],
          [lon, lat],
        ],
      ],
    });
    const collection = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          geometry: square(89.1, 21.9),
          properties: { name: 'Sundarbans East', WDPAID: 555_001, IUCN_CAT: 'IV' },
        },
        {
          type: 'Feature',
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [90, 95],
                [91, 23],
                [91, 24],
                [90, 95],
              ],
            ],
          },
          properties: { name: 'Swapped coordinates', WDPAID: 555_002 },
        },
        {
          type: 'Feature',
          // the Agargaon station lies inside this one
          geometry: square(90.33, 23.73),
          properties: { name: 'Dhaka Zoo buffer', WDPAID: 555_003 },
        },
      ],
    };
    const file = path.join(dir, 'areas.geojson');
    await writeFile(file, JSON.stringify(collection));
    const run = await ew4e(
      ['import', file, '--org', org.code, '--area-kind', 'protected_area'],
      testDatabase!.location,
    );
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain(`${file}: 2 accepted, 1 rejected`);
    expect(run.stderr).toContain('/features/1/geometry/coordinates/0/0/1');

    const areas = await withDatabase(testDatabase!.location, (database) =>
      database.db
        .selectFrom('area')
        .select(['id', 'kind', 'code', 'name', 'properties'])
        .where('organisation_id', '=', org.id)
        .orderBy('code')
        .execute(),
    );
    expect(areas.map((a) => ({ kind: a.kind, code: a.code, name: a.name }))).toEqual([
      { kind: 'protected_area', code: '555001', name: 'Sundarbans East' },
      { kind: 'protected_area', code: '555003', name: 'Dhaka Zoo buffer' },
    ]);
    expect(areas[0]?.properties).toMatchObject({ IUCN_CAT: 'IV' });
    const linked = await withDatabase(testDatabase!.location, (database) =>
      database.db
        .selectFrom('station_area')
        .select('area_id')
        .where(
          'area_id',
          'in',
          areas.map((a) => a.id),
        )
        .execute(),
    );
    expect(linked.map((l) => l.area_id)).toEqual([areas[1]?.id]);
  }, 120_000);

  it('rejects an area feature that is not an object by its pointer, instead of crashing', async () => {
    const collection = {
      type: 'FeatureCollection',
      features: [
        null,
        {
          type: 'Feature',
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [89, 22],
                [89.1, 22],
                [89.1, 22.1],
                [89, 22],
              ],
            ],
          },
          properties: { name: 'Tiny', WDPAID: 1 },
        },
      ],
    };
    const file = path.join(dir, 'areas.geojson');
    await writeFile(file, JSON.stringify(collection));
    const run = await ew4e(
      ['import', file, '--org', org.code, '--area-kind', 'protected_area'],
      testDatabase!.location,
    );
    expect(run.stderr).not.toContain('TypeError');
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain(`${file}: 1 accepted, 1 rejected`);
    expect(run.stderr).toMatch(/\/features\/0\b/);
  }, 120_000);

  it('creates a viewer key that then authenticates', async () => {
    const run = await ew4e(['keys', 'create', '--org', org.code, '--role', 'viewer'], testDatabase!.location);
    expect(run.code, run.stderr).toBe(0);
    const key = run.stdout.trim();
    expect(key).not.toContain('\n');
    expect(key.length).toBeGreaterThanOrEqual(20);
    const caller = await withDatabase(testDatabase!.location, (database) => callerOfKey(database.db, key));
    expect(caller).toMatchObject({ organisationId: org.id, role: 'viewer' });
    expect(caller?.readableOrganisationIds).toContain(org.id);
    const unknown = await ew4e(['keys', 'create', '--org', 'no-such-org'], testDatabase!.location);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
  }, 120_000);
});

/**
 * 30x30 coverage agrees with PostGIS within 0.1 % (issue 7): 10⁴ overlapping protected areas over Bangladesh, Kenya
 * and Brazil, cleaned by our code; ours (Clipper union, GeographicLib area) against PostGIS
 * ST_Area(ST_Union(ST_Intersection(pa.geom, country.geom))::geography) on the same polygons, per country.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  coverageLayer,
  coverageWorld,
  ourCoverage,
  postgisCoverage,
  withScratchClient,
} from '../bench/coverage.ts';
import { POSTGRES_ADMIN_URL } from './support/test-database.ts';

async function postgisAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    const found = await client.query("select 1 from pg_available_extensions where name = 'postgis'");
    return found.rowCount === 1;
  } finally {
    await client.end();
  }
}

const available = await postgisAvailable();
if (!available) {
  console.warn(
    'nature-coverage-postgis: skipped — the PostGIS extension is not installed on the test PostgreSQL (apt: postgresql-15-postgis-3)',
  );
}

describe.skipIf(!available)('coverage of 10⁴ overlapping protected areas against PostGIS', () => {
  it('agrees within 0.1 % per country', { timeout: 180_000 }, async () => {
    const world = coverageWorld();
    const sites = coverageLayer(world, 10_000, 30);
    expect(sites.length).toBe(10_000);
    const ours = ourCoverage(world, sites);
    const theirs = await withScratchClient(POSTGRES_ADMIN_URL, (client) =>
      postgisCoverage(client, world, sites),
    );
    for (const [i, mine] of ours.entries()) {
      const postgis = theirs[i]!;
      expect(mine.code).toBe(postgis.code);
      // A layer that covered nothing (or everything) would agree trivially.
      expect(postgis.km2).toBeGreaterThan(1000);
      expect(
        Math.abs(mine.km2 - postgis.km2) / postgis.km2,
        `${mine.code}: ours ${mine.km2} km², PostGIS ${postgis.km2} km²`,
      ).toBeLessThan(1e-3);
    }
  });
});

/**
 * @module Protected-area coverage beside PostGIS: a layer of 10⁴ overlapping sites (geodesic circles of point-only
 * sites and irregular polygons, some coastal) over Bangladesh, Kenya and Brazil, cleaned by our code; then per country
 * our Clipper union + GeographicLib area against PostGIS
 * `ST_Area(ST_Union(ST_Intersection(pa.geom, country.geom))::geography)` on the same cleaned polygons.
 * test/nature-coverage-postgis.test.ts runs the same comparison and holds it to 0.1 %.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import { containsPoint } from '../src/geo/area-membership.ts';
import { type Country, naturalEarthCountries } from '../src/geo/natural-earth-countries.ts';
import { coveredKm2 } from '../src/nature/coverage.ts';
import { overlay, regionBBox, regionOf } from '../src/nature/coverage-clipper.ts';
import { type CleanSite, cleanSites } from '../src/nature/protected-area-cleaning.ts';
import { type Land, landOf } from '../src/nature/protected-area-land.ts';
import type { WdpaSite } from '../src/nature/wdpa-record.ts';
import { type Bench, benchResult } from './bench.ts';
import { withScratchDatabase } from './scratch-database.ts';

export const COVERAGE_COUNTRIES = ['BD', 'KE', 'BR'] as const;
const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** mulberry32: a small seeded generator, so that every run builds the same layer. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface CoverageWorld {
  readonly countries: Country[];
  readonly land: Land;
}

/** The three countries and the world's land (all Natural Earth countries, tiled). */
export function coverageWorld(): CoverageWorld {
  const all = naturalEarthCountries();
  const countries = COVERAGE_COUNTRIES.map((code) => all.find((c) => c.code === code)!);
  return { countries, land: landOf(all.map((c) => c.geometry)) };
}

/** An irregular star-shaped polygon of about `areaKm2` around (lon, lat), on the local plane. */
function irregularPolygon(random: () => number, lon: number, lat: number, areaKm2: number): Polygon {
  const vertices = 6 + Math.floor(random() * 20);
  const meanRadiusKm = Math.sqrt(areaKm2 / Math.PI);
  const kmPerDegLat = 111.32;
  const kmPerDegLon = kmPerDegLat * Math.cos((lat * Math.PI) / 180);
  const ring: Position[] = [];
  for (let k = 0; k < vertices; k++) {
    const angle = (2 * Math.PI * k) / vertices;
    const r = meanRadiusKm * (0.5 + random());
    ring.push([lon + (r * Math.cos(angle)) / kmPerDegLon, lat + (r * Math.sin(angle)) / kmPerDegLat]);
  }
  ring.push(ring[0]!);
  return { type: 'Polygon', coordinates: [ring] };
}

/**
 * `n` WDPA-shaped sites spread evenly over the countries: 40 % point-only (circles of their REP_AREA), 60 %
 * irregular polygons; sizes log-uniform from 0.5 km² to 0.05 % of the country; one in ten coastal (MARINE 1), so that the
 * land/sea clip is exercised. Cleaned with our code: these are the polygons both sides measure.
 */
export function coverageLayer(world: CoverageWorld, n: number, seed: number): CleanSite[] {
  const random = seeded(seed);
  const sites: WdpaSite[] = [];
  for (let i = 0; i < n; i++) {
    const country = world.countries[i % world.countries.length]!;
    const region = regionOf(country.geometry);
    const [minLon, minLat, maxLon, maxLat] = regionBBox(region)!;
    let lon = 0;
    let lat = 0;
    do {
      lon = minLon + random() * (maxLon - minLon);
      lat = minLat + random() * (maxLat - minLat);
    } while (!containsPoint(country.geometry, lon, lat));
    const countryKm2 = country.code === 'BR' ? 8.5e6 : country.code === 'KE' ? 5.8e5 : 1.4e5;
    const areaKm2 = Math.exp(Math.log(0.5) + random() * (Math.log(countryKm2 / 2000) - Math.log(0.5)));
    const point = random() < 0.4;
    sites.push({
      row: i,
      wdpaId: i + 1,
      wdpaPid: String(i + 1),
      name: `Synthetic site ${i + 1}`,
      desig: 'National Park',
      iucnCat: 'II',
      status: 'Designated',
      statusYr: 1950 + Math.floor(random() * 75),
      marine: random() < 0.1 ? 1 : 0,
      repArea: areaKm2,
      gisArea: null,
      iso3: country.isoAlpha3,
      geometry: point
        ? { type: 'Point', coordinates: [lon, lat] }
        : irregularPolygon(random, lon, lat, areaKm2),
    });
  }
  return cleanSites(sites, world.land).cleaned;
}

export interface CountryResult {
  readonly code: string;
  readonly km2: number;
  readonly ms: number;
}

function overlaps(a: readonly number[], b: readonly number[]): boolean {
  return a[0]! <= b[2]! && a[2]! >= b[0]! && a[1]! <= b[3]! && a[3]! >= b[1]!;
}

/** Ours: the sites whose box meets the country's, their land parts unioned and intersected with it in one pass. */
export function ourCoverage(world: CoverageWorld, sites: readonly CleanSite[]): CountryResult[] {
  return world.countries.map((country) => {
    const started = performance.now();
    const region = overlay('union', regionOf(country.geometry));
    const box = regionBBox(region)!;
    const parts = sites
      .filter((s) => s.onLand !== null && overlaps(s.bbox, box))
      .flatMap((s) => regionOf(s.onLand!));
    const km2 = coveredKm2(parts, region);
    return { code: country.code, km2, ms: performance.now() - started };
  });
}

function geoJsonOf(geometry: Polygon | MultiPolygon): string {
  return JSON.stringify(geometry);
}

/** Loads the countries and the sites' land parts into a scratch PostGIS database and asks it the same question. */
export async function postgisCoverage(
  client: pg.Client,
  world: CoverageWorld,
  sites: readonly CleanSite[],
  log: (line: string) => void = () => undefined,
): Promise<CountryResult[]> {
  await client.query('create extension if not exists postgis');
  await client.query('set jit = off');
  await client.query('create table country (code text primary key, geom geometry(MultiPolygon, 4326))');
  for (const c of world.countries) {
    await client.query(
      'insert into country values ($1, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($2), 4326)))',
      [c.code, geoJsonOf(c.geometry)],
    );
  }
  await client.query('create unlogged table staging (id integer, geojson text)');
  const started = performance.now();
  await pipeline(
    Readable.from(
      (function* () {
        for (const [i, s] of sites.entries()) if (s.onLand) yield `${i}\t${geoJsonOf(s.onLand)}\n`;
      })(),
    ),
    client.query(copyFromStdin('copy staging from stdin')),
  );
  await client.query(
    'create table protected_area as select id, ST_SetSRID(ST_GeomFromGeoJSON(geojson), 4326)::geometry(MultiPolygon, 4326) as geom from staging',
  );
  await client.query('create index on protected_area using gist (geom)');
  await client.query('analyze protected_area');
  log(
    `postgis: ${sites.length} sites loaded and indexed in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const results: CountryResult[] = [];
  for (const c of world.countries) {
    const t0 = performance.now();
    const row = await client.query<{ km2: number }>(
      `select ST_Area(ST_Union(ST_Intersection(pa.geom, c.geom))::geography) / 1e6 as km2
         from country c join protected_area pa on ST_Intersects(pa.geom, c.geom)
        where c.code = $1`,
      [c.code],
    );
    results.push({ code: c.code, km2: Number(row.rows[0]?.km2 ?? 0), ms: performance.now() - t0 });
  }
  return results;
}

/** Runs `use` on a client of a scratch database on the PostgreSQL server of `url`, dropped afterwards. */
export async function withScratchClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  return withScratchDatabase('postgres', url, async ({ databaseUrl }) => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return await use(client);
    } finally {
      await client.end();
    }
  });
}

export const coverageBench: Bench = {
  name: 'coverage',
  summary:
    '30x30 coverage of 10⁴ overlapping protected areas over three countries, beside PostGIS (--sites, --seed)',
  async run(context) {
    const { values: options } = parseArgs({
      args: [...context.args],
      options: {
        sites: { type: 'string', default: '10000' },
        seed: { type: 'string', default: '30' },
        'postgres-url': { type: 'string', default: context.env.EW4E_BENCH_POSTGRES_URL ?? POSTGRES_URL },
      },
    });
    const n = Number(options.sites);
    let started = performance.now();
    const world = coverageWorld();
    context.log(
      `land: ${world.land.parts.length} polygons in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    started = performance.now();
    const sites = coverageLayer(world, n, Number(options.seed));
    context.log(
      `${sites.length} of ${n} sites cleaned (circles, land/sea clip) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    const ours = ourCoverage(world, sites);
    const theirs = await withScratchClient(options['postgres-url'], (client) =>
      postgisCoverage(client, world, sites, context.log),
    );
    let largest = 0;
    for (const [i, mine] of ours.entries()) {
      const postgis = theirs[i]!;
      const difference = Math.abs(mine.km2 - postgis.km2) / postgis.km2;
      largest = Math.max(largest, difference);
      context.log(
        `${mine.code}: ours ${mine.km2.toFixed(1)} km² in ${(mine.ms / 1000).toFixed(2)} s, PostGIS ${postgis.km2.toFixed(1)} km² in ` +
          `${(postgis.ms / 1000).toFixed(2)} s; relative difference ${difference.toExponential(2)}`,
      );
      context.report({
        ...benchResult({
          bench: 'coverage',
          case: `${mine.code} ${sites.length} sites`,
          value: mine.ms,
          unit: 'ms',
          yardstick: postgis.ms,
          better: 'lower',
        }),
        ...{
          ours_km2: Number(mine.km2.toFixed(3)),
          postgis_km2: Number(postgis.km2.toFixed(3)),
          relative_difference: difference,
        },
      });
    }
    const oursMs = ours.reduce((t, r) => t + r.ms, 0);
    const theirsMs = theirs.reduce((t, r) => t + r.ms, 0);
    context.report({
      ...benchResult({
        bench: 'coverage',
        case: `all ${COVERAGE_COUNTRIES.length} countries ${sites.length} sites`,
        value: oursMs,
        unit: 'ms',
        yardstick: theirsMs,
        better: 'lower',
      }),
      ...{ largest_relative_difference: largest },
    });
    context.log(`largest relative difference ${largest.toExponential(2)} (must stay under 1e-3)`);
  },
};

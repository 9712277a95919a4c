/**
 * @module The map of a printed bulletin: the warning area over country outlines, in an equirectangular
 * projection (Snyder, "Map Projections: A Working Manual", USGS PP 1395, 1987, §12) whose standard parallel
 * is the middle of the view, so the scale is true there in both directions. Areas cut at ±180° (RFC 7946
 * §3.1.9) are put back together by choosing the view that leaves the widest gap of longitude out.
 */
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { naturalEarthCountries } from '../../geo/natural-earth-countries.ts';

/** A rectangle on the page, in PDF points from the top left. */
export interface PageBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The part of the Earth a map shows; `east` may exceed 180 when the view crosses the antimeridian. */
export interface MapView {
  readonly west: number;
  readonly east: number;
  readonly south: number;
  readonly north: number;
  /** Points per degree of latitude (and of longitude times cos φ₀). */
  readonly pointsPerDegree: number;
  /** The standard parallel φ₀, in degrees. */
  readonly standardParallel: number;
  readonly box: PageBox;
}

type Ring = readonly Position[];
type Rings = readonly Ring[];

/** Mean Earth radius (IUGG, 6371.0088 km) × π/180: kilometres in one degree of a great circle. */
export const KM_PER_DEGREE = (6371.0088 * Math.PI) / 180;
const POINTS_PER_CM = 72 / 2.54;

export function polygonsOf(geometry: Polygon | MultiPolygon): Rings[] {
  return geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
}

function lonRange(ring: Ring): [number, number] {
  let west = Infinity;
  let east = -Infinity;
  for (const [lon = 0] of ring) {
    west = Math.min(west, lon);
    east = Math.max(east, lon);
  }
  return [west, east];
}

/**
 * The narrowest span of longitude holding every polygon: the complement of the widest gap between them
 * on the circle. Fiji's [177, 180] and [−180, −178] give [177, 182], not [−180, 180].
 */
export function longitudeSpan(polygons: readonly Rings[]): [number, number] {
  const intervals = polygons
    .map((rings) => lonRange(rings[0] ?? []))
    .filter(([west, east]) => Number.isFinite(west) && Number.isFinite(east))
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [west, east] of intervals) {
    const last = merged.at(-1);
    if (last !== undefined && west <= last[1]) last[1] = Math.max(last[1], east);
    else merged.push([west, east]);
  }
  const first = merged[0];
  const last = merged.at(-1);
  if (first === undefined || last === undefined) return [-180, 180];
  // The gap that wraps round from the last interval to the first is the default.
  let widestGap = first[0] + 360 - last[1];
  let span: [number, number] = [first[0], last[1]];
  for (let i = 0; i + 1 < merged.length; i++) {
    const here = merged[i];
    const next = merged[i + 1];
    if (here === undefined || next === undefined) continue;
    const gap = next[0] - here[1];
    if (gap > widestGap) {
      widestGap = gap;
      span = [next[0], here[1] + 360];
    }
  }
  return span;
}

/** Shifts a longitude by whole turns into [west, west + 360). */
function unwrap(lon: number, west: number): number {
  let out = lon;
  while (out < west - 1e-9) out += 360;
  while (out >= west + 360 - 1e-9 && out - 360 >= west - 1e-9) out -= 360;
  return out;
}

/** The view of an area on a box: its bounds plus a margin, widened to the box's shape. */
export function mapViewFor(geometry: Polygon | MultiPolygon, box: PageBox): MapView {
  const polygons = polygonsOf(geometry);
  const [spanWest, spanEast] = longitudeSpan(polygons);
  let south = Infinity;
  let north = -Infinity;
  for (const rings of polygons) {
    for (const [, lat = 0] of rings[0] ?? []) {
      south = Math.min(south, lat);
      north = Math.max(north, lat);
    }
  }
  if (!Number.isFinite(south)) [south, north] = [-60, 80];
  const standardParallel = Math.max(-80, Math.min(80, (south + north) / 2));
  // Below cos 80° the projection stretches longitude beyond use; polar areas get that cap.
  const cos = Math.max(Math.cos((standardParallel * Math.PI) / 180), Math.cos((80 * Math.PI) / 180));
  // Margin: a quarter of the larger side, at least 0.2° (≈ 22 km) so a small area shows its surroundings.
  const sideDeg = Math.max((spanEast - spanWest) * cos, north - south);
  const margin = Math.max(sideDeg * 0.25, 0.2);
  let west = spanWest - margin / cos;
  let east = spanEast + margin / cos;
  south = Math.max(-90, south - margin);
  north = Math.min(90, north + margin);
  // Widen the short side so the map fills the box with a uniform scale.
  const widthDeg = (east - west) * cos;
  const heightDeg = north - south;
  const boxAspect = box.width / box.height;
  if (widthDeg / heightDeg > boxAspect) {
    const extra = (widthDeg / boxAspect - heightDeg) / 2;
    south -= extra;
    north += extra;
  } else {
    const extra = (heightDeg * boxAspect - widthDeg) / 2 / cos;
    west -= extra;
    east += extra;
  }
  if (east - west > 360) {
    const middle = (west + east) / 2;
    west = middle - 180;
    east = middle + 180;
  }
  return {
    west,
    east,
    south,
    north,
    pointsPerDegree: box.width / ((east - west) * cos),
    standardParallel,
    box,
  };
}

/** Page coordinates of a longitude/latitude (the longitude already unwrapped to the view). */
export function project(view: MapView, lon: number, lat: number): [number, number] {
  const cos = Math.max(Math.cos((view.standardParallel * Math.PI) / 180), Math.cos((80 * Math.PI) / 180));
  return [
    view.box.x + (lon - view.west) * cos * view.pointsPerDegree,
    view.box.y + (view.north - lat) * view.pointsPerDegree,
  ];
}

/** Kilometres on the ground for one centimetre on paper, along the standard parallel. */
export function kmPerCm(view: MapView): number {
  return (POINTS_PER_CM / view.pointsPerDegree) * KM_PER_DEGREE;
}

/** A round length for a scale bar (1, 2 or 5 × 10ⁿ km) no longer than `maxPoints` on paper. */
export function scaleBar(view: MapView, maxPoints: number): { km: number; points: number } {
  const pointsPerKm = view.pointsPerDegree / KM_PER_DEGREE;
  const maxKm = maxPoints / pointsPerKm;
  const power = 10 ** Math.floor(Math.log10(maxKm));
  const km = [5, 2, 1].map((step) => step * power).find((length) => length <= maxKm) ?? power;
  return { km, points: km * pointsPerKm };
}

interface CountryOutline {
  readonly code: string;
  /** Each polygon with its longitude range, for a quick test against the view. */
  readonly polygons: readonly {
    readonly rings: Rings;
    readonly west: number;
    readonly east: number;
    readonly south: number;
    readonly north: number;
  }[];
}

let outlines: CountryOutline[] | undefined;

/** Natural Earth's countries, read once (the TopoJSON takes a few hundred milliseconds to decode). */
function countryOutlines(): CountryOutline[] {
  outlines ??= naturalEarthCountries().map((country) => ({
    code: country.code,
    polygons: polygonsOf(country.geometry).map((rings) => {
      const [west, east] = lonRange(rings[0] ?? []);
      let south = Infinity;
      let north = -Infinity;
      for (const [, lat = 0] of rings[0] ?? []) {
        south = Math.min(south, lat);
        north = Math.max(north, lat);
      }
      return { rings, west, east, south, north };
    }),
  }));
  return outlines;
}

/** What a map draws, in page coordinates: ready for any vector back end (PDF here). */
export interface MapDrawing {
  readonly view: MapView;
  /** Every country in view; `touched` ones (the warning's countries) are drawn darker. */
  readonly countries: readonly {
    readonly code: string;
    readonly touched: boolean;
    readonly rings: [number, number][][];
  }[];
  readonly area: readonly [number, number][][];
}

/** Points closer than this on paper are one point: 1:50m outlines carry far more detail than print shows. */
const MIN_STEP_POINTS = 0.4;

function projectRing(view: MapView, ring: Ring, shift: number): [number, number][] {
  const out: [number, number][] = [];
  for (const [lon = 0, lat = 0] of ring) {
    const point = project(view, lon + shift, lat);
    const last = out.at(-1);
    if (
      last === undefined ||
      Math.abs(point[0] - last[0]) + Math.abs(point[1] - last[1]) >= MIN_STEP_POINTS
    ) {
      out.push(point);
    }
  }
  return out;
}

/** The area and the countries around it, projected onto `box`. */
export function mapDrawing(
  geometry: Polygon | MultiPolygon,
  touchedCountries: readonly string[],
  box: PageBox,
): MapDrawing {
  const view = mapViewFor(geometry, box);
  const area = polygonsOf(geometry).flatMap((rings) =>
    rings.map((ring) => {
      // Each area polygon is unwrapped as a whole, so a ring never jumps across the map.
      const [west] = lonRange(rings[0] ?? []);
      return projectRing(view, ring, unwrap(west, view.west) - west);
    }),
  );
  const touched = new Set(touchedCountries.map((code) => code.toUpperCase()));
  const countries: { code: string; touched: boolean; rings: [number, number][][] }[] = [];
  for (const country of countryOutlines()) {
    const rings: [number, number][][] = [];
    for (const polygon of country.polygons) {
      if (polygon.north < view.south || polygon.south > view.north) continue;
      // A polygon may show once, or twice in a view wider than the gap to its copy a turn away.
      for (const shift of [-360, 0, 360]) {
        if (polygon.east + shift < view.west || polygon.west + shift > view.east) continue;
        for (const ring of polygon.rings) rings.push(projectRing(view, ring, shift));
      }
    }
    if (rings.length > 0) countries.push({ code: country.code, touched: touched.has(country.code), rings });
  }
  return { view, countries, area };
}

/**
 * @module Which subscriptions a warning reaches: subscription areas (polygons, circles, points) in a flatbush
 * index over their bounding boxes, then an exact test of each candidate against the warning's area.
 *
 * What "reaches" means — the answers are those of PostGIS, which `npm run bench -- match` checks on 10⁶
 * subscriptions:
 *
 * - Polygons and points live on the plane of longitude and latitude, their edges straight in it (RFC 7946;
 *   PostGIS `geometry` with SRID 4326). A polygon crossing ±180° is cut there first (RFC 7946 §3.1.9), so no
 *   edge crosses the plane's seam. Longitudes 180 and −180 are one meridian: a warning's part touching one is
 *   also tried, shifted by 360°, against the other. Two areas match when they share at least one point:
 *   touching boundaries count, a point or polygon inside a hole does not (PostGIS `ST_Intersects`).
 * - A circle is a spherical cap: the points whose great-circle distance from the centre is at most the
 *   radius, on the sphere of radius EARTH_RADIUS_KM (PostGIS `geography` with `use_spheroid => false`).
 *   Circle and point: distance ≤ radius. Two circles: distance between the centres ≤ the sum of the radii.
 *   Circle and polygon: the polygon contains the centre, or its boundary (holes included) comes within the
 *   radius of the centre.
 * - That boundary distance is computed on the sphere, exactly, to great-circle arcs between the polygon's
 *   vertices after every edge longer than DENSIFY_DEGREES has been split into equal pieces (PostGIS's
 *   `ST_Segmentize`, same arithmetic). A great-circle arc of at most 0.05° strays at most 0.61 m from the
 *   straight longitude/latitude edge it stands for (worst case, diagonal edges near the poles; 0.53 m up to
 *   60°), so the distance is the distance to the polygon as drawn to within 0.61 m (0.06 % of the smallest
 *   1 km radius). We chose the sphere over a local projection because
 *   its point-to-arc distance is exact at every size and latitude and needs no projection per circle; the
 *   ellipsoid's geodesic distance differs from the sphere's by up to 0.5 %, which CAP's km radii do not resolve.
 *
 * The exact tests are written here rather than taken from turf, because turf dominated the profile: against
 * Natural Earth's Bangladesh (7 parts, 384 vertices), turf's booleanPointInPolygon took ≈ 1.7 µs a point where
 * the whole of `matching` here takes 0.7 µs a point (index search included; ray casting over horizontal slabs
 * of edges), and booleanIntersects ≈ 200 µs a small polygon (it intersects every pair of segments and builds
 * GeoJSON features on each call) against 2 µs. Matching is the hot loop of dissemination.
 * Orientation tests use floating point, not exact predicates: answers can differ from GEOS's only for
 * positions within about 1e-12° of another area's boundary.
 */
import Flatbush from 'flatbush';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { cutAtAntimeridian } from '../../geo/antimeridian.ts';

export type SubscriptionArea =
  /** Known areas (a country, a city, a protected area) arrive here resolved to their geometry. */
  | { readonly kind: 'polygon'; readonly geometry: Polygon | MultiPolygon }
  | { readonly kind: 'circle'; readonly lon: number; readonly lat: number; readonly radiusKm: number }
  | { readonly kind: 'point'; readonly lon: number; readonly lat: number };

/** A CAP circle (CAP 1.2 §3.2.4: a centre and a radius in km). */
export interface CircleArea {
  readonly kind: 'circle';
  readonly lon: number;
  readonly lat: number;
  readonly radiusKm: number;
}

export type WarningArea = Polygon | MultiPolygon | CircleArea;

export interface IndexedSubscription {
  readonly id: number;
  readonly area: SubscriptionArea;
}

export interface SubscriptionIndex {
  /** How many subscriptions were indexed. */
  readonly size: number;
  /** The ids of the subscriptions whose area shares at least one point with the warning's, ascending, each once. */
  matching(warningArea: WarningArea): number[];
}

/** WGS 84's semi-axes (m); the sphere is the one PostGIS geography uses without the spheroid: R = (2a + b) / 3. */
const WGS84_A = 6378137;
const WGS84_B = WGS84_A - WGS84_A / 298.257223563;
const EARTH_RADIUS_M = (2 * WGS84_A + WGS84_B) / 3;
export const EARTH_RADIUS_KM = EARTH_RADIUS_M / 1000;

/** Longest edge, in degrees on the plane, that circle distances follow as one great-circle arc. */
export const DENSIFY_DEGREES = 0.05;

/**
 * How far (degrees of latitude) a great-circle arc between two points at most DENSIFY_DEGREES apart may bulge
 * past the latitudes of its ends: tan φ = tan φm·cos(λ − λ0) gives at most (1 − cos Δλ) / (2 cos Δλ) radians,
 * 1.1e-5° for Δλ = 0.05°. Boxes are widened by this (rounded up) so that circles touching only the bulge are
 * still candidates.
 */
const ARC_BULGE_DEGREES = 1e-4;

/** Widening of circle boxes against rounding, ≈ 1 cm. */
const BOX_MARGIN_DEGREES = 1e-7;

/** Edges per polygon part above which the part gets a slab index for its point and edge tests. */
const SLAB_THRESHOLD = 24;
/** Arcs per warning above which circles look for nearby arcs through a flatbush index. */
const ARC_TREE_THRESHOLD = 64;

const RAD = Math.PI / 180;

const POINT = 0;
const CIRCLE = 1;
const POLYGON = 2;

// ---------------------------------------------------------------------------------------------------------------
// Polygons on the plane, stored flat: a million subscriptions are a few typed arrays, not millions of objects
// (which cost as much in cache misses and garbage collection as the tests themselves).

/**
 * Polygons cut at ±180°. Polygon p's rings are rings polygonRing[p] … polygonRing[p + 1] − 1, the exterior
 * first; ring r's closed coordinates are coords[ringStart[r]] … coords[ringStart[r + 1] − 1], as x, y pairs.
 * boxes holds minX, minY, maxX, maxY per polygon (the exterior's, which bounds the holes).
 */
interface Polygons {
  readonly coords: Float64Array;
  readonly ringStart: Int32Array;
  readonly polygonRing: Int32Array;
  readonly boxes: Float64Array;
}

class Float64List {
  array = new Float64Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.array.length) {
      const grown = new Float64Array(this.length * 2);
      grown.set(this.array);
      this.array = grown;
    }
    this.array[this.length++] = value;
  }
  finish(): Float64Array {
    return this.array.slice(0, this.length);
  }
}

class Int32List {
  array = new Int32Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.array.length) {
      const grown = new Int32Array(this.length * 2);
      grown.set(this.array);
      this.array = grown;
    }
    this.array[this.length++] = value;
  }
  finish(): Int32Array {
    return this.array.slice(0, this.length);
  }
}

class PolygonsBuilder {
  private readonly coords = new Float64List();
  private readonly ringStart = new Int32List();
  private readonly polygonRing = new Int32List();
  private readonly boxes = new Float64List();
  count = 0;

  constructor() {
    this.ringStart.push(0);
    this.polygonRing.push(0);
  }

  /** Adds the polygons of a geometry, cut at ±180°; returns how many were added. */
  addGeometry(geometry: Polygon | MultiPolygon): number {
    const cut = cutAtAntimeridian(geometry);
    const polygons = cut.type === 'Polygon' ? [cut.coordinates] : cut.coordinates;
    let added = 0;
    for (const rings of polygons) {
      const exterior = rings[0];
      if (exterior === undefined || exterior.length === 0) continue;
      for (const ring of rings) this.addRing(ring);
      this.closePolygon();
      added++;
    }
    return added;
  }

  /** Adds polygon p of `from`, every x moved by `shift`. */
  addShifted(from: Polygons, p: number, shift: number): void {
    for (let r = from.polygonRing[p]!; r < from.polygonRing[p + 1]!; r++) {
      for (let i = from.ringStart[r]!; i < from.ringStart[r + 1]!; i += 2) {
        this.coords.push(from.coords[i]! + shift);
        this.coords.push(from.coords[i + 1]!);
      }
      this.ringStart.push(this.coords.length);
    }
    this.closePolygon();
  }

  private addRing(ring: readonly Position[]): void {
    for (const p of ring) {
      this.coords.push(p[0]!);
      this.coords.push(p[1]!);
    }
    const first = ring[0]!;
    const last = ring[ring.length - 1]!;
    // RFC 7946 rings are closed; close one that is not rather than read past it.
    if (first[0] !== last[0] || first[1] !== last[1]) {
      this.coords.push(first[0]!);
      this.coords.push(first[1]!);
    }
    this.ringStart.push(this.coords.length);
  }

  private closePolygon(): void {
    const rings = this.ringStart.array;
    const exterior = this.polygonRing.array[this.polygonRing.length - 1]!;
    const c = this.coords.array;
    let minX = Number.POSITIVE_INFINITY;
    let minY = Number.POSITIVE_INFINITY;
    let maxX = Number.NEGATIVE_INFINITY;
    let maxY = Number.NEGATIVE_INFINITY;
    for (let i = rings[exterior]!; i < rings[exterior + 1]!; i += 2) {
      minX = Math.min(minX, c[i]!);
      maxX = Math.max(maxX, c[i]!);
      minY = Math.min(minY, c[i + 1]!);
      maxY = Math.max(maxY, c[i + 1]!);
    }
    this.boxes.push(minX);
    this.boxes.push(minY);
    this.boxes.push(maxX);
    this.boxes.push(maxY);
    this.polygonRing.push(this.ringStart.length - 1);
    this.count++;
  }

  finish(): Polygons {
    return {
      coords: this.coords.finish(),
      ringStart: this.ringStart.finish(),
      polygonRing: this.polygonRing.finish(),
      boxes: this.boxes.finish(),
    };
  }
}

/** Twice the signed area of the triangle a, b, c: > 0 when c is left of a→b. */
function orient(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

/** Whether the closed segments a–b and c–d share a point (touching ends and collinear overlap included). */
function segmentsMeet(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
  dx: number,
  dy: number,
): boolean {
  if (
    Math.max(ax, bx) < Math.min(cx, dx) ||
    Math.max(cx, dx) < Math.min(ax, bx) ||
    Math.max(ay, by) < Math.min(cy, dy) ||
    Math.max(cy, dy) < Math.min(ay, by)
  )
    return false;
  const d1 = orient(cx, cy, dx, dy, ax, ay);
  const d2 = orient(cx, cy, dx, dy, bx, by);
  if ((d1 > 0 && d2 > 0) || (d1 < 0 && d2 < 0)) return false;
  const d3 = orient(ax, ay, bx, by, cx, cy);
  const d4 = orient(ax, ay, bx, by, dx, dy);
  // Not strictly on one side either way: they cross or touch; all four zero is collinear, and the boxes overlap.
  return !((d3 > 0 && d4 > 0) || (d3 < 0 && d4 < 0));
}

/**
 * One edge's part in ray casting towards +x from (px, py): 2 when the point lies on the edge, 1 when the ray
 * crosses it, 0 otherwise. Half-open in y, so that a ray through a vertex counts it once.
 */
function rayStep(x1: number, y1: number, x2: number, y2: number, px: number, py: number): number {
  if (y1 > py !== y2 > py) {
    // o / (y2 − y1) is how far right of the point the edge meets the ray's line.
    const o = (x2 - x1) * (py - y1) - (px - x1) * (y2 - y1);
    if (o === 0) return 2;
    return o > 0 === y2 > y1 ? 1 : 0;
  }
  if (y1 === py && y2 === py) return (px - x1) * (px - x2) <= 0 ? 2 : 0;
  if (y1 === py) return px === x1 ? 2 : 0;
  if (y2 === py) return px === x2 ? 2 : 0;
  return 0;
}

function inBox(boxes: Float64Array, p: number, x: number, y: number): boolean {
  const b = p * 4;
  return x >= boxes[b]! && x <= boxes[b + 2]! && y >= boxes[b + 1]! && y <= boxes[b + 3]!;
}

/** Even–odd ray casting over every ring of polygon p, so holes subtract; a point on an edge is inside. */
function polygonContains(polygons: Polygons, p: number, px: number, py: number): boolean {
  if (!inBox(polygons.boxes, p, px, py)) return false;
  const c = polygons.coords;
  const rings = polygons.ringStart;
  let inside = false;
  for (let r = polygons.polygonRing[p]!; r < polygons.polygonRing[p + 1]!; r++) {
    const end = rings[r + 1]!;
    for (let i = rings[r]! + 2; i < end; i += 2) {
      const step = rayStep(c[i - 2]!, c[i - 1]!, c[i]!, c[i + 1]!, px, py);
      if (step === 2) return true;
      if (step === 1) inside = !inside;
    }
  }
  return inside;
}

/** Whether the segment c–d meets any edge of polygon p. */
function edgeMeetsPolygon(
  polygons: Polygons,
  p: number,
  cx: number,
  cy: number,
  dx: number,
  dy: number,
): boolean {
  const c = polygons.coords;
  const rings = polygons.ringStart;
  for (let r = polygons.polygonRing[p]!; r < polygons.polygonRing[p + 1]!; r++) {
    const end = rings[r + 1]!;
    for (let i = rings[r]! + 2; i < end; i += 2) {
      if (segmentsMeet(c[i - 2]!, c[i - 1]!, c[i]!, c[i + 1]!, cx, cy, dx, dy)) return true;
    }
  }
  return false;
}

/**
 * Horizontal slabs over a big polygon's edges: a ray or an edge at latitude y only meets the edges filed under
 * y's slab, a handful instead of hundreds. Edges are stored flat, [x1, y1, x2, y2] each.
 */
interface Slabs {
  readonly minY: number;
  readonly height: number;
  readonly count: number;
  /** Slab k's edges are edgeOf[start[k]] … edgeOf[start[k + 1] − 1], as offsets into edges. */
  readonly start: Int32Array;
  readonly edgeOf: Int32Array;
  readonly edges: Float64Array;
}

function slabNumber(minY: number, height: number, count: number, y: number): number {
  const k = Math.floor((y - minY) / height);
  return k < 0 ? 0 : k >= count ? count - 1 : k;
}

function slabOf(slabs: Slabs, y: number): number {
  return slabNumber(slabs.minY, slabs.height, slabs.count, y);
}

/** Slabs for polygon p when it has more than SLAB_THRESHOLD edges; about two edges' height each. */
function buildSlabs(polygons: Polygons, p: number): Slabs | undefined {
  const firstRing = polygons.polygonRing[p]!;
  const lastRing = polygons.polygonRing[p + 1]!;
  const n = (polygons.ringStart[lastRing]! - polygons.ringStart[firstRing]!) / 2 - (lastRing - firstRing);
  if (n <= SLAB_THRESHOLD) return undefined;
  const edges = new Float64Array(n * 4);
  const c = polygons.coords;
  let e = 0;
  for (let r = firstRing; r < lastRing; r++) {
    for (let i = polygons.ringStart[r]! + 2; i < polygons.ringStart[r + 1]!; i += 2) {
      edges[e++] = c[i - 2]!;
      edges[e++] = c[i - 1]!;
      edges[e++] = c[i]!;
      edges[e++] = c[i + 1]!;
    }
  }
  const minY = polygons.boxes[p * 4 + 1]!;
  const span = polygons.boxes[p * 4 + 3]! - minY;
  const count = span > 0 ? Math.min(4096, Math.ceil(n / 2)) : 1;
  const height = span > 0 ? span / count : 1;
  const first = new Int32Array(n);
  const last = new Int32Array(n);
  const start = new Int32Array(count + 1);
  for (let k = 0; k < n; k++) {
    const y1 = edges[k * 4 + 1]!;
    const y2 = edges[k * 4 + 3]!;
    first[k] = slabNumber(minY, height, count, Math.min(y1, y2));
    last[k] = slabNumber(minY, height, count, Math.max(y1, y2));
    for (let s = first[k]!; s <= last[k]!; s++) start[s + 1] = start[s + 1]! + 1;
  }
  for (let s = 0; s < count; s++) start[s + 1] = start[s + 1]! + start[s]!;
  const edgeOf = new Int32Array(start[count]!);
  const fill = start.slice(0, count);
  for (let k = 0; k < n; k++) {
    for (let s = first[k]!; s <= last[k]!; s++) {
      edgeOf[fill[s]!] = k * 4;
      fill[s] = fill[s]! + 1;
    }
  }
  return { minY, height, count, start, edgeOf, edges };
}

/** The parts of a polygon warning, each with its slabs when it is big. */
interface PreparedParts {
  readonly polygons: Polygons;
  readonly slabs: readonly (Slabs | undefined)[];
}

/** Ray casting over one part of a warning, through its slabs when it has them. */
function partContains(parts: PreparedParts, p: number, px: number, py: number): boolean {
  const slabs = parts.slabs[p];
  if (slabs === undefined) return polygonContains(parts.polygons, p, px, py);
  if (!inBox(parts.polygons.boxes, p, px, py)) return false;
  const k = slabOf(slabs, py);
  const e = slabs.edges;
  let inside = false;
  for (let j = slabs.start[k]!; j < slabs.start[k + 1]!; j++) {
    const i = slabs.edgeOf[j]!;
    const step = rayStep(e[i]!, e[i + 1]!, e[i + 2]!, e[i + 3]!, px, py);
    if (step === 2) return true;
    if (step === 1) inside = !inside;
  }
  return inside;
}

function anyPartContains(parts: PreparedParts, px: number, py: number): boolean {
  const n = parts.polygons.polygonRing.length - 1;
  for (let p = 0; p < n; p++) if (partContains(parts, p, px, py)) return true;
  return false;
}

/**
 * Whether any edge of subscription polygon a meets any edge of warning part b, both already known to share
 * box [minX, maxX] × [minY, maxY]. Only b's edges reaching into that box are tried: through b's slabs when it
 * has them, so that a country's border costs a handful of tests, not hundreds.
 */
function edgesMeet(
  subs: Polygons,
  a: number,
  parts: PreparedParts,
  b: number,
  minX: number,
  minY: number,
  maxX: number,
  maxY: number,
): boolean {
  const slabs = parts.slabs[b];
  if (slabs === undefined) {
    const w = parts.polygons;
    const c = w.coords;
    for (let r = w.polygonRing[b]!; r < w.polygonRing[b + 1]!; r++) {
      for (let i = w.ringStart[r]! + 2; i < w.ringStart[r + 1]!; i += 2) {
        if (!edgeInBox(c, i - 2, minX, minY, maxX, maxY)) continue;
        if (edgeMeetsPolygon(subs, a, c[i - 2]!, c[i - 1]!, c[i]!, c[i + 1]!)) return true;
      }
    }
    return false;
  }
  const e = slabs.edges;
  const list = slabs.edgeOf;
  const from = slabs.start[slabOf(slabs, minY)]!;
  const to = slabs.start[slabOf(slabs, maxY) + 1]!;
  // An edge spanning several slabs is tried once per slab; that is cheaper than deduplicating.
  for (let j = from; j < to; j++) {
    const i = list[j]!;
    if (!edgeInBox(e, i, minX, minY, maxX, maxY)) continue;
    if (edgeMeetsPolygon(subs, a, e[i]!, e[i + 1]!, e[i + 2]!, e[i + 3]!)) return true;
  }
  return false;
}

/** Whether the edge at e[i] … e[i + 3] may reach into the box (a box test, so false only when it cannot). */
function edgeInBox(
  e: Float64Array,
  i: number,
  minX: number,
  minY: number,
  maxX: number,
  maxY: number,
): boolean {
  const x1 = e[i]!;
  const y1 = e[i + 1]!;
  const x2 = e[i + 2]!;
  const y2 = e[i + 3]!;
  return !(
    (x1 < minX && x2 < minX) ||
    (x1 > maxX && x2 > maxX) ||
    (y1 < minY && y2 < minY) ||
    (y1 > maxY && y2 > maxY)
  );
}

/**
 * Whether subscription polygon a and warning part b share a point. If no edges meet, every ring of either
 * lies wholly inside or wholly outside the other; then they share a point only when one of b's rings lies
 * inside a, or a (connected) lies inside b — so one vertex of each of b's rings and one of a's exterior settle it.
 */
function polygonsMeet(subs: Polygons, a: number, parts: PreparedParts, b: number): boolean {
  const ab = subs.boxes;
  const bb = parts.polygons.boxes;
  const minX = Math.max(ab[a * 4]!, bb[b * 4]!);
  const minY = Math.max(ab[a * 4 + 1]!, bb[b * 4 + 1]!);
  const maxX = Math.min(ab[a * 4 + 2]!, bb[b * 4 + 2]!);
  const maxY = Math.min(ab[a * 4 + 3]!, bb[b * 4 + 3]!);
  if (minX > maxX || minY > maxY) return false;
  const first = subs.ringStart[subs.polygonRing[a]!]!;
  if (partContains(parts, b, subs.coords[first]!, subs.coords[first + 1]!)) return true;
  const w = parts.polygons;
  for (let r = w.polygonRing[b]!; r < w.polygonRing[b + 1]!; r++) {
    const i = w.ringStart[r]!;
    if (polygonContains(subs, a, w.coords[i]!, w.coords[i + 1]!)) return true;
  }
  return edgesMeet(subs, a, parts, b, minX, minY, maxX, maxY);
}

// ---------------------------------------------------------------------------------------------------------------
// The sphere

/** The angle between two unit vectors, accurate at every size (atan2 of |a × b| and a · b). */
function angleBetween(ax: number, ay: number, az: number, bx: number, by: number, bz: number): number {
  const cx = ay * bz - az * by;
  const cy = az * bx - ax * bz;
  const cz = ax * by - ay * bx;
  return Math.atan2(Math.sqrt(cx * cx + cy * cy + cz * cz), ax * bx + ay * by + az * bz);
}

/**
 * The angle from p to the great-circle arc a→b (shorter than 180°): to the foot of p on the arc's great circle
 * when that foot lies on the arc, else to the nearer end (PostGIS's edge_distance_to_point does the same).
 */
function arcAngle(
  ax: number,
  ay: number,
  az: number,
  bx: number,
  by: number,
  bz: number,
  px: number,
  py: number,
  pz: number,
): number {
  const nx = ay * bz - az * by;
  const ny = az * bx - ax * bz;
  const nz = ax * by - ay * bx;
  const nn = nx * nx + ny * ny + nz * nz;
  if (nn > 1e-30) {
    // The foot lies between a and b when (a × p)·n ≥ 0 and (p × b)·n ≥ 0.
    const apn = (ay * pz - az * py) * nx + (az * px - ax * pz) * ny + (ax * py - ay * px) * nz;
    const pbn = (py * bz - pz * by) * nx + (pz * bx - px * bz) * ny + (px * by - py * bx) * nz;
    if (apn >= 0 && pbn >= 0) {
      return Math.asin(Math.min(1, Math.abs(px * nx + py * ny + pz * nz) / Math.sqrt(nn)));
    }
  }
  return Math.min(angleBetween(ax, ay, az, px, py, pz), angleBetween(bx, by, bz, px, py, pz));
}

function unitX(lon: number, lat: number): number {
  return Math.cos(lat * RAD) * Math.cos(lon * RAD);
}
function unitY(lon: number, lat: number): number {
  return Math.cos(lat * RAD) * Math.sin(lon * RAD);
}
function unitZ(lat: number): number {
  return Math.sin(lat * RAD);
}

/**
 * The points of ring coords[from] … coords[to − 1] after splitting every edge longer than DENSIFY_DEGREES
 * into ceil(length / DENSIFY_DEGREES) equal pieces — PostGIS's ptarray_segmentize2d, the same arithmetic in the
 * same order, so that both place the same points. Returns the ring itself when no edge is that long.
 */
function densify(coords: Float64Array, from: number, to: number): Float64Array {
  let extra = 0;
  for (let i = from + 2; i < to; i += 2) {
    const dx = coords[i]! - coords[i - 2]!;
    const dy = coords[i + 1]! - coords[i - 1]!;
    extra += Math.ceil(Math.sqrt(dx * dx + dy * dy) / DENSIFY_DEGREES) - 1;
  }
  if (extra <= 0) return coords.subarray(from, to);
  const out = new Float64Array(to - from + extra * 2);
  let o = 0;
  out[o++] = coords[from]!;
  out[o++] = coords[from + 1]!;
  for (let i = from + 2; i < to; i += 2) {
    const x1 = coords[i - 2]!;
    const y1 = coords[i - 1]!;
    const x2 = coords[i]!;
    const y2 = coords[i + 1]!;
    const dx = x2 - x1;
    const dy = y2 - y1;
    const pieces = Math.ceil(Math.sqrt(dx * dx + dy * dy) / DENSIFY_DEGREES);
    for (let j = 1; j < pieces; j++) {
      out[o++] = x1 + (dx * j) / pieces;
      out[o++] = y1 + (dy * j) / pieces;
    }
    out[o++] = x2;
    out[o++] = y2;
  }
  return out;
}

/** Whether the boundary of polygon p (densified, as great-circle arcs) comes within `radiusM` of unit vector (x, y, z). */
function boundaryWithin(polygons: Polygons, p: number, x: number, y: number, z: number, radiusM: number) {
  for (let r = polygons.polygonRing[p]!; r < polygons.polygonRing[p + 1]!; r++) {
    const ring = densify(polygons.coords, polygons.ringStart[r]!, polygons.ringStart[r + 1]!);
    let ax = unitX(ring[0]!, ring[1]!);
    let ay = unitY(ring[0]!, ring[1]!);
    let az = unitZ(ring[1]!);
    for (let i = 2; i < ring.length; i += 2) {
      const bx = unitX(ring[i]!, ring[i + 1]!);
      const by = unitY(ring[i]!, ring[i + 1]!);
      const bz = unitZ(ring[i + 1]!);
      if (arcAngle(ax, ay, az, bx, by, bz, x, y, z) * EARTH_RADIUS_M <= radiusM) return true;
      ax = bx;
      ay = by;
      az = bz;
    }
  }
  return false;
}

/** The boundary of a warning as great-circle arcs (densified), [ax, ay, az, bx, by, bz] each, with padded boxes. */
interface Arcs {
  readonly count: number;
  readonly vectors: Float64Array;
  readonly boxes: Float64Array;
  /** Over the boxes, when there are more than ARC_TREE_THRESHOLD arcs. */
  readonly tree: Flatbush | undefined;
}

function arcsOf(polygons: Polygons, count: number): Arcs {
  const vectors = new Float64List();
  const boxes = new Float64List();
  for (let r = 0; r < polygons.polygonRing[count]!; r++) {
    const ring = densify(polygons.coords, polygons.ringStart[r]!, polygons.ringStart[r + 1]!);
    let ax = unitX(ring[0]!, ring[1]!);
    let ay = unitY(ring[0]!, ring[1]!);
    let az = unitZ(ring[1]!);
    for (let i = 2; i < ring.length; i += 2) {
      const lon0 = ring[i - 2]!;
      const lat0 = ring[i - 1]!;
      const lon1 = ring[i]!;
      const lat1 = ring[i + 1]!;
      const bx = unitX(lon1, lat1);
      const by = unitY(lon1, lat1);
      const bz = unitZ(lat1);
      vectors.push(ax);
      vectors.push(ay);
      vectors.push(az);
      vectors.push(bx);
      vectors.push(by);
      vectors.push(bz);
      boxes.push(Math.min(lon0, lon1));
      boxes.push(Math.min(lat0, lat1) - ARC_BULGE_DEGREES);
      boxes.push(Math.max(lon0, lon1));
      boxes.push(Math.max(lat0, lat1) + ARC_BULGE_DEGREES);
      ax = bx;
      ay = by;
      az = bz;
    }
  }
  const n = vectors.length / 6;
  const b = boxes.finish();
  let tree: Flatbush | undefined;
  if (n > ARC_TREE_THRESHOLD) {
    tree = new Flatbush(n);
    for (let i = 0; i < b.length; i += 4) tree.add(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!);
    tree.finish();
  }
  return { count: n, vectors: vectors.finish(), boxes: b, tree };
}

function arcNear(arcs: Arcs, k: number, x: number, y: number, z: number, radiusM: number): boolean {
  const v = arcs.vectors;
  const i = k * 6;
  return (
    arcAngle(v[i]!, v[i + 1]!, v[i + 2]!, v[i + 3]!, v[i + 4]!, v[i + 5]!, x, y, z) * EARTH_RADIUS_M <=
    radiusM
  );
}

/** Whether some arc comes within `radiusM` of the unit vector (x, y, z) at (lon, lat). */
function arcsWithin(arcs: Arcs, lon: number, lat: number, x: number, y: number, z: number, radiusM: number) {
  const caps = capBoxes(lon, lat, radiusM / EARTH_RADIUS_M);
  if (arcs.tree !== undefined) {
    for (const box of caps) {
      for (const k of arcs.tree.search(box[0]!, box[1]!, box[2]!, box[3]!)) {
        if (arcNear(arcs, k, x, y, z, radiusM)) return true;
      }
    }
    return false;
  }
  const b = arcs.boxes;
  for (let k = 0; k < arcs.count; k++) {
    const j = k * 4;
    for (const box of caps) {
      if (b[j]! <= box[2]! && box[0]! <= b[j + 2]! && b[j + 1]! <= box[3]! && box[1]! <= b[j + 3]!) {
        if (arcNear(arcs, k, x, y, z, radiusM)) return true;
        break;
      }
    }
  }
  return false;
}

/**
 * The boxes on the plane that hold a spherical cap of `angle` radians around (lon, lat): its latitudes
 * lat ± angle, its longitudes lon ± asin(sin angle / cos lat); two boxes when it reaches over ±180°, and
 * every longitude when it holds a pole.
 */
function capBoxes(lon: number, lat: number, angle: number): number[][] {
  const dLat = angle / RAD;
  const south = lat - dLat - BOX_MARGIN_DEGREES;
  const north = lat + dLat + BOX_MARGIN_DEGREES;
  if (south <= -90 || north >= 90) return [[-180, Math.max(-90, south), 180, Math.min(90, north)]];
  const dLon = Math.asin(Math.min(1, Math.sin(angle) / Math.cos(lat * RAD))) / RAD + BOX_MARGIN_DEGREES;
  if (dLon >= 180) return [[-180, south, 180, north]];
  const west = lon - dLon;
  const east = lon + dLon;
  if (west < -180) {
    return [
      [west + 360, south, 180, north],
      [-180, south, east, north],
    ];
  }
  if (east > 180) {
    return [
      [west, south, 180, north],
      [-180, south, east - 360, north],
    ];
  }
  return [[west, south, east, north]];
}

/** Longitude brought into [−180, 180] (points and circle centres given past ±180°). */
function wrapLongitude(lon: number): number {
  if (lon >= -180 && lon <= 180) return lon;
  return ((((lon + 180) % 360) + 360) % 360) - 180;
}

// ---------------------------------------------------------------------------------------------------------------
// Warnings

interface PreparedPolygonWarning extends PreparedParts {
  readonly kind: 'polygon';
  /** Boxes to search the index with, [minX, minY, maxX, maxY] each. */
  readonly boxes: readonly (readonly number[])[];
  readonly arcs: Arcs;
}

interface PreparedCircleWarning {
  readonly kind: 'circle';
  readonly lon: number;
  readonly lat: number;
  readonly radiusM: number;
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly boxes: readonly (readonly number[])[];
}

type PreparedWarning = PreparedPolygonWarning | PreparedCircleWarning;

function prepareWarning(area: WarningArea): PreparedWarning {
  if ('kind' in area) {
    const lon = wrapLongitude(area.lon);
    const radiusM = area.radiusKm * 1000;
    return {
      kind: 'circle',
      lon,
      lat: area.lat,
      radiusM,
      x: unitX(lon, area.lat),
      y: unitY(lon, area.lat),
      z: unitZ(area.lat),
      boxes: capBoxes(lon, area.lat, radiusM / EARTH_RADIUS_M),
    };
  }
  const builder = new PolygonsBuilder();
  const count = builder.addGeometry(area);
  const cut = builder.finish();
  const boxes: number[][] = [];
  const all = new PolygonsBuilder();
  for (let p = 0; p < count; p++) {
    all.addShifted(cut, p, 0);
    const b = cut.boxes.subarray(p * 4, p * 4 + 4);
    boxes.push([b[0]!, b[1]! - ARC_BULGE_DEGREES, b[2]!, b[3]! + ARC_BULGE_DEGREES]);
  }
  // Longitudes 180 and −180 are one meridian: a part touching it is tried on the other side too.
  for (let p = 0; p < count; p++) {
    const [minX, minY, maxX, maxY] = cut.boxes.subarray(p * 4, p * 4 + 4);
    for (const shift of [maxX === 180 ? -360 : 0, minX === -180 ? 360 : 0]) {
      if (shift === 0) continue;
      all.addShifted(cut, p, shift);
      boxes.push([minX! + shift, minY!, maxX! + shift, maxY!]);
    }
  }
  const polygons = all.finish();
  const slabs = Array.from({ length: all.count }, (_, p) => buildSlabs(polygons, p));
  return { kind: 'polygon', polygons, slabs, boxes, arcs: arcsOf(polygons, count) };
}

// ---------------------------------------------------------------------------------------------------------------
// The index

/**
 * Subscriptions in typed arrays, in the order of spatialOrder; subscription i's polygon parts are the polygons
 * partStart[i] … partStart[i + 1] − 1.
 */
interface Store {
  readonly ids: Float64Array;
  readonly kinds: Uint8Array;
  readonly lons: Float64Array;
  readonly lats: Float64Array;
  readonly radiiM: Float64Array;
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  readonly zs: Float64Array;
  readonly partStart: Int32Array;
  readonly polygons: Polygons;
}

function matchesPolygonWarning(s: Store, i: number, w: PreparedPolygonWarning): boolean {
  switch (s.kinds[i]) {
    case POINT:
      return anyPartContains(w, s.lons[i]!, s.lats[i]!);
    case CIRCLE:
      return (
        anyPartContains(w, s.lons[i]!, s.lats[i]!) ||
        arcsWithin(w.arcs, s.lons[i]!, s.lats[i]!, s.xs[i]!, s.ys[i]!, s.zs[i]!, s.radiiM[i]!)
      );
    default: {
      const parts = w.polygons.polygonRing.length - 1;
      for (let a = s.partStart[i]!; a < s.partStart[i + 1]!; a++) {
        for (let b = 0; b < parts; b++) if (polygonsMeet(s.polygons, a, w, b)) return true;
      }
      return false;
    }
  }
}

function matchesCircleWarning(s: Store, i: number, w: PreparedCircleWarning): boolean {
  switch (s.kinds[i]) {
    case POINT:
      return angleBetween(s.xs[i]!, s.ys[i]!, s.zs[i]!, w.x, w.y, w.z) * EARTH_RADIUS_M <= w.radiusM;
    case CIRCLE:
      return (
        angleBetween(s.xs[i]!, s.ys[i]!, s.zs[i]!, w.x, w.y, w.z) * EARTH_RADIUS_M <= w.radiusM + s.radiiM[i]!
      );
    default: {
      const from = s.partStart[i]!;
      const to = s.partStart[i + 1]!;
      for (let a = from; a < to; a++) {
        if (polygonContains(s.polygons, a, w.lon, w.lat)) return true;
        // A centre on the 180° meridian is on both edges of the plane.
        if (Math.abs(w.lon) === 180 && polygonContains(s.polygons, a, -w.lon, w.lat)) return true;
      }
      for (let a = from; a < to; a++)
        if (boundaryWithin(s.polygons, a, w.x, w.y, w.z, w.radiusM)) return true;
      return false;
    }
  }
}

/** Position on the Hilbert curve of order 15 (Wikipedia's xy2d) of cell (x, y), both in [0, 2¹⁵). */
function hilbert(x: number, y: number): number {
  const n = 1 << 15;
  let d = 0;
  for (let s = n >> 1; s > 0; s >>= 1) {
    const rx = (x & s) > 0 ? 1 : 0;
    const ry = (y & s) > 0 ? 1 : 0;
    d += s * s * ((3 * rx) ^ ry);
    if (ry === 0) {
      if (rx === 1) {
        x = n - 1 - x;
        y = n - 1 - y;
      }
      const t = x;
      x = y;
      y = t;
    }
  }
  return d;
}

/**
 * The subscriptions in Hilbert-curve order of a position of theirs. Stored in that order, the candidates of
 * one warning (neighbours on the map) are neighbours in memory: matching a country against a million
 * subscriptions was bound by cache misses when they were stored in id order.
 */
function spatialOrder(subscriptions: readonly IndexedSubscription[]): number[] {
  const n = subscriptions.length;
  const keys = new Float64Array(n);
  const cell = (lon: number, lat: number) =>
    hilbert(
      Math.min(32767, Math.max(0, Math.floor(((wrapLongitude(lon) + 180) / 360) * 32768))),
      Math.min(32767, Math.max(0, Math.floor(((lat + 90) / 180) * 32768))),
    );
  subscriptions.forEach(({ area }, i) => {
    let h = 0;
    if (area.kind === 'polygon') {
      const first =
        area.geometry.type === 'Polygon'
          ? area.geometry.coordinates[0]?.[0]
          : area.geometry.coordinates[0]?.[0]?.[0];
      if (first !== undefined) h = cell(first[0]!, first[1]!);
    } else {
      h = cell(area.lon, area.lat);
    }
    keys[i] = h;
  });
  const order = Array.from({ length: n }, (_, i) => i);
  // A key below 2³⁰ and a position below 2²² pack exactly into one double: a numeric sort, no comparator.
  if (n < 2 ** 22) {
    const packed = keys.map((h, i) => h * 2 ** 22 + i).sort();
    for (let i = 0; i < n; i++) order[i] = packed[i]! % 2 ** 22;
    return order;
  }
  return order.sort((a, b) => keys[a]! - keys[b]! || a - b);
}

/**
 * Indexes subscriptions for matching. Polygons are cut at ±180° once, here; each part, each point and each
 * circle's box (two boxes for a circle over ±180°) is one entry of a flatbush index. Throws a RangeError for a
 * circle whose radius is not a finite number ≥ 0.
 */
export function buildSubscriptionIndex(subscriptions: readonly IndexedSubscription[]): SubscriptionIndex {
  const n = subscriptions.length;
  const order = spatialOrder(subscriptions);
  const ids = new Float64Array(n);
  const kinds = new Uint8Array(n);
  const lons = new Float64Array(n);
  const lats = new Float64Array(n);
  const radiiM = new Float64Array(n);
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  const zs = new Float64Array(n);
  const partStart = new Int32Array(n + 1);
  const polygons = new PolygonsBuilder();
  const boxes = new Float64List();
  const owners = new Int32List();
  const add = (owner: number, minX: number, minY: number, maxX: number, maxY: number) => {
    boxes.push(minX);
    boxes.push(minY);
    boxes.push(maxX);
    boxes.push(maxY);
    owners.push(owner);
  };

  order.forEach((from, i) => {
    const { id, area } = subscriptions[from]!;
    ids[i] = id;
    partStart[i] = polygons.count;
    switch (area.kind) {
      case 'point':
      case 'circle': {
        const lon = wrapLongitude(area.lon);
        lons[i] = lon;
        lats[i] = area.lat;
        xs[i] = unitX(lon, area.lat);
        ys[i] = unitY(lon, area.lat);
        zs[i] = unitZ(area.lat);
        if (area.kind === 'point') {
          kinds[i] = POINT;
          add(i, lon, area.lat, lon, area.lat);
          break;
        }
        if (!(Number.isFinite(area.radiusKm) && area.radiusKm >= 0)) {
          throw new RangeError(
            `subscription ${id}: a circle's radius must be a number ≥ 0 km, got ${area.radiusKm}`,
          );
        }
        kinds[i] = CIRCLE;
        radiiM[i] = area.radiusKm * 1000;
        for (const box of capBoxes(lon, area.lat, radiiM[i]! / EARTH_RADIUS_M)) {
          add(i, box[0]!, box[1]!, box[2]!, box[3]!);
        }
        break;
      }
      case 'polygon':
        kinds[i] = POLYGON;
        polygons.addGeometry(area.geometry);
        break;
      default: {
        const unknown: never = area;
        throw new Error(`unhandled subscription area ${JSON.stringify(unknown)}`);
      }
    }
  });
  partStart[n] = polygons.count;
  const s: Store = { ids, kinds, lons, lats, radiiM, xs, ys, zs, partStart, polygons: polygons.finish() };
  for (let i = 0; i < n; i++) {
    for (let a = partStart[i]!; a < partStart[i + 1]!; a++) {
      const b = s.polygons.boxes;
      add(i, b[a * 4]!, b[a * 4 + 1]! - ARC_BULGE_DEGREES, b[a * 4 + 2]!, b[a * 4 + 3]! + ARC_BULGE_DEGREES);
    }
  }

  // Flatbush refuses an empty index; an empty index matches nothing.
  const entries = owners.length;
  const tree = entries === 0 ? undefined : new Flatbush(entries);
  if (tree !== undefined) {
    const b = boxes.array;
    for (let e = 0; e < entries; e++) tree.add(b[e * 4]!, b[e * 4 + 1]!, b[e * 4 + 2]!, b[e * 4 + 3]!);
    tree.finish();
  }
  const owner = owners.finish();
  // seen[i] === stamp: subscription i was already tested for this warning (it may sit under several boxes).
  const seen = new Uint32Array(n);
  let stamp = 0;
  // The matched ids of the current warning, reused from one warning to the next.
  let found = new Float64Array(1024);

  return {
    size: n,
    matching(warningArea) {
      if (tree === undefined) return [];
      const warning = prepareWarning(warningArea);
      stamp++;
      if (stamp === 0xffffffff) {
        seen.fill(0);
        stamp = 1;
      }
      let count = 0;
      for (const box of warning.boxes) {
        for (const e of tree.search(box[0]!, box[1]!, box[2]!, box[3]!)) {
          const i = owner[e]!;
          if (seen[i] === stamp) continue;
          seen[i] = stamp;
          const hit =
            warning.kind === 'circle'
              ? matchesCircleWarning(s, i, warning)
              : matchesPolygonWarning(s, i, warning);
          if (!hit) continue;
          if (count === found.length) {
            const grown = new Float64Array(count * 2);
            grown.set(found);
            found = grown;
          }
          found[count++] = s.ids[i]!;
        }
      }
      const sorted = found.subarray(0, count).sort();
      const matched: number[] = [];
      for (let k = 0; k < count; k++) {
        // One subscription id may have been given for several areas: reported once.
        if (k === 0 || sorted[k] !== sorted[k - 1]) matched.push(sorted[k]!);
      }
      return matched;
    },
  };
}

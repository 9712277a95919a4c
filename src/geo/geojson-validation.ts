/** @module Validates GeoJSON geometries for areas and events (RFC 7946 §3.1), naming each problem by JSON pointer, and bounds them. */
import type {
  Geometry,
  LineString,
  MultiLineString,
  MultiPoint,
  MultiPolygon,
  Point,
  Polygon,
  Position,
} from 'geojson';
// Type only: geometry must not pull in the ingestion readers (and csv-parse) at run time.
import type { RowProblem } from '../ingest/row-problem.ts';

/** The geometries EW4E stores for areas and events: every RFC 7946 geometry but GeometryCollection. */
export type SimpleGeometry = Point | MultiPoint | LineString | MultiLineString | Polygon | MultiPolygon;

/** Where the geometry sits in the body; problem pointers extend `pointer`. */
export interface GeometryPlace {
  readonly row: number;
  readonly line?: number;
  readonly pointer?: string;
}

/** Past this many, a geometry's problems are summed up in one more: a swapped lon/lat polygon is one mistake. */
const MAX_PROBLEMS_PER_GEOMETRY = 10;

const TYPES = ['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon'] as const;

/**
 * Checks a parsed JSON value against RFC 7946: a known geometry type; positions of 2 or 3 finite numbers
 * (§3.1.1; more than three SHOULD NOT be used) with longitude in [-180, 180] and latitude in [-90, 90] (§4, WGS 84);
 * at least 2 positions in a LineString (§3.1.4) and at least 4 in each linear ring, the first equal to the last
 * (§3.1.6); no empty Multi* geometries (an empty one would locate nothing).
 *
 * Ring winding is not checked: §3.1.6 says parsers SHOULD NOT reject polygons that ignore the right-hand rule.
 * The result holds only `type` and `coordinates`; `bbox` and foreign members are dropped.
 */
export function validateGeometry(
  value: unknown,
  at: GeometryPlace,
): { readonly geometry: SimpleGeometry } | { readonly problems: RowProblem[] } {
  const check = new GeometryCheck(at);
  const geometry = check.geometry(value);
  if (geometry !== undefined && check.problems.length === 0) return { geometry };
  return { problems: check.finish() };
}

class GeometryCheck {
  readonly problems: RowProblem[] = [];
  private omitted = 0;
  private readonly base: string;

  constructor(private readonly at: GeometryPlace) {
    this.base = at.pointer ?? '';
  }

  report(path: string, reason: string): void {
    if (this.problems.length >= MAX_PROBLEMS_PER_GEOMETRY) {
      this.omitted++;
      return;
    }
    this.problems.push(this.problem(this.base + path, reason));
  }

  private problem(pointer: string, reason: string): RowProblem {
    const { row, line } = this.at;
    return line === undefined
      ? { row, pointer, field: 'geometry', reason }
      : { row, line, pointer, field: 'geometry', reason };
  }

  finish(): RowProblem[] {
    if (this.omitted > 0) {
      this.problems.push(this.problem(this.base, `${this.omitted} more problems in this geometry`));
    }
    return this.problems;
  }

  geometry(value: unknown): SimpleGeometry | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.report('', 'a geometry must be a JSON object with "type" and "coordinates" (RFC 7946 §3.1)');
      return undefined;
    }
    const { type, coordinates } = value as { type?: unknown; coordinates?: unknown };
    if (typeof type !== 'string') {
      this.report('/type', 'the geometry type is required, e.g. "Point" or "Polygon"');
      return undefined;
    }
    if (type === 'GeometryCollection') {
      this.report(
        '/type',
        'GeometryCollection is not supported for areas and events; send a MultiPoint, MultiLineString or MultiPolygon, or one record per geometry',
      );
      return undefined;
    }
    if (type === 'Feature' || type === 'FeatureCollection') {
      this.report('/type', `expected a GeoJSON geometry, got a ${type}; send its geometry`);
      return undefined;
    }
    if (!(TYPES as readonly string[]).includes(type)) {
      const hint = TYPES.find((known) => known.toLowerCase() === type.toLowerCase());
      this.report(
        '/type',
        hint === undefined
          ? `unknown geometry type "${type}"; expected one of ${TYPES.join(', ')} (RFC 7946 §1.4)`
          : `unknown geometry type "${type}"; GeoJSON types are case-sensitive: "${hint}"`,
      );
      return undefined;
    }
    if (coordinates === undefined || coordinates === null) {
      this.report('/coordinates', `a ${type} needs "coordinates"`);
      return undefined;
    }
    const ok = this.coordinates(type as SimpleGeometry['type'], coordinates, '/coordinates');
    return ok ? ({ type, coordinates } as SimpleGeometry) : undefined;
  }

  private coordinates(type: SimpleGeometry['type'], value: unknown, path: string): boolean {
    switch (type) {
      case 'Point':
        return this.position(value, path);
      case 'MultiPoint':
        return this.positions(value, path, 1, 'a MultiPoint');
      case 'LineString':
        return this.positions(value, path, 2, 'a LineString (RFC 7946 §3.1.4)');
      case 'MultiLineString':
        return this.each(value, path, 'a MultiLineString', (line, at) =>
          this.positions(line, at, 2, 'each line of a MultiLineString (RFC 7946 §3.1.4)'),
        );
      case 'Polygon':
        return this.polygon(value, path);
      case 'MultiPolygon':
        return this.each(value, path, 'a MultiPolygon', (polygon, at) => this.polygon(polygon, at));
      default: {
        const unreachable: never = type;
        throw new Error(`unhandled geometry type ${String(unreachable)}`);
      }
    }
  }

  private polygon(value: unknown, path: string): boolean {
    return this.each(value, path, 'a Polygon', (ring, at) => this.ring(ring, at));
  }

  /** A linear ring: ≥ 4 positions, the last equal to the first (RFC 7946 §3.1.6). */
  private ring(value: unknown, path: string): boolean {
    if (!this.positions(value, path, 4, 'a linear ring (RFC 7946 §3.1.6)')) return false;
    const ring = value as Position[];
    const first = ring[0]!;
    const last = ring[ring.length - 1]!;
    if (first.length !== last.length || first.some((coordinate, k) => coordinate !== last[k])) {
      this.report(
        `${path}/${ring.length - 1}`,
        `a linear ring must be closed: its last position [${last.join(', ')}] must equal its first [${first.join(', ')}] (RFC 7946 §3.1.6)`,
      );
      return false;
    }
    return true;
  }

  /** A non-empty array whose items all pass `item`; every item is checked so that every problem is named. */
  private each(
    value: unknown,
    path: string,
    what: string,
    item: (value: unknown, path: string) => boolean,
  ): boolean {
    if (!Array.isArray(value)) {
      this.report(path, `the coordinates of ${what} must be an array`);
      return false;
    }
    if (value.length === 0) {
      this.report(path, `${what} must not be empty`);
      return false;
    }
    let ok = true;
    for (let i = 0; i < value.length; i++) {
      if (!item(value[i], `${path}/${i}`)) ok = false;
    }
    return ok;
  }

  private positions(value: unknown, path: string, min: number, what: string): boolean {
    if (!Array.isArray(value)) {
      this.report(path, `the coordinates of ${what} must be an array of positions`);
      return false;
    }
    if (value.length < min) {
      this.report(path, `${what} needs at least ${min} position${min === 1 ? '' : 's'}, got ${value.length}`);
      return false;
    }
    let ok = true;
    for (let i = 0; i < value.length; i++) {
      if (!this.position(value[i], `${path}/${i}`)) ok = false;
    }
    return ok;
  }

  /** [longitude, latitude] or [longitude, latitude, altitude], WGS 84 (RFC 7946 §3.1.1, §4). */
  private position(value: unknown, path: string): boolean {
    if (!Array.isArray(value)) {
      this.report(
        path,
        'a position must be an array [longitude, latitude] or [longitude, latitude, altitude] (RFC 7946 §3.1.1)',
      );
      return false;
    }
    if (value.length < 2 || value.length > 3) {
      this.report(
        path,
        `a position must have 2 or 3 numbers (longitude, latitude, optional altitude), got ${value.length}`,
      );
      return false;
    }
    let ok = true;
    for (let k = 0; k < value.length; k++) {
      const coordinate: unknown = value[k];
      if (typeof coordinate !== 'number' || !Number.isFinite(coordinate)) {
        this.report(`${path}/${k}`, `${COORDINATE_NAMES[k]} must be a number`);
        ok = false;
      }
    }
    if (!ok) return false;
    const [lon, lat] = value as [number, number];
    if (lon < -180 || lon > 180) {
      this.report(`${path}/0`, `longitude ${lon} is outside [-180, 180]`);
      ok = false;
    }
    if (lat < -90 || lat > 90) {
      // The commonest mistake by far: [lat, lon] order, as in most map UIs.
      const swapped =
        Math.abs(lon) <= 90 && Math.abs(lat) <= 180 ? '; GeoJSON order is [longitude, latitude]' : '';
      this.report(`${path}/1`, `latitude ${lat} is outside [-90, 90]${swapped}`);
      ok = false;
    }
    return ok;
  }
}

const COORDINATE_NAMES = ['longitude', 'latitude', 'altitude'] as const;

/**
 * [minLon, minLat, maxLon, maxLat] of every position (RFC 7946 §5). A geometry crossing the antimeridian gets
 * the wide box, not the §5.2 box with west > east: RFC 7946 §3.1.9 asks for such geometries to be cut.
 * Throws on a geometry without positions, which validateGeometry never returns.
 */
export function bboxOf(geometry: Geometry): [minLon: number, minLat: number, maxLon: number, maxLat: number] {
  const box: [number, number, number, number] = [
    Number.POSITIVE_INFINITY,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
  ];
  extendBox(box, geometry);
  if (box[0] > box[2]) throw new RangeError('bboxOf: the geometry has no positions');
  return box;
}

function extendBox(box: [number, number, number, number], geometry: Geometry): void {
  switch (geometry.type) {
    case 'Point':
      extendByPosition(box, geometry.coordinates);
      return;
    case 'MultiPoint':
    case 'LineString':
      extendByPositions(box, geometry.coordinates);
      return;
    case 'MultiLineString':
    case 'Polygon':
      for (const line of geometry.coordinates) extendByPositions(box, line);
      return;
    case 'MultiPolygon':
      for (const polygon of geometry.coordinates) for (const ring of polygon) extendByPositions(box, ring);
      return;
    case 'GeometryCollection':
      for (const member of geometry.geometries) extendBox(box, member);
      return;
    default: {
      const unreachable: never = geometry;
      throw new Error(`unhandled geometry ${JSON.stringify(unreachable)}`);
    }
  }
}

function extendByPositions(box: [number, number, number, number], positions: readonly Position[]): void {
  for (const position of positions) extendByPosition(box, position);
}

function extendByPosition(box: [number, number, number, number], position: Position): void {
  const lon = position[0]!;
  const lat = position[1]!;
  if (lon < box[0]) box[0] = lon;
  if (lat < box[1]) box[1] = lat;
  if (lon > box[2]) box[2] = lon;
  if (lat > box[3]) box[3] = lat;
}

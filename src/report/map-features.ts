/** @module What the dashboard map draws, as RFC 7946 features: coordinates rounded for the wire, and each station's health. */
import simplify from '@turf/simplify';
import type { Geometry, Position } from 'geojson';
import { bboxOf } from '../geo/geojson-validation.ts';

/** 5 decimals of a degree are 1.1 m at the equator: finer than any warning area, and a third of the bytes. */
export const COORDINATE_DECIMALS = 5;

const rounder = (decimals: number) => {
  const scale = 10 ** decimals;
  return (x: number): number => Math.round(x * scale) / scale;
};

function roundPosition(p: Position, round: (x: number) => number): Position {
  return p.length === 2 ? [round(p[0]!), round(p[1]!)] : p.map(round);
}

/** A ring rounded, with the repeated positions rounding makes dropped, unless that leaves it under 4 positions. */
function roundRing(ring: readonly Position[], round: (x: number) => number): Position[] {
  const rounded = ring.map((p) => roundPosition(p, round));
  const kept: Position[] = [];
  for (const p of rounded) {
    const last = kept.at(-1);
    if (last === undefined || last[0] !== p[0] || last[1] !== p[1]) kept.push(p);
  }
  return kept.length >= 4 ? kept : rounded;
}

/** The geometry with every coordinate rounded to `decimals` (default `COORDINATE_DECIMALS`) decimals. */
/**
 * The geometry with fewer vertices for a map that shows it small (Douglas-Peucker, @turf/simplify); rings keep
 * at least four positions. 10 000 warnings drawn at country scale need a fraction of their published vertices.
 */
export function simplifiedGeometry(geometry: Geometry, toleranceDeg: number): Geometry {
  if (toleranceDeg <= 0 || (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon')) return geometry;
  return simplify(geometry, { tolerance: toleranceDeg, highQuality: false, mutate: false });
}

export function roundGeometry(geometry: Geometry, decimals = COORDINATE_DECIMALS): Geometry {
  const round = rounder(decimals);
  const position = (p: Position) => roundPosition(p, round);
  const ring = (r: readonly Position[]) => roundRing(r, round);
  switch (geometry.type) {
    case 'Point':
      return { type: 'Point', coordinates: position(geometry.coordinates) };
    case 'MultiPoint':
      return { type: 'MultiPoint', coordinates: geometry.coordinates.map(position) };
    case 'LineString':
      return { type: 'LineString', coordinates: geometry.coordinates.map(position) };
    case 'MultiLineString':
      return { type: 'MultiLineString', coordinates: geometry.coordinates.map((l) => l.map(position)) };
    case 'Polygon':
      return { type: 'Polygon', coordinates: geometry.coordinates.map(ring) };
    case 'MultiPolygon':
      return { type: 'MultiPolygon', coordinates: geometry.coordinates.map((p) => p.map(ring)) };
    case 'GeometryCollection':
      return {
        type: 'GeometryCollection',
        geometries: geometry.geometries.map((g) => roundGeometry(g, decimals)),
      };
  }
}

/** A warning area drawn as a disc on a small-scale map: where it is and how far it reaches, in degrees. */
export interface AreaMarker {
  readonly center: [lon: number, lat: number];
  readonly radiusDeg: number;
}

/**
 * The disc that stands for an area on a world or continent map, where its outline would be a few pixels: the
 * centre and half the larger side of the box of its largest part (by box), so an area cut at the antimeridian
 * is not taken for one that spans the globe.
 */
export function areaMarker(geometry: Geometry): AreaMarker {
  const boxes = partsOf(geometry).map(boxOf);
  let best = boxes[0] ?? ([0, 0, 0, 0] as const);
  for (const box of boxes) if (boxArea(box) > boxArea(best)) best = box;
  const [west, south, east, north] = best;
  const round = rounder(4);
  return {
    center: [round((west + east) / 2), round((south + north) / 2)],
    radiusDeg: round(Math.max(east - west, north - south) / 2),
  };
}

export type Box = readonly [west: number, south: number, east: number, north: number];

/** The box a marker's disc covers. */
export function markerBox({ center: [lon, lat], radiusDeg }: AreaMarker): Box {
  return [lon - radiusDeg, lat - radiusDeg, lon + radiusDeg, lat + radiusDeg];
}

/** The box around boxes added one by one; null while none was. */
export class BoxUnion {
  box: [number, number, number, number] | null = null;

  add(box: Box | null): void {
    if (box === null) return;
    if (this.box === null) this.box = [...box];
    else {
      this.box[0] = Math.min(this.box[0], box[0]);
      this.box[1] = Math.min(this.box[1], box[1]);
      this.box[2] = Math.max(this.box[2], box[2]);
      this.box[3] = Math.max(this.box[3], box[3]);
    }
  }
}

function partsOf(geometry: Geometry): Position[][] {
  switch (geometry.type) {
    case 'Point':
      return [[geometry.coordinates]];
    case 'MultiPoint':
    case 'LineString':
      return [geometry.coordinates];
    case 'MultiLineString':
      return geometry.coordinates;
    case 'Polygon':
      return geometry.coordinates.slice(0, 1);
    case 'MultiPolygon':
      return geometry.coordinates.flatMap((polygon) => polygon.slice(0, 1));
    case 'GeometryCollection':
      return geometry.geometries.flatMap(partsOf);
  }
}

/** The box of one part's positions (geo's bboxOf, over them as points). */
const boxOf = (positions: Position[]): Box => bboxOf({ type: 'MultiPoint', coordinates: positions });

const boxArea = ([west, south, east, north]: Box): number => (east - west) * (north - south);

export type StationStatus = 'ok' | 'stale' | 'fault';

/** Nothing heard for longer than this many of its declared intervals makes a station stale… */
export const STALE_INTERVALS = 3;
/** …and so does a day of silence, whatever its interval. */
export const STALE_AFTER_MS = 86_400_000;
/** QC rejections this recent make a station faulty. */
export const FAULT_WINDOW_MS = 86_400_000;

/**
 * A station's health on the map: `fault` when QC rejected any of its values within `FAULT_WINDOW_MS` (a
 * sensor reporting impossible values needs a technician, whether or not it is also late); `stale` when it
 * has never reported, or not for more than 3 × its declared interval or 24 h, whichever is shorter; else `ok`.
 */
export function stationStatus(
  lastObservationMs: number | null,
  expectedCadenceS: number,
  rejectedRecently: boolean,
  nowMs: number,
): StationStatus {
  if (rejectedRecently) return 'fault';
  if (lastObservationMs === null) return 'stale';
  const staleAfterMs = Math.min(STALE_INTERVALS * expectedCadenceS * 1000, STALE_AFTER_MS);
  return nowMs - lastObservationMs > staleAfterMs ? 'stale' : 'ok';
}

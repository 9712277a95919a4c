/**
 * @module Warning areas as geometry: how much two areas overlap (for joining an episode's thread), whether one
 * covers another (for inhibition), and their union (a thread's area grows as its episode spreads).
 */
import turfArea from '@turf/area';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { intersection, union } from 'polyclip-ts';

export type AreaGeometry = Polygon | MultiPolygon;

type Rings = Position[][][];

const partsOf = (g: AreaGeometry): Rings => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates);

// polyclip-ts takes [x, y] pairs; GeoJSON positions may carry a third value, which areas do not need.
const flat = (g: AreaGeometry) =>
  partsOf(g).map((p) => p.map((r) => r.map((q) => [q[0] ?? 0, q[1] ?? 0] as [number, number])));

const asGeometry = (parts: Rings): AreaGeometry | null =>
  parts.length === 0
    ? null
    : parts.length === 1 && parts[0]
      ? { type: 'Polygon', coordinates: parts[0] }
      : { type: 'MultiPolygon', coordinates: parts };

/** Geodesic area in km² (turf's spherical approximation). */
export function areaKm2(g: AreaGeometry | null): number {
  return g === null ? 0 : turfArea(g) / 1e6;
}

export function intersectionOf(a: AreaGeometry, b: AreaGeometry): AreaGeometry | null {
  return asGeometry(intersection(flat(a), flat(b)) as Rings);
}

export function unionOf(a: AreaGeometry, b: AreaGeometry): AreaGeometry {
  return asGeometry(union(flat(a), flat(b)) as Rings) ?? a;
}

/** Intersection over union, in [0, 1]: 1 for the same area, 0 for disjoint ones. */
export function overlapShare(a: AreaGeometry, b: AreaGeometry): number {
  const shared = areaKm2(intersectionOf(a, b));
  if (shared === 0) return 0;
  const total = areaKm2(a) + areaKm2(b) - shared;
  return total <= 0 ? 1 : Math.min(1, shared / total);
}

/** The share of `inner` that `outer` covers, in [0, 1]. */
export function coveredShare(outer: AreaGeometry, inner: AreaGeometry): number {
  const innerArea = areaKm2(inner);
  if (innerArea === 0) return 0;
  return Math.min(1, areaKm2(intersectionOf(outer, inner)) / innerArea);
}

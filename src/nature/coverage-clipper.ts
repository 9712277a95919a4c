/**
 * @module Polygon overlay for coverage: union, intersection and difference with Clipper (clipper-lib) on
 * longitude/latitude scaled to integers — planar in degrees, as PostGIS does on `geometry` — and areas of the
 * results on the WGS 84 ellipsoid with GeographicLib (geodesic edges, as PostGIS does on `geography`).
 *
 * Passed over: polyclip-ts and polygon-clipping (floating-point Martinez): ≈ 100 s for the union of 10⁴
 * overlapping polygons where PostGIS takes ≈ 9 s, and polygon-clipping threw on two of three countries;
 * Clipper's integer sweep is exact and robust. @turf/area: a sphere, up to ±0.4 % off WGS 84.
 */
import ClipperLib from 'clipper-lib';
import geographiclib from 'geographiclib-geodesic';
import type { MultiPolygon, Polygon, Position } from 'geojson';

/** 10⁷ units per degree: a grid of ≈ 1 cm, finer than any protected-area boundary is surveyed. */
export const SCALE = 1e7;

export type Ring = ClipperLib.Path;
/** A set of rings: exteriors wound positive (counter-clockwise), holes negative, so that non-zero fill is the union. */
export type Region = ClipperLib.Paths;

const WGS84 = geographiclib.Geodesic.WGS84;

/**
 * clipper-lib switches to 128-bit arithmetic (JSBN, many times slower) once a coordinate passes
 * sqrt(2^53 − 1) / 2; an operation is therefore run about the centre of its inputs, shifted by whole units.
 */
const LO_RANGE = 47_453_132;

/** Scales degrees to the grid; the same position always lands on the same integer whatever the operation. */
function toUnits(degrees: number): number {
  return Math.round(degrees * SCALE);
}

function ringOf(positions: readonly Position[], exterior: boolean): Ring {
  const ring: Ring = [];
  for (const p of positions) {
    const X = toUnits(p[0]!);
    const Y = toUnits(p[1]!);
    const last = ring[ring.length - 1];
    if (last === undefined || last.X !== X || last.Y !== Y) ring.push({ X, Y });
  }
  const first = ring[0];
  const last = ring[ring.length - 1];
  // Clipper's paths are closed implicitly: GeoJSON's repeated first position goes.
  if (ring.length > 1 && first!.X === last!.X && first!.Y === last!.Y) ring.pop();
  if (ring.length < 3) return [];
  if (ClipperLib.Clipper.Orientation(ring) !== exterior) ring.reverse();
  return ring;
}

/** A GeoJSON polygon or multipolygon as a region (rings re-wound; degenerate rings dropped). */
export function regionOf(geometry: Polygon | MultiPolygon): Region {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const region: Region = [];
  for (const polygon of polygons) {
    polygon.forEach((positions, i) => {
      const ring = ringOf(positions, i === 0);
      if (ring.length > 0) region.push(ring);
    });
  }
  return region;
}

export type Overlay = 'union' | 'intersection' | 'difference';

// clipper-lib's ClipType numbering.
const CLIP_TYPE: Readonly<Record<Overlay, ClipperLib.ClipType>> = {
  intersection: 0 as ClipperLib.ClipType,
  union: 1 as ClipperLib.ClipType,
  difference: 2 as ClipperLib.ClipType,
};

const SUBJECT = 0 as ClipperLib.PolyType;
const CLIP = 1 as ClipperLib.PolyType;
const NON_ZERO = 1 as ClipperLib.PolyFillType;

function extentOf(regions: readonly Region[]): { minX: number; minY: number; maxX: number; maxY: number } {
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const region of regions)
    for (const ring of region)
      for (const p of ring) {
        if (p.X < minX) minX = p.X;
        if (p.X > maxX) maxX = p.X;
        if (p.Y < minY) minY = p.Y;
        if (p.Y > maxY) maxY = p.Y;
      }
  return { minX, minY, maxX, maxY };
}

function shifted(region: Region, dx: number, dy: number): Region {
  if (dx === 0 && dy === 0) return region;
  return region.map((ring) => ring.map((p) => ({ X: p.X + dx, Y: p.Y + dy })));
}

export interface OverlayOptions {
  /** No self-touching rings in the result: what is stored must be valid OGC geometry for PostGIS too. */
  readonly strictlySimple?: boolean;
}

/** The origin an operation runs about: the centre of its inputs when they leave clipper-lib's fast range. */
function originOf(regions: readonly Region[]): { dx: number; dy: number } {
  const { minX, minY, maxX, maxY } = extentOf(regions);
  if (!(minX <= maxX)) return { dx: 0, dy: 0 };
  const fits = Math.max(-minX, maxX, -minY, maxY) <= LO_RANGE;
  if (fits) return { dx: 0, dy: 0 };
  return { dx: -Math.round((minX + maxX) / 2), dy: -Math.round((minY + maxY) / 2) };
}

function run(
  overlay: Overlay,
  subject: Region,
  clip: Region,
  solution: Region | ClipperLib.PolyTree,
  options: OverlayOptions,
): { dx: number; dy: number } {
  const origin = originOf([subject, clip]);
  const clipper = new ClipperLib.Clipper(options.strictlySimple ? 2 : 0);
  clipper.AddPaths(shifted(subject, origin.dx, origin.dy), SUBJECT, true);
  if (clip.length > 0) clipper.AddPaths(shifted(clip, origin.dx, origin.dy), CLIP, true);
  if (!clipper.Execute(CLIP_TYPE[overlay], solution, NON_ZERO, NON_ZERO)) {
    throw new Error(`clipper: the ${overlay} failed`);
  }
  return origin;
}

/**
 * union: everything in `subject` (and `clip`); intersection: `subject` ∩ `clip`; difference: `subject` − `clip`.
 * Each operand is read with non-zero fill, so overlapping rings of one operand count once.
 */
export function overlay(
  overlay: Overlay,
  subject: Region,
  clip: Region = [],
  options: OverlayOptions = {},
): Region {
  if (subject.length === 0 && (overlay !== 'union' || clip.length === 0)) return [];
  if (clip.length === 0 && overlay === 'intersection') return [];
  const solution: Region = [];
  const { dx, dy } = run(overlay, subject, clip, solution, options);
  return shifted(solution, -dx, -dy);
}

/** The region as a GeoJSON MultiPolygon (holes under their exteriors, RFC 7946 winding), or null when empty. */
export function multiPolygonOf(region: Region, options: OverlayOptions = {}): MultiPolygon | null {
  if (region.length === 0) return null;
  const tree = new ClipperLib.PolyTree();
  const { dx, dy } = run('union', region, [], tree, options);
  const polygons: Position[][][] = [];
  const position = (p: ClipperLib.IntPoint): Position => [(p.X - dx) / SCALE, (p.Y - dy) / SCALE];
  const closed = (ring: Ring): Position[] => {
    const positions = ring.map(position);
    positions.push(position(ring[0]!));
    return positions;
  };
  const visit = (node: ClipperLib.PolyNode): void => {
    for (const outer of node.Childs()) {
      // Clipper winds exteriors positive (counter-clockwise with y up) and holes negative, as RFC 7946 §3.1.6 asks.
      const rings = [closed(outer.Contour())];
      for (const hole of outer.Childs()) {
        rings.push(closed(hole.Contour()));
        visit(hole);
      }
      polygons.push(rings);
    }
  };
  visit(tree);
  if (polygons.length === 0) return null;
  // A canonical order (by first position) so that golden files do not depend on Clipper's internals.
  polygons.sort((a, b) => a[0]![0]![0]! - b[0]![0]![0]! || a[0]![0]![1]! - b[0]![0]![1]!);
  return { type: 'MultiPolygon', coordinates: polygons };
}

/**
 * Geodesic area on WGS 84 (GeographicLib, Karney 2013), in km²: each ring's signed area, so holes subtract.
 * PostGIS computes `ST_Area(geography)` the same way (geodesic edges, spheroid).
 */
export function geodesicAreaKm2(region: Region): number {
  let m2 = 0;
  for (const ring of region) {
    if (ring.length < 3) continue;
    const polygon = WGS84.Polygon(false);
    for (const p of ring) polygon.AddPoint(p.Y / SCALE, p.X / SCALE);
    m2 += polygon.Compute(false, true).area ?? 0;
  }
  return m2 / 1e6;
}

/** [minLon, minLat, maxLon, maxLat] of a region, or null when it is empty. */
export function regionBBox(region: Region): [number, number, number, number] | null {
  const { minX, minY, maxX, maxY } = extentOf([region]);
  if (!(minX <= maxX)) return null;
  return [minX / SCALE, minY / SCALE, maxX / SCALE, maxY / SCALE];
}

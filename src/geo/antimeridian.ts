/** @module Cuts polygons that cross the antimeridian into parts that do not, as RFC 7946 §3.1.9 asks, so that planar tests (point in polygon, bounding boxes) stay right. */
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { intersection } from 'polyclip-ts';

type Ring = [number, number][];

/** A ring crosses when two consecutive vertices are more than 180° of longitude apart. */
function crosses(ring: readonly Position[]): boolean {
  for (let i = 1; i < ring.length; i++) {
    if (Math.abs(ring[i]![0]! - ring[i - 1]![0]!) > 180) return true;
  }
  return false;
}

/** Removes the ±360° jumps so that longitudes run continuously (they may then leave [-180, 180]). */
function unwrap(ring: readonly Position[]): Ring {
  const out: Ring = [];
  let shift = 0;
  for (let i = 0; i < ring.length; i++) {
    const lon = ring[i]![0]!;
    if (i > 0) {
      const previous = ring[i - 1]![0]!;
      if (lon - previous > 180) shift -= 360;
      else if (previous - lon > 180) shift += 360;
    }
    out.push([lon + shift, ring[i]![1]!]);
  }
  return out;
}

/**
 * A ring around a pole (Antarctica) does not close after unwrapping: it ends 360° from where it began.
 * Closing it through the pole turns it into an ordinary polygon on the plane.
 */
function closeAroundPole(ring: Ring): Ring {
  const first = ring[0]!;
  const last = ring[ring.length - 1]!;
  if (Math.abs(last[0] - first[0]) < 180) return ring;
  const meanLat = ring.reduce((sum, p) => sum + p[1], 0) / ring.length;
  const pole = meanLat < 0 ? -90 : 90;
  return [...ring, [last[0], pole], [first[0], pole], first];
}

function shiftRing(ring: Ring, by: number): Ring {
  return ring.map(([lon, lat]) => [lon + by, lat]);
}

/** The three copies of the world an unwrapped polygon can reach, each mapped back to [-180, 180]. */
const WORLDS = [-360, 0, 360].map((offset) => ({
  offset,
  box: [
    [
      [-180 + offset, -90],
      [180 + offset, -90],
      [180 + offset, 90],
      [-180 + offset, 90],
      [-180 + offset, -90],
    ],
  ] as Ring[],
}));

/** Twice the signed planar area (shoelace formula). */
function planarArea(ring: Ring): number {
  let sum = 0;
  for (let i = 1; i < ring.length; i++) sum += ring[i - 1]![0] * ring[i]![1] - ring[i]![0] * ring[i - 1]![1];
  return sum;
}

/** d3's spherical polygons (world-atlas) may carry a zero-area ring hugging a pole; on the plane it means nothing. */
function hugsPole(ring: readonly Position[]): boolean {
  return ring.every((p) => Math.abs(p[1]!) >= 89.99);
}

function cutPolygon(rings: Position[][]): Position[][][] {
  if (!rings.some(crosses)) return [rings];
  // On the plane the largest ring is the exterior, whatever the ring order on the sphere was.
  const planar = rings
    .filter((ring) => !hugsPole(ring))
    .map((ring) => closeAroundPole(unwrap(ring)))
    .sort((a, b) => Math.abs(planarArea(b)) - Math.abs(planarArea(a)));
  const exterior = planar[0];
  if (exterior === undefined) return [];
  const centre = exterior.reduce((sum, p) => sum + p[0], 0) / exterior.length;
  // Holes are unwrapped on their own, then moved to the same copy of the world as the exterior.
  const holes = planar.slice(1).map((h) => {
    const mean = h.reduce((sum, p) => sum + p[0], 0) / h.length;
    return shiftRing(h, Math.round((centre - mean) / 360) * 360);
  });
  const parts: Position[][][] = [];
  for (const { offset, box } of WORLDS) {
    for (const piece of intersection([exterior, ...holes], box)) {
      parts.push(piece.map((ring) => shiftRing(ring as Ring, -offset)));
    }
  }
  return parts;
}

/** The same area with every crossing ring cut at ±180°; geometries that do not cross come back unchanged. */
export function cutAtAntimeridian<G extends Polygon | MultiPolygon>(geometry: G): Polygon | MultiPolygon {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  if (!polygons.some((p) => p.some(crosses))) return geometry;
  return { type: 'MultiPolygon', coordinates: polygons.flatMap(cutPolygon) };
}

/** @module Which areas contain a point: a bounding-box pre-filter, then an exact point-in-polygon test. */
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import type { Geometry } from 'geojson';

export interface AreaShape {
  readonly id: number;
  readonly geometry: Geometry;
}

/** True when the point lies inside (or on the edge of) a Polygon or MultiPolygon; other geometries contain no stations. */
export function containsPoint(geometry: Geometry, lon: number, lat: number): boolean {
  if (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon') return false;
  return booleanPointInPolygon([lon, lat], geometry);
}

export function areasContaining(areas: readonly AreaShape[], lon: number, lat: number): number[] {
  return areas.filter((a) => containsPoint(a.geometry, lon, lat)).map((a) => a.id);
}

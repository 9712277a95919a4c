/** @module Areas: the polygons warnings and aggregates refer to — countries, cities, protected areas, vulnerable sites (schools, hospitals, water intakes) and custom areas. */

export const AREA_KINDS = ['country', 'city', 'protected_area', 'custom', 'vulnerable_site'] as const;
export type AreaKind = (typeof AREA_KINDS)[number];

/** A bounding box [minLon, minLat, maxLon, maxLat] (RFC 7946 §5); minLon > maxLon means it crosses the antimeridian (§5.2). */
export type BBox = readonly [number, number, number, number];

/** Splits a box that crosses the antimeridian into two that do not, so that range filters work on each. */
export function splitAtAntimeridian(bbox: BBox): BBox[] {
  const [minLon, minLat, maxLon, maxLat] = bbox;
  if (minLon <= maxLon) return [bbox];
  return [
    [minLon, minLat, 180, maxLat],
    [-180, minLat, maxLon, maxLat],
  ];
}

/** Parses "minLon,minLat,maxLon,maxLat"; returns a reason when it is not a valid box. */
export function parseBBox(text: string): { bbox: BBox } | { reason: string } {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length !== 4) return { reason: 'bbox must be minLon,minLat,maxLon,maxLat' };
  const numbers = parts.map(Number);
  if (parts.some((p) => p === '') || numbers.some((n) => !Number.isFinite(n))) {
    return { reason: 'bbox values must be numbers' };
  }
  const [minLon, minLat, maxLon, maxLat] = numbers as [number, number, number, number];
  if ([minLon, maxLon].some((lon) => lon < -180 || lon > 180))
    return { reason: 'longitudes must be within [-180, 180]' };
  if ([minLat, maxLat].some((lat) => lat < -90 || lat > 90))
    return { reason: 'latitudes must be within [-90, 90]' };
  if (minLat > maxLat) return { reason: 'minLat must not exceed maxLat' };
  return { bbox: [minLon, minLat, maxLon, maxLat] };
}

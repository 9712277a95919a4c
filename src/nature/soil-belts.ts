/** @module The world's black-soil belts as rough outlines, and which belt a site lies in. */
import type { Polygon } from 'geojson';
import { containsPoint } from '../geo/area-membership.ts';

/*
 * Rough outlines traced by hand from the FAO Global Black Soil Distribution Map (GloBSM v1.0, FAO & ITPS,
 * 2022; https://www.fao.org/global-soil-partnership/intergovernmental-technical-panel-soils/black-soils):
 * the cores of the four great belts, a few vertices each. They say which belt a monitoring site reports
 * under, not where black soil is; the map itself is the source for anything finer.
 */

export const BLACK_SOIL_BELTS = ['northeast_china', 'ukraine', 'pampas', 'north_american_prairies'] as const;
export type BlackSoilBelt = (typeof BLACK_SOIL_BELTS)[number];

export interface BeltOutline {
  readonly code: BlackSoilBelt;
  readonly name: string;
  readonly outline: Polygon;
}

const ring = (points: readonly (readonly [number, number])[]): Polygon => ({
  type: 'Polygon',
  coordinates: [[...points.map(([lon, lat]) => [lon, lat]), [points[0]![0], points[0]![1]]]],
});

export const BELT_OUTLINES: readonly BeltOutline[] = [
  {
    code: 'northeast_china',
    name: 'North-east China (Songnen and Sanjiang plains)',
    outline: ring([
      [119, 42],
      [124, 40],
      [131, 42],
      [135, 47],
      [133, 49],
      [127, 51],
      [121, 50],
      [119, 47],
    ]),
  },
  {
    code: 'ukraine',
    name: 'Ukraine (chernozem steppe)',
    outline: ring([
      [22, 48],
      [26, 46],
      [33, 45.5],
      [40, 46.5],
      [40, 51],
      [32, 51.5],
      [24, 50.5],
    ]),
  },
  {
    code: 'pampas',
    name: 'The Argentine Pampas',
    outline: ring([
      [-64, -30],
      [-59, -30],
      [-57.5, -34],
      [-57, -38.5],
      [-62, -39.5],
      [-65, -37],
      [-65, -32],
    ]),
  },
  {
    code: 'north_american_prairies',
    name: 'The North American prairies',
    outline: ring([
      [-114, 54],
      [-100, 54],
      [-95, 49],
      [-92, 44],
      [-94, 38],
      [-98, 35],
      [-104, 36],
      [-105, 42],
      [-111, 47],
      [-114, 50],
    ]),
  },
];

/** The belt a site lies in, or null outside all four. */
export function blackSoilBeltOf(lon: number, lat: number): BeltOutline | null {
  return BELT_OUTLINES.find((b) => containsPoint(b.outline, lon, lat)) ?? null;
}

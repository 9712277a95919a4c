import type { Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import {
  KM_PER_DEGREE,
  kmPerCm,
  longitudeSpan,
  mapDrawing,
  mapViewFor,
  type PageBox,
  scaleBar,
} from './bulletin-map.ts';
import { DHAKA_POLYGON, FIJI_ANTIMERIDIAN } from './test-message.ts';

const BOX: PageBox = { x: 36, y: 500, width: 520, height: 250 };

const box = (west: number, south: number, east: number, north: number): Polygon => ({
  type: 'Polygon',
  coordinates: [
    [
      [west, south],
      [east, south],
      [east, north],
      [west, north],
      [west, south],
    ],
  ],
});

function inside(points: readonly [number, number][][], area: PageBox): boolean {
  return points
    .flat()
    .every(
      ([x, y]) =>
        x >= area.x - 1e-6 &&
        x <= area.x + area.width + 1e-6 &&
        y >= area.y - 1e-6 &&
        y <= area.y + area.height + 1e-6,
    );
}

describe('longitudeSpan', () => {
  it('takes the narrow way round', () => {
    expect(longitudeSpan([DHAKA_POLYGON.coordinates])).toEqual([90.3, 90.5]);
    expect(longitudeSpan(FIJI_ANTIMERIDIAN.coordinates)).toEqual([177, 182]);
    expect(longitudeSpan([box(10, 0, 20, 1).coordinates, box(170, 0, 175, 1).coordinates])).toEqual([
      10, 175,
    ]);
    expect(longitudeSpan([box(-170, 0, -160, 1).coordinates, box(160, 0, 170, 1).coordinates])).toEqual([
      160, 200,
    ]);
  });
});

describe('mapViewFor', () => {
  it('holds the area with a margin at one scale that fills the box', () => {
    const view = mapViewFor(DHAKA_POLYGON, BOX);
    expect(view.west).toBeLessThan(90.3);
    expect(view.east).toBeGreaterThan(90.5);
    expect(view.south).toBeLessThan(23.65);
    expect(view.north).toBeGreaterThan(23.9);
    const cos = Math.cos((view.standardParallel * Math.PI) / 180);
    expect((view.east - view.west) * cos * view.pointsPerDegree).toBeCloseTo(BOX.width, 6);
    expect((view.north - view.south) * view.pointsPerDegree).toBeCloseTo(BOX.height, 6);
  });

  it('states the scale of the standard parallel', () => {
    const view = mapViewFor(DHAKA_POLYGON, BOX);
    // One centimetre is 72/2.54 points; a degree of latitude is KM_PER_DEGREE km.
    expect(kmPerCm(view)).toBeCloseTo(((72 / 2.54) * KM_PER_DEGREE) / view.pointsPerDegree, 9);
    const bar = scaleBar(view, BOX.width / 4);
    expect(bar.points).toBeLessThanOrEqual(BOX.width / 4);
    expect(bar.points).toBeGreaterThan(BOX.width / 4 / 5);
    expect(String(bar.km)).toMatch(/^[125]0*$|^0\.0*[125]$/);
  });
});

describe('mapDrawing', () => {
  it('draws the area inside the box over the countries around it, the touched one marked', () => {
    const drawing = mapDrawing(DHAKA_POLYGON, ['bd'], BOX);
    expect(inside(drawing.area, BOX)).toBe(true);
    expect(drawing.countries.find((c) => c.code === 'BD')?.touched).toBe(true);
    expect(drawing.countries.find((c) => c.code === 'IN')?.touched).toBe(false);
    expect(drawing.countries.some((c) => c.code === 'FR')).toBe(false);
  });

  it('draws both halves of an area cut at the antimeridian side by side', () => {
    const drawing = mapDrawing(FIJI_ANTIMERIDIAN, ['FJ'], BOX);
    expect(drawing.area).toHaveLength(2);
    expect(inside(drawing.area, BOX)).toBe(true);
    const [west, east] = drawing.area.map((ring) => Math.min(...ring.map(([x]) => x)));
    // The part east of 180° is drawn right of the part west of it, not across the world.
    expect(east! - west!).toBeGreaterThan(0);
    expect(east! - west!).toBeLessThan(BOX.width);
    expect(drawing.countries.find((c) => c.code === 'FJ')?.touched).toBe(true);
  });
});

import type { Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import {
  type AreaOfInterest,
  concerns,
  dailyCounts,
  highestOf,
  type StandingWarning,
  segmentsMeet,
} from './area-overview.ts';

const square = (w: number, s: number, size: number): Polygon => ({
  type: 'Polygon',
  coordinates: [
    [
      [w, s],
      [w + size, s],
      [w + size, s + size],
      [w, s + size],
      [w, s],
    ],
  ],
});

const area: AreaOfInterest = {
  id: 7,
  kind: 'country',
  code: 'BD',
  name: 'Bangladesh',
  isoCode: 'BD',
  geometry: square(88, 21, 4),
  bbox: [88, 21, 92, 25],
};

function warning(overrides: Partial<StandingWarning>): StandingWarning {
  const geometry = overrides.geometry ?? square(100, 10, 1);
  return {
    threadId: 1,
    identifier: 'x',
    hazard: 'air_pollution',
    severity: 'Moderate',
    urgency: 'Immediate',
    certainty: 'Observed',
    headline: null,
    areaDesc: 'somewhere',
    sentMs: 0,
    expiresMs: 1,
    areaIds: [],
    geocodes: [],
    geometry,
    bbox: [100, 10, 101, 11],
    ...overrides,
  };
}

describe('concerns', () => {
  it('relates a warning by area id, by geocode, or by geometry', () => {
    expect(concerns(warning({ areaIds: [7] }), area)).toBe(true);
    expect(concerns(warning({ geocodes: [{ valueName: 'ISO3166-1', value: 'BD' }] }), area)).toBe(true);
    expect(concerns(warning({ geocodes: [{ valueName: 'ISO3166-2', value: 'BD' }] }), area)).toBe(false);
    expect(concerns(warning({ geometry: square(91.5, 24.5, 1), bbox: [91.5, 24.5, 92.5, 25.5] }), area)).toBe(
      true,
    );
    expect(concerns(warning({}), area)).toBe(false);
    // Boxes that overlap around polygons that do not.
    const triangle: Polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [92.5, 25.5],
          [93, 25.5],
          [93, 26],
          [92.5, 25.5],
        ],
      ],
    };
    expect(concerns(warning({ geometry: triangle, bbox: [91, 24, 93, 26] }), area)).toBe(false);
  });
});

describe('concerns, geometrically', () => {
  const placed = (geometry: Polygon, bbox: [number, number, number, number]) => warning({ geometry, bbox });
  it('counts a warning that holds the whole area, one on its border, and not one in its hole', () => {
    expect(concerns(placed(square(80, 10, 30), [80, 10, 110, 40]), area)).toBe(true);
    expect(concerns(placed(square(92, 22, 1), [92, 22, 93, 23]), area)).toBe(true);
    const holed: AreaOfInterest = {
      ...area,
      id: 8,
      isoCode: null,
      geometry: {
        type: 'Polygon',
        coordinates: [...square(88, 21, 4).coordinates, ...square(89, 22, 2).coordinates],
      },
    };
    expect(concerns(placed(square(89.5, 22.5, 1), [89.5, 22.5, 90.5, 23.5]), holed)).toBe(false);
    expect(concerns(placed(square(89.5, 22.5, 2), [89.5, 22.5, 91.5, 24.5]), holed)).toBe(true);
  });

  it('meets segments that cross, touch at an end or overlap, and not parallel ones', () => {
    expect(segmentsMeet([0, 0], [2, 2], [0, 2], [2, 0])).toBe(true);
    expect(segmentsMeet([0, 0], [1, 1], [1, 1], [2, 0])).toBe(true);
    expect(segmentsMeet([0, 0], [2, 0], [1, 0], [3, 0])).toBe(true);
    expect(segmentsMeet([0, 0], [2, 0], [0, 1], [2, 1])).toBe(false);
    expect(segmentsMeet([0, 0], [1, 0], [2, 0], [3, 0])).toBe(false);
  });
});

describe('highestOf', () => {
  it('takes the most severe, then the latest sent, then the newest thread', () => {
    const a = warning({ threadId: 1, severity: 'Severe', sentMs: 5 });
    const b = warning({ threadId: 2, severity: 'Extreme', sentMs: 1 });
    const c = warning({ threadId: 3, severity: 'Extreme', sentMs: 2 });
    const d = warning({ threadId: 4, severity: 'Extreme', sentMs: 2 });
    expect(highestOf([a, b])).toBe(b);
    expect(highestOf([a, b, c])).toBe(c);
    expect(highestOf([a, d, c])).toBe(d);
    expect(highestOf([])).toBeNull();
  });
});

describe('dailyCounts', () => {
  it('places counts on the last 14 UTC days, oldest first, and drops older ones', () => {
    const now = Date.UTC(2024, 0, 15, 23, 59);
    const today = Math.floor(now / 86_400_000);
    const counts = dailyCounts(
      [
        { day: today, n: 2 },
        { day: today - 13, n: 1 },
        { day: today - 14, n: 9 },
      ],
      now,
    );
    expect(counts).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
  });
});

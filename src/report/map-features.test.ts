import { describe, expect, it } from 'vitest';
import { areaMarker, roundGeometry, stationStatus } from './map-features.ts';

describe('roundGeometry', () => {
  it('rounds to 5 decimals and drops the repeats rounding makes, keeping rings closed', () => {
    const rounded = roundGeometry({
      type: 'Polygon',
      coordinates: [
        [
          [90.123456789, 23.000004],
          [90.123456001, 23.000001],
          [91.5, 23.2],
          [91, 24],
          [90.123456789, 23.000004],
        ],
      ],
    });
    expect(rounded).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [90.12346, 23],
          [91.5, 23.2],
          [91, 24],
          [90.12346, 23],
        ],
      ],
    });
  });
});

describe('stationStatus', () => {
  const now = Date.UTC(2024, 0, 2);
  it('is fault on recent rejections, stale after 3 intervals or a day, else ok', () => {
    expect(stationStatus(now - 60_000, 60, true, now)).toBe('fault');
    expect(stationStatus(null, 60, false, now)).toBe('stale');
    expect(stationStatus(now - 179_000, 60, false, now)).toBe('ok');
    expect(stationStatus(now - 181_000, 60, false, now)).toBe('stale');
    // A daily station is stale after a day of silence, not three.
    expect(stationStatus(now - 86_400_000 - 1, 86_400, false, now)).toBe('stale');
  });
});

describe('areaMarker', () => {
  it('centres a disc on the box of the area, reaching its farther side', () => {
    const square = {
      type: 'Polygon' as const,
      coordinates: [
        [
          [90, 23],
          [91, 23],
          [91, 24.5],
          [90, 24.5],
          [90, 23],
        ],
      ],
    };
    expect(areaMarker(square)).toEqual({ center: [90.5, 23.75], radiusDeg: 0.75 });
  });

  it('takes the largest part of an area cut at the antimeridian, not a box around the globe', () => {
    const fiji = {
      type: 'MultiPolygon' as const,
      coordinates: [
        [
          [
            [178, -18],
            [180, -18],
            [180, -16],
            [178, -16],
            [178, -18],
          ],
        ],
        [
          [
            [-180, -18],
            [-179.5, -18],
            [-179.5, -17],
            [-180, -17],
            [-180, -18],
          ],
        ],
      ],
    };
    expect(areaMarker(fiji)).toEqual({ center: [179, -17], radiusDeg: 1 });
  });

  it('gives a point no reach', () => {
    expect(areaMarker({ type: 'Point', coordinates: [36.8, -1.3] })).toEqual({
      center: [36.8, -1.3],
      radiusDeg: 0,
    });
  });
});

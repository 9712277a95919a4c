import { describe, expect, it } from 'vitest';
import { cutAtAntimeridian } from './antimeridian.ts';
import { containsPoint } from './area-membership.ts';
import { bboxOf } from './geojson-validation.ts';
import { naturalEarthCountries } from './natural-earth-countries.ts';

describe('cutAtAntimeridian', () => {
  it('leaves polygons that do not cross unchanged', () => {
    const square = {
      type: 'Polygon' as const,
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 1],
          [0, 0],
        ],
      ],
    };
    expect(cutAtAntimeridian(square)).toBe(square);
  });

  it('cuts a square across the dateline into two parts, one each side', () => {
    const square = {
      type: 'Polygon' as const,
      coordinates: [
        [
          [179, -1],
          [-179, -1],
          [-179, 1],
          [179, 1],
          [179, -1],
        ],
      ],
    };
    const cut = cutAtAntimeridian(square);
    expect(cut.type).toBe('MultiPolygon');
    expect(containsPoint(cut, 179.5, 0)).toBe(true);
    expect(containsPoint(cut, -179.5, 0)).toBe(true);
    expect(containsPoint(cut, 0, 0)).toBe(false);
    expect(bboxOf(cut)).toEqual([-180, -1, 180, 1]);
  });

  it('keeps a hole a hole', () => {
    const withHole = {
      type: 'Polygon' as const,
      coordinates: [
        [
          [178, -2],
          [-178, -2],
          [-178, 2],
          [178, 2],
          [178, -2],
        ],
        [
          [179.5, -0.5],
          [179.5, 0.5],
          [-179.5, 0.5],
          [-179.5, -0.5],
          [179.5, -0.5],
        ],
      ],
    };
    const cut = cutAtAntimeridian(withHole);
    expect(containsPoint(cut, 179.9, 0)).toBe(false);
    expect(containsPoint(cut, -179.9, 0)).toBe(false);
    expect(containsPoint(cut, 178.5, 0)).toBe(true);
    expect(containsPoint(cut, -178.5, 0)).toBe(true);
  });
});

describe('Natural Earth countries (regression: Fiji, Chukotka and Antarctica straddle ±180°)', () => {
  const countries = naturalEarthCountries();
  const inside = (lon: number, lat: number) =>
    countries.filter((c) => containsPoint(c.geometry, lon, lat)).map((c) => c.code);

  it('puts points on both sides of the antimeridian into the right country', () => {
    expect(inside(178.0, -17.8)).toEqual(['FJ']); // Viti Levu
    expect(inside(-179.957, -16.489)).toEqual(['FJ']); // Vanua Levu's eastern tip, east of 180°
    expect(inside(-178.968, -17.227)).toEqual(['FJ']); // Lau islands
    expect(inside(-173.5, 66.2)).toEqual(['RU']); // Chukotka, west of 180°
    expect(inside(100, 60)).toEqual(['RU']);
    expect(inside(0, -85)).toEqual(['AQ']);
  });

  it('keeps open ocean out of every country', () => {
    expect(inside(0, -16.5)).toEqual([]);
    expect(inside(-150, 66.5)).toEqual(['US']);
    expect(inside(-160, 0)).toEqual([]);
    expect(inside(0, 67)).toEqual([]);
  });
});

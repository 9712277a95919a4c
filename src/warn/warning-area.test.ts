import type { MultiPolygon, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { circleToPolygon } from './exposure.ts';
import { areaKm2, coveredShare, intersectionOf, overlapShare, unionOf } from './warning-area.ts';

/** A lon/lat box as a GeoJSON polygon (counter-clockwise, RFC 7946 §3.1.6). */
const box = (w: number, s: number, e: number, n: number): Polygon => ({
  type: 'Polygon',
  coordinates: [
    [
      [w, s],
      [e, s],
      [e, n],
      [w, n],
      [w, s],
    ],
  ],
});

/** Near the equator a degree box is close to a square on the ground (111 km a side). */
const A = box(0, 0, 1, 1);
const HALF_EAST = box(0.5, 0, 1.5, 1);
const FAR = box(10, 10, 11, 11);
/** Roughly Bangladesh: 88–92.7° E, 20.7–26.6° N. */
const COUNTRY = box(88, 20.7, 92.7, 26.6);

describe('areaKm2', () => {
  it('measures a one-degree box at the equator as about 111 km × 111 km', () => {
    expect(areaKm2(A)).toBeGreaterThan(12_300);
    expect(areaKm2(A)).toBeLessThan(12_400);
  });

  it('is 0 for no area and for a ring without extent', () => {
    expect(areaKm2(null)).toBe(0);
    expect(areaKm2(box(5, 5, 5, 6))).toBe(0);
  });

  it('measures a 10 km circle (a 64-gon inside it) within 1% below π r²', () => {
    const area = areaKm2(circleToPolygon(90.4, 23.8, 10));
    expect(area).toBeGreaterThan(0.99 * Math.PI * 100);
    expect(area).toBeLessThan(Math.PI * 100);
  });
});

describe('overlapShare (intersection over union)', () => {
  it('is 1 for the same area', () => {
    expect(overlapShare(A, A)).toBeCloseTo(1, 9);
  });

  it('is 0 for disjoint areas, and for areas that only share an edge', () => {
    expect(overlapShare(A, FAR)).toBe(0);
    expect(overlapShare(A, box(1, 0, 2, 1))).toBe(0);
  });

  it('is about 1/3 for equal rectangles overlapping by half', () => {
    expect(overlapShare(A, HALF_EAST)).toBeCloseTo(1 / 3, 3);
  });

  it('is symmetric', () => {
    const b = box(0.25, 0.5, 2, 3);
    expect(overlapShare(A, b)).toBeCloseTo(overlapShare(b, A), 12);
  });

  it('is the inner area over the outer one when one contains the other', () => {
    const quarter = box(0, 0, 0.5, 0.5);
    expect(overlapShare(A, quarter)).toBeCloseTo(areaKm2(quarter) / areaKm2(A), 6);
    expect(overlapShare(A, quarter)).toBeCloseTo(0.25, 2);
  });

  it('counts every part of a MultiPolygon', () => {
    const both: MultiPolygon = { type: 'MultiPolygon', coordinates: [A.coordinates, FAR.coordinates] };
    expect(overlapShare(both, A)).toBeCloseTo(0.5, 2);
    expect(overlapShare(both, both)).toBeCloseTo(1, 9);
  });

  it('matches the two halves of an area cut at the antimeridian', () => {
    const cut: MultiPolygon = {
      type: 'MultiPolygon',
      coordinates: [box(179, -17, 180, -16).coordinates, box(-180, -17, -179, -16).coordinates],
    };
    expect(overlapShare(cut, box(179, -17, 180, -16))).toBeCloseTo(0.5, 3);
    expect(overlapShare(cut, box(-180, -17, -179, -16))).toBeCloseTo(0.5, 3);
    expect(overlapShare(cut, box(170, -17, 171, -16))).toBe(0);
  });
});

describe('coveredShare', () => {
  it('is 1 for an area inside another and 0 for a disjoint one', () => {
    expect(coveredShare(A, box(0.2, 0.2, 0.4, 0.4))).toBeCloseTo(1, 9);
    expect(coveredShare(A, FAR)).toBe(0);
  });

  it('is the covered share of the inner area, not of the outer one', () => {
    expect(coveredShare(A, HALF_EAST)).toBeCloseTo(0.5, 3);
    expect(coveredShare(box(0, 0, 0.5, 0.5), A)).toBeCloseTo(0.25, 2);
    expect(coveredShare(A, box(0, 0, 0.5, 0.5))).toBeCloseTo(1, 9);
  });

  it('is 0 when the inner area has no extent', () => {
    expect(coveredShare(A, box(0.5, 0.5, 0.5, 0.7))).toBe(0);
  });

  it('covers a 10 km circle inside a country-size polygon at least 99%', () => {
    const circle = circleToPolygon(90.4, 23.8, 10);
    expect(coveredShare(COUNTRY, circle)).toBeGreaterThanOrEqual(0.99);
    expect(coveredShare(COUNTRY, circle)).toBeLessThanOrEqual(1);
  });

  it('covers about half of a circle centred on the country’s edge', () => {
    const onEdge = circleToPolygon(92.7, 23.8, 10);
    expect(coveredShare(COUNTRY, onEdge)).toBeCloseTo(0.5, 1);
  });
});

describe('intersectionOf and unionOf', () => {
  it('gives null for disjoint areas', () => {
    expect(intersectionOf(A, FAR)).toBeNull();
  });

  it('gives the overlap of two overlapping squares', () => {
    expect(areaKm2(intersectionOf(A, HALF_EAST))).toBeCloseTo(areaKm2(box(0.5, 0, 1, 1)), 3);
  });

  it('unites two overlapping squares into one polygon with the union area', () => {
    const union = unionOf(A, HALF_EAST);
    expect(union.type).toBe('Polygon');
    expect(areaKm2(union)).toBeCloseTo(
      areaKm2(A) + areaKm2(HALF_EAST) - areaKm2(intersectionOf(A, HALF_EAST)),
      3,
    );
    expect(areaKm2(union)).toBeCloseTo(areaKm2(box(0, 0, 1.5, 1)), 3);
    expect(coveredShare(union, A)).toBeCloseTo(1, 9);
    expect(coveredShare(union, HALF_EAST)).toBeCloseTo(1, 9);
  });

  it('keeps disjoint areas as the parts of a MultiPolygon', () => {
    const union = unionOf(A, FAR);
    expect(union.type).toBe('MultiPolygon');
    expect(areaKm2(union)).toBeCloseTo(areaKm2(A) + areaKm2(FAR), 3);
  });

  it('leaves an area unchanged by its union with itself or with a part of it', () => {
    expect(areaKm2(unionOf(A, A))).toBeCloseTo(areaKm2(A), 3);
    expect(areaKm2(unionOf(A, box(0.2, 0.2, 0.4, 0.4)))).toBeCloseTo(areaKm2(A), 3);
  });

  it('ignores a third coordinate (altitude) in the positions', () => {
    const withAltitude: Polygon = {
      type: 'Polygon',
      coordinates: [A.coordinates[0]?.map(([lon = 0, lat = 0]) => [lon, lat, 120]) ?? []],
    };
    expect(overlapShare(withAltitude, A)).toBeCloseTo(1, 9);
  });
});

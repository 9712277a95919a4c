import fc from 'fast-check';
import type { Geometry, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { bboxOf, type SimpleGeometry, validateGeometry } from './geojson-validation.ts';

const AT = { row: 0, pointer: '/0/geometry' };
const SQUARE: Position[] = [
  [10, 50],
  [11, 50],
  [11, 51],
  [10, 51],
  [10, 50],
];

function problemsOf(value: unknown, at: Parameters<typeof validateGeometry>[1] = AT) {
  const result = validateGeometry(value, at);
  return 'problems' in result ? result.problems : [];
}

describe('validateGeometry', () => {
  it.each<SimpleGeometry>([
    { type: 'Point', coordinates: [13.4, 52.5] },
    { type: 'Point', coordinates: [-180, -90, 35.5] },
    {
      type: 'MultiPoint',
      coordinates: [
        [0, 0],
        [180, 90],
      ],
    },
    {
      type: 'LineString',
      coordinates: [
        [0, 0],
        [1, 1],
      ],
    },
    {
      type: 'MultiLineString',
      coordinates: [
        [
          [0, 0],
          [1, 1],
        ],
        [
          [2, 2],
          [3, 3],
          [4, 4],
        ],
      ],
    },
    { type: 'Polygon', coordinates: [SQUARE] },
    // Clockwise exterior: RFC 7946 §3.1.6 says parsers SHOULD NOT reject it.
    { type: 'Polygon', coordinates: [[...SQUARE].reverse()] },
    { type: 'MultiPolygon', coordinates: [[SQUARE], [SQUARE.map(([x, y]) => [x! + 5, y!])]] },
  ])('accepts a valid $type', (geometry) => {
    expect(validateGeometry(geometry, AT)).toEqual({ geometry });
  });

  it('keeps only type and coordinates', () => {
    const value = { type: 'Point', coordinates: [1, 2], bbox: [1, 2, 1, 2], crs: 'foreign member' };
    expect(validateGeometry(value, AT)).toEqual({ geometry: { type: 'Point', coordinates: [1, 2] } });
  });

  it('refuses a GeometryCollection with a reason', () => {
    expect(problemsOf({ type: 'GeometryCollection', geometries: [] })).toEqual([
      {
        row: 0,
        pointer: '/0/geometry/type',
        field: 'geometry',
        reason: expect.stringContaining('GeometryCollection is not supported for areas and events'),
      },
    ]);
  });

  it('names unknown types, and hints at the case of a known one', () => {
    expect(problemsOf({ type: 'Circle', coordinates: [0, 0] })[0]?.reason).toMatch(
      /^unknown geometry type "Circle"; expected one of Point/,
    );
    expect(problemsOf({ type: 'polygon', coordinates: [SQUARE] })[0]?.reason).toMatch(
      /case-sensitive: "Polygon"/,
    );
    expect(problemsOf({ type: 'Feature', geometry: null })[0]?.reason).toMatch(/got a Feature/);
    expect(problemsOf({ coordinates: [0, 0] })[0]).toMatchObject({ pointer: '/0/geometry/type' });
    expect(problemsOf([0, 0])[0]).toMatchObject({ pointer: '/0/geometry' });
    expect(problemsOf(null)[0]).toMatchObject({ pointer: '/0/geometry' });
    expect(problemsOf({ type: 'Point' })[0]).toMatchObject({
      pointer: '/0/geometry/coordinates',
      reason: 'a Point needs "coordinates"',
    });
  });

  it('checks positions: 2 or 3 finite numbers, longitude and latitude in range', () => {
    expect(problemsOf({ type: 'Point', coordinates: [1] })).toEqual([
      {
        row: 0,
        pointer: '/0/geometry/coordinates',
        field: 'geometry',
        reason: 'a position must have 2 or 3 numbers (longitude, latitude, optional altitude), got 1',
      },
    ]);
    expect(problemsOf({ type: 'Point', coordinates: [1, 2, 3, 4] })[0]?.reason).toMatch(/got 4$/);
    expect(problemsOf({ type: 'Point', coordinates: ['1', 2] })).toEqual([
      {
        row: 0,
        pointer: '/0/geometry/coordinates/0',
        field: 'geometry',
        reason: 'longitude must be a number',
      },
    ]);
    expect(problemsOf({ type: 'Point', coordinates: [0, Number.NaN] })[0]?.reason).toBe(
      'latitude must be a number',
    );
    expect(problemsOf({ type: 'Point', coordinates: [180.5, -90.5] })).toEqual([
      {
        row: 0,
        pointer: '/0/geometry/coordinates/0',
        field: 'geometry',
        reason: 'longitude 180.5 is outside [-180, 180]',
      },
      {
        row: 0,
        pointer: '/0/geometry/coordinates/1',
        field: 'geometry',
        reason: 'latitude -90.5 is outside [-90, 90]',
      },
    ]);
  });

  it('hints at swapped longitude and latitude', () => {
    expect(problemsOf({ type: 'Point', coordinates: [52.5, 130.4] })[0]?.reason).toBe(
      'latitude 130.4 is outside [-90, 90]; GeoJSON order is [longitude, latitude]',
    );
  });

  it('names the exact position deep inside a MultiPolygon', () => {
    const bad = SQUARE.map((p, i) => (i === 3 ? [100, 91] : p));
    expect(problemsOf({ type: 'MultiPolygon', coordinates: [[SQUARE], [SQUARE, bad]] })).toEqual([
      {
        row: 0,
        pointer: '/0/geometry/coordinates/1/1/3/1',
        field: 'geometry',
        reason: 'latitude 91 is outside [-90, 90]',
      },
    ]);
  });

  it('wants linear rings closed and of at least 4 positions (RFC 7946 §3.1.6)', () => {
    expect(problemsOf({ type: 'Polygon', coordinates: [SQUARE.slice(0, 4)] })).toEqual([
      {
        row: 0,
        pointer: '/0/geometry/coordinates/0/3',
        field: 'geometry',
        reason:
          'a linear ring must be closed: its last position [10, 51] must equal its first [10, 50] (RFC 7946 §3.1.6)',
      },
    ]);
    expect(
      problemsOf({
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 1],
            [0, 0],
          ],
        ],
      }),
    ).toEqual([
      {
        row: 0,
        pointer: '/0/geometry/coordinates/0',
        field: 'geometry',
        reason: 'a linear ring (RFC 7946 §3.1.6) needs at least 4 positions, got 3',
      },
    ]);
    // Same longitude and latitude, different altitude: not identical values.
    const open = [...SQUARE.slice(0, 4), [10, 50, 5]];
    expect(problemsOf({ type: 'Polygon', coordinates: [open] })[0]?.reason).toMatch(/must be closed/);
  });

  it('wants lines of 2 positions and non-empty multi geometries', () => {
    expect(problemsOf({ type: 'LineString', coordinates: [[0, 0]] })[0]?.reason).toBe(
      'a LineString (RFC 7946 §3.1.4) needs at least 2 positions, got 1',
    );
    expect(problemsOf({ type: 'MultiPoint', coordinates: [] })[0]?.reason).toBe(
      'a MultiPoint needs at least 1 position, got 0',
    );
    expect(problemsOf({ type: 'MultiPolygon', coordinates: [] })[0]?.reason).toBe(
      'a MultiPolygon must not be empty',
    );
    expect(problemsOf({ type: 'Polygon', coordinates: [] })[0]?.reason).toBe('a Polygon must not be empty');
    expect(problemsOf({ type: 'Polygon', coordinates: SQUARE })[0]).toMatchObject({
      pointer: '/0/geometry/coordinates/0',
    });
  });

  it('carries the line, and starts pointers at the geometry when no pointer is given', () => {
    expect(problemsOf({ type: 'Point', coordinates: [120, 100] }, { row: 4, line: 9 })).toEqual([
      {
        row: 4,
        line: 9,
        pointer: '/coordinates/1',
        field: 'geometry',
        reason: 'latitude 100 is outside [-90, 90]',
      },
    ]);
  });

  it('sums up problems past the tenth', () => {
    const ring = Array.from({ length: 30 }, (_, i) => [i, 100 + i]);
    const problems = problemsOf({ type: 'Polygon', coordinates: [[...ring, ring[0]]] });
    expect(problems).toHaveLength(11);
    expect(problems[10]).toEqual({
      row: 0,
      pointer: '/0/geometry',
      field: 'geometry',
      reason: '21 more problems in this geometry',
    });
  });

  it('never throws, and what it accepts is a simple geometry', () => {
    const near = fc.record({
      type: fc.constantFrom(
        'Point',
        'MultiPoint',
        'LineString',
        'MultiLineString',
        'Polygon',
        'MultiPolygon',
        'GeometryCollection',
        'x',
      ),
      coordinates: fc.anything(),
    });
    fc.assert(
      fc.property(fc.oneof(fc.anything(), near), (value) => {
        const result = validateGeometry(value, AT);
        if ('geometry' in result) expect(() => bboxOf(result.geometry)).not.toThrow();
        else expect(result.problems.length).toBeGreaterThan(0);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('bboxOf', () => {
  it('bounds every kind of geometry', () => {
    expect(bboxOf({ type: 'Point', coordinates: [13.4, 52.5, 30] })).toEqual([13.4, 52.5, 13.4, 52.5]);
    expect(
      bboxOf({
        type: 'LineString',
        coordinates: [
          [-5, 3],
          [7, -2],
        ],
      }),
    ).toEqual([-5, -2, 7, 3]);
    expect(bboxOf({ type: 'Polygon', coordinates: [SQUARE] })).toEqual([10, 50, 11, 51]);
    expect(
      bboxOf({ type: 'MultiPolygon', coordinates: [[SQUARE], [SQUARE.map(([x, y]) => [x! - 20, y! - 60])]] }),
    ).toEqual([-10, -10, 11, 51]);
    const collection: Geometry = {
      type: 'GeometryCollection',
      geometries: [
        { type: 'Point', coordinates: [1, 1] },
        { type: 'MultiPoint', coordinates: [[-1, 2]] },
      ],
    };
    expect(bboxOf(collection)).toEqual([-1, 1, 1, 2]);
  });

  it('throws on a geometry without positions, which validation never returns', () => {
    expect(() => bboxOf({ type: 'MultiPoint', coordinates: [] })).toThrow(RangeError);
  });

  it('contains every position of a random valid geometry', () => {
    const position = fc.tuple(
      fc.double({ min: -180, max: 180, noNaN: true }),
      fc.double({ min: -90, max: 90, noNaN: true }),
    );
    fc.assert(
      fc.property(fc.array(position, { minLength: 1, maxLength: 20 }), (positions) => {
        const geometry = { type: 'MultiPoint', coordinates: positions };
        const result = validateGeometry(geometry, AT);
        expect('geometry' in result).toBe(true);
        const [minLon, minLat, maxLon, maxLat] = bboxOf(geometry as Geometry);
        for (const [lon, lat] of positions) {
          expect(lon >= minLon && lon <= maxLon && lat >= minLat && lat <= maxLat).toBe(true);
        }
      }),
    );
  });
});

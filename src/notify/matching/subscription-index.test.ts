import booleanIntersects from '@turf/boolean-intersects';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import fc from 'fast-check';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { cutAtAntimeridian } from '../../geo/antimeridian.ts';
import {
  buildSubscriptionIndex,
  type CircleArea,
  DENSIFY_DEGREES,
  EARTH_RADIUS_KM,
  type IndexedSubscription,
  type SubscriptionArea,
  type WarningArea,
} from './subscription-index.ts';

/** Length of one degree of a great circle. */
const KM_PER_DEGREE = (Math.PI * EARTH_RADIUS_KM) / 180;

const box = (x0: number, y0: number, x1: number, y1: number): Position[] => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
  [x0, y0],
];
const polygon = (...rings: Position[][]): Polygon => ({ type: 'Polygon', coordinates: rings });
const multi = (...polygons: Position[][][]): MultiPolygon => ({
  type: 'MultiPolygon',
  coordinates: polygons,
});
const point = (lon: number, lat: number): SubscriptionArea => ({ kind: 'point', lon, lat });
const circle = (lon: number, lat: number, radiusKm: number): CircleArea => ({
  kind: 'circle',
  lon,
  lat,
  radiusKm,
});
const area = (geometry: Polygon | MultiPolygon): SubscriptionArea => ({ kind: 'polygon', geometry });

/** Matches the areas, numbered 1, 2, 3 … in order, against the warning. */
function match(areas: readonly SubscriptionArea[], warning: WarningArea): number[] {
  return buildSubscriptionIndex(areas.map((a, i) => ({ id: i + 1, area: a }))).matching(warning);
}

describe('points', () => {
  const withHole = polygon(box(0, 0, 10, 10), box(4, 4, 6, 6).reverse());

  it('match inside a polygon and on its boundary, not outside or in a hole', () => {
    const points = [
      point(2, 2), // inside
      point(11, 2), // outside
      point(10, 5), // on an edge
      point(0, 0), // on a vertex
      point(5, 5), // in the hole
      point(4, 5), // on the hole's edge
      point(6, 6), // on the hole's vertex
      point(5, 10.000001), // just outside
    ];
    expect(match(points, withHole)).toEqual([1, 3, 4, 6, 7]);
  });

  it('match any part of a multipolygon', () => {
    const warning = multi([box(0, 0, 1, 1)], [box(5, 5, 6, 6)]);
    expect(match([point(5.5, 5.5), point(3, 3), point(0.5, 0.5)], warning)).toEqual([1, 3]);
  });

  it('match a circle by great-circle distance', () => {
    // One degree of longitude along the equator.
    const d = KM_PER_DEGREE;
    expect(match([point(1, 0)], circle(0, 0, d * (1 + 1e-9)))).toEqual([1]);
    expect(match([point(1, 0)], circle(0, 0, d * (1 - 1e-9)))).toEqual([]);
    // At 60° N a degree of longitude is about half as long, and the shortest path bends poleward.
    const at60 = Math.acos(
      Math.sin(60 * (Math.PI / 180)) ** 2 + Math.cos(60 * (Math.PI / 180)) ** 2 * Math.cos(Math.PI / 180),
    );
    const km = (at60 * 180 * KM_PER_DEGREE) / Math.PI;
    expect(km).toBeCloseTo(55.6, 1);
    expect(match([point(10, 60)], circle(11, 60, km * (1 + 1e-9)))).toEqual([1]);
    expect(match([point(10, 60)], circle(11, 60, km * (1 - 1e-9)))).toEqual([]);
  });

  it('match a circle over a pole', () => {
    // 0.2° apart through the North Pole, though 180° apart in longitude.
    expect(match([point(10, 89.9), point(10, 89.5)], circle(-170, 89.9, 25))).toEqual([1]);
  });
});

describe('circles', () => {
  it('match a polygon that holds the centre, or whose edge is within the radius', () => {
    const square = polygon(box(0, 0, 1, 1));
    // Centre 0.1° east of the meridian edge at 1° E: 11.12 km away.
    expect(match([circle(0.5, 0.5, 1), circle(1.1, 0.5, 12), circle(1.1, 0.5, 11)], square)).toEqual([1, 2]);
    // A circle holding the whole polygon, centre outside it.
    expect(match([circle(1.5, 1.5, 500)], square)).toEqual([1]);
  });

  it('reach into a hole only as far as their radius', () => {
    const withHole = polygon(box(0, 0, 10, 10), box(2, 2, 8, 8).reverse());
    // The centre is in the hole, ≈ 332 km from its nearest edges (the meridians at 2° and 8°).
    expect(match([circle(5, 5, 300), circle(5, 5, 340), circle(1, 5, 1)], withHole)).toEqual([2, 3]);
  });

  it('match a circle when the distance between centres is at most the sum of the radii', () => {
    const d = KM_PER_DEGREE;
    expect(match([circle(1, 0, d / 2 + 1e-6)], circle(0, 0, d / 2))).toEqual([1]);
    expect(match([circle(1, 0, d / 2 - 1e-6)], circle(0, 0, d / 2))).toEqual([]);
  });

  it('as a warning, match polygons by the same rules', () => {
    const square = area(polygon(box(0, 0, 1, 1)));
    const ring = area(polygon(box(-5, -5, 5, 5), box(-4, -4, 4, 4).reverse()));
    expect(match([square, ring], circle(0.5, 0.5, 1))).toEqual([1]);
    expect(match([square, ring], circle(1.1, 0.5, 12))).toEqual([1]);
    expect(match([square, ring], circle(1.1, 0.5, 11))).toEqual([]);
    // Centre in the ring's hole, 1° from its inner edge at 4° E.
    expect(match([ring], circle(3, 0, 112))).toEqual([1]);
    expect(match([ring], circle(3, 0, 110))).toEqual([]);
  });

  it('measure to a long edge along great-circle arcs between points at most DENSIFY_DEGREES apart', () => {
    // A 20° edge along the parallel 50° N, the circle's centre 0.05° north of its middle. One great-circle arc
    // from end to end would bulge to 50.43° N, past the centre, and leave it 42 km from the boundary.
    const strip = polygon(box(0, 49, 20, 50));
    const northOfEdgeKm = 0.05 * KM_PER_DEGREE;
    expect(DENSIFY_DEGREES).toBe(0.05);
    expect(match([circle(10, 50.05, northOfEdgeKm * 0.999)], strip)).toEqual([]);
    expect(match([circle(10, 50.05, northOfEdgeKm * 1.001)], strip)).toEqual([1]);
  });
});

describe('polygons', () => {
  const warning = polygon(box(0, 0, 10, 10), box(4, 4, 6, 6).reverse());

  it.each([
    ['overlapping', box(9, 9, 11, 11), true],
    ['disjoint', box(11, 11, 12, 12), false],
    ['sharing an edge', box(10, 0, 11, 10), true],
    ['touching at a corner', box(10, 10, 11, 11), true],
    ['inside', box(1, 1, 2, 2), true],
    ['around the whole warning', box(-1, -1, 11, 11), true],
    ['inside the hole', box(4.5, 4.5, 5.5, 5.5), false],
    ['filling the hole exactly', box(4, 4, 6, 6), true],
    ['across the hole’s edge', box(5, 5, 7, 7), true],
  ] as const)('match when %s: %s', (_, ring, expected) => {
    expect(match([area(polygon(ring))], warning)).toEqual(expected ? [1] : []);
  });

  it('do not match a warning that lies in their own hole', () => {
    const donut = polygon(box(-10, -10, 20, 20), box(-1, -1, 11, 11).reverse());
    expect(match([area(donut)], warning)).toEqual([]);
    expect(match([area(donut)], polygon(box(10.5, 10.5, 12, 12)))).toEqual([1]);
  });

  it('match through any part of a multipolygon, on either side', () => {
    const parts = multi([box(20, 20, 21, 21)], [box(9, 9, 11, 11)]);
    expect(match([area(parts), area(multi([box(20, 20, 21, 21)]))], warning)).toEqual([1]);
    expect(
      match([area(polygon(box(20.5, 20.5, 22, 22)))], multi([box(0, 0, 1, 1)], [box(20, 20, 21, 21)])),
    ).toEqual([1]);
  });
});

describe('the antimeridian', () => {
  // Vanua Levu and Taveuni, Fiji: a subscription drawn across 180°, as a user would draw it.
  const fiji = area(
    polygon([
      [178.5, -17.2],
      [-179.6, -17.2],
      [-179.6, -15.9],
      [178.5, -15.9],
      [178.5, -17.2],
    ]),
  );

  it('matches a subscription across 180° with warnings on either side, not elsewhere', () => {
    expect(match([fiji], polygon(box(179, -16.8, 179.5, -16.5)))).toEqual([1]);
    expect(match([fiji], polygon(box(-179.9, -16.8, -179.7, -16.5)))).toEqual([1]);
    expect(match([fiji], polygon(box(-179.5, -16.8, -179, -16.5)))).toEqual([]);
    expect(match([fiji], polygon(box(170, -17, 171, -16)))).toEqual([]);
    expect(match([fiji], circle(-179.5, -16.5, 5))).toEqual([]);
    expect(match([fiji], circle(-179.5, -16.5, 15))).toEqual([1]);
  });

  it('matches a circle at 179.9° E with a point at 179.9° W', () => {
    // 0.2° of longitude at 17° S: ≈ 21 km.
    expect(match([point(-179.9, -17), point(-179.4, -17)], circle(179.9, -17, 50))).toEqual([1]);
    expect(match([circle(179.9, -17, 50)], polygon(box(-179.8, -17.5, -179.5, -16.5)))).toEqual([1]);
  });

  it('cuts a warning drawn across 180°', () => {
    const warning = polygon([
      [179, -1],
      [-179, -1],
      [-179, 1],
      [179, 1],
      [179, -1],
    ]);
    expect(match([point(179.5, 0), point(-179.5, 0), point(0, 0), point(178, 0)], warning)).toEqual([1, 2]);
  });

  it('treats longitudes 180 and −180 as one meridian', () => {
    expect(match([point(-180, -17), point(180, 10)], polygon(box(179, -18, 180, -16)))).toEqual([1]);
    expect(match([point(180, 10)], polygon(box(-180, 9, -179, 11)))).toEqual([1]);
    expect(match([area(polygon(box(-180, 0, -179, 1)))], polygon(box(179, 0.5, 180, 2)))).toEqual([1]);
  });
});

describe('buildSubscriptionIndex', () => {
  it('returns ids ascending and once, whatever the order given', () => {
    const index = buildSubscriptionIndex([
      { id: 30, area: point(0.5, 0.5) },
      { id: 7, area: circle(0.5, 0.5, 10) },
      { id: 30, area: point(0.6, 0.6) },
      { id: 12, area: area(multi([box(0, 0, 1, 1)], [box(0, 2, 1, 3)])) },
    ]);
    expect(index.size).toBe(4);
    expect(index.matching(polygon(box(0, 0, 1, 3)))).toEqual([7, 12, 30]);
    expect(index.matching(circle(0.5, 2.5, 1))).toEqual([12]);
  });

  it('matches nothing when empty', () => {
    const index = buildSubscriptionIndex([]);
    expect(index.size).toBe(0);
    expect(index.matching(polygon(box(0, 0, 1, 1)))).toEqual([]);
  });

  it('refuses a circle without a valid radius', () => {
    expect(() => buildSubscriptionIndex([{ id: 4, area: circle(0, 0, -1) }])).toThrow(/subscription 4/);
    expect(() => buildSubscriptionIndex([{ id: 5, area: circle(0, 0, Number.NaN) }])).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Brute force: every subscription against the warning, no index, with turf for the plane and bearings and
// haversines (an independent formulation) for the sphere.

const RAD = Math.PI / 180;

function haversine(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const a =
    Math.sin(((lat2 - lat1) * RAD) / 2) ** 2 +
    Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(((lon2 - lon1) * RAD) / 2) ** 2;
  return 2 * Math.atan2(Math.sqrt(a), Math.sqrt(1 - a));
}

function bearing(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const dLon = (lon2 - lon1) * RAD;
  return Math.atan2(
    Math.sin(dLon) * Math.cos(lat2 * RAD),
    Math.cos(lat1 * RAD) * Math.sin(lat2 * RAD) -
      Math.sin(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.cos(dLon),
  );
}

/** Angle from p to the arc a→b by cross-track distance, when p lies ahead of both ends; else to the nearer end. */
function arcAngle(a: Position, b: Position, p: Position): number {
  const [ax, ay] = a as [number, number];
  const [bx, by] = b as [number, number];
  const [px, py] = p as [number, number];
  const toA = haversine(ax, ay, px, py);
  const toB = haversine(bx, by, px, py);
  if (haversine(ax, ay, bx, by) === 0) return Math.min(toA, toB);
  const fromA = Math.cos(bearing(ax, ay, px, py) - bearing(ax, ay, bx, by));
  const fromB = Math.cos(bearing(bx, by, px, py) - bearing(bx, by, ax, ay));
  if (fromA >= 0 && fromB >= 0) {
    return Math.abs(Math.asin(Math.sin(toA) * Math.sin(bearing(ax, ay, px, py) - bearing(ax, ay, bx, by))));
  }
  return Math.min(toA, toB);
}

function boundaryAngle(geometry: Polygon | MultiPolygon, p: Position): number {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  let best = Number.POSITIVE_INFINITY;
  for (const ring of polygons.flat()) {
    for (let i = 1; i < ring.length; i++) {
      const [x1, y1] = ring[i - 1] as [number, number];
      const [x2, y2] = ring[i] as [number, number];
      const pieces = Math.ceil(Math.hypot(x2 - x1, y2 - y1) / DENSIFY_DEGREES);
      for (let j = 0; j < pieces; j++) {
        const a = [x1 + ((x2 - x1) * j) / pieces, y1 + ((y2 - y1) * j) / pieces];
        const b = [x1 + ((x2 - x1) * (j + 1)) / pieces, y1 + ((y2 - y1) * (j + 1)) / pieces];
        best = Math.min(best, arcAngle(a, b, p));
      }
    }
  }
  return best;
}

const km = (angle: number) => (angle * 180 * KM_PER_DEGREE) / Math.PI;

function bruteMatch(sub: SubscriptionArea, warning: WarningArea): boolean {
  if ('kind' in warning) {
    const c = [warning.lon, warning.lat];
    switch (sub.kind) {
      case 'point':
        return km(haversine(sub.lon, sub.lat, warning.lon, warning.lat)) <= warning.radiusKm;
      case 'circle':
        return km(haversine(sub.lon, sub.lat, warning.lon, warning.lat)) <= warning.radiusKm + sub.radiusKm;
      default: {
        const cut = cutAtAntimeridian(sub.geometry);
        return booleanPointInPolygon(c, cut) || km(boundaryAngle(cut, c)) <= warning.radiusKm;
      }
    }
  }
  const cut = cutAtAntimeridian(warning);
  switch (sub.kind) {
    case 'point':
      return booleanPointInPolygon([sub.lon, sub.lat], cut);
    case 'circle':
      return (
        booleanPointInPolygon([sub.lon, sub.lat], cut) ||
        km(boundaryAngle(cut, [sub.lon, sub.lat])) <= sub.radiusKm
      );
    default:
      return booleanIntersects(cutAtAntimeridian(sub.geometry), cut);
  }
}

function bruteMatches(subscriptions: readonly IndexedSubscription[], warning: WarningArea): number[] {
  const hits = subscriptions.filter((s) => bruteMatch(s.area, warning));
  return [...new Set(hits.map((s) => s.id))].sort((a, b) => a - b);
}

// Random small worlds: shapes placed in km around a centre, half the time on the antimeridian.

interface World {
  readonly lon: number;
  readonly lat: number;
}

function at(world: World, dxKm: number, dyKm: number): Position {
  const lon = world.lon + dxKm / (KM_PER_DEGREE * Math.cos(world.lat * RAD));
  return [((((lon + 180) % 360) + 360) % 360) - 180, world.lat + dyKm / KM_PER_DEGREE];
}

const offset = fc.double({ min: -150, max: 150, noNaN: true });
const star = fc.array(
  fc.tuple(fc.double({ min: 0, max: 0.5, noNaN: true }), fc.double({ min: 0.6, max: 1, noNaN: true })),
  {
    minLength: 5,
    maxLength: 9,
  },
);
const shape = fc.record({
  dx: offset,
  dy: offset,
  sizeKm: fc.double({ min: 1, max: 80, noNaN: true }),
  vertices: star,
  hole: fc.boolean(),
  second: fc.option(
    fc.record({ angle: fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }), vertices: star }),
    {
      nil: undefined,
    },
  ),
});
type Shape = typeof shape extends fc.Arbitrary<infer T> ? T : never;

/** A star-shaped ring around (dx, dy) km, counter-clockwise; holes are smaller and clockwise. */
function starRing(
  world: World,
  dx: number,
  dy: number,
  sizeKm: number,
  vertices: readonly [number, number][],
) {
  const ring = vertices.map(([jitter, radius], i) => {
    const angle = ((i + jitter) * 2 * Math.PI) / vertices.length;
    return at(world, dx + sizeKm * radius * Math.cos(angle), dy + sizeKm * radius * Math.sin(angle));
  });
  return [...ring, ring[0]!];
}

function geometryOf(world: World, s: Shape): Polygon | MultiPolygon {
  const rings = [starRing(world, s.dx, s.dy, s.sizeKm, s.vertices)];
  if (s.hole)
    rings.push(
      starRing(world, s.dx, s.dy, s.sizeKm * 0.2, [
        [0, 1],
        [0, 1],
        [0, 1],
        [0, 1],
        [0, 1],
      ]).reverse(),
    );
  if (s.second === undefined) return polygon(...rings);
  // 2.5 sizes away: the parts (each within one size of its centre) stay apart.
  const dx = s.dx + 2.5 * s.sizeKm * Math.cos(s.second.angle);
  const dy = s.dy + 2.5 * s.sizeKm * Math.sin(s.second.angle);
  return multi(rings, [starRing(world, dx, dy, s.sizeKm * 0.5, s.second.vertices)]);
}

const circleShape = fc.record({
  dx: offset,
  dy: offset,
  radiusKm: fc.double({ min: 1, max: 120, noNaN: true }),
});

const subscriptionShape = fc.oneof(
  fc.record({ kind: fc.constant('point' as const), dx: offset, dy: offset }),
  fc.record({ kind: fc.constant('circle' as const), circle: circleShape }),
  fc.record({ kind: fc.constant('polygon' as const), shape }),
);

const worldArbitrary = fc.record({
  world: fc.record({
    lon: fc.oneof(
      fc.double({ min: -179, max: 179, noNaN: true }),
      fc.double({ min: 179.6, max: 180.4, noNaN: true }),
    ),
    lat: fc.double({ min: -70, max: 70, noNaN: true }),
  }),
  subscriptions: fc.array(subscriptionShape, { minLength: 1, maxLength: 25 }),
  warning: fc.oneof(
    fc.record({ kind: fc.constant('polygon' as const), shape }),
    fc.record({ kind: fc.constant('circle' as const), circle: circleShape }),
  ),
});

describe('matching against brute force', () => {
  it('finds exactly what testing every subscription finds, on random small worlds', () => {
    fc.assert(
      fc.property(worldArbitrary, ({ world, subscriptions, warning }) => {
        const indexed: IndexedSubscription[] = subscriptions.map((s, i) => {
          const id = i + 1;
          if (s.kind === 'point') {
            const [lon, lat] = at(world, s.dx, s.dy) as [number, number];
            return { id, area: point(lon, lat) };
          }
          if (s.kind === 'circle') {
            const [lon, lat] = at(world, s.circle.dx, s.circle.dy) as [number, number];
            return { id, area: circle(lon, lat, s.circle.radiusKm) };
          }
          return { id, area: area(geometryOf(world, s.shape)) };
        });
        let warningArea: WarningArea;
        if (warning.kind === 'circle') {
          const [lon, lat] = at(world, warning.circle.dx, warning.circle.dy) as [number, number];
          warningArea = circle(lon, lat, warning.circle.radiusKm);
        } else {
          warningArea = geometryOf(world, warning.shape);
        }
        expect(buildSubscriptionIndex(indexed).matching(warningArea)).toEqual(
          bruteMatches(indexed, warningArea),
        );
      }),
      { numRuns: 400 },
    );
  });
});

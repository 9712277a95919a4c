/**
 * Golden files for 30x30 cleaning (Turf's habit): test/in/nature-*.geojson → test/out/nature-*.geojson. Overlap
 * dissolving, point buffering, clipping to land and sea, and the STATUS_YR series. The outputs were generated once,
 * checked by hand, and committed; regenerate on purpose with REGEN=1.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { Feature, Geometry } from 'geojson';

import { describe, expect, it } from 'vitest';
import { countryCoverage } from '../src/nature/coverage.ts';
import { cleanSites, dissolveSites } from '../src/nature/protected-area-cleaning.ts';
import { countryByCode, worldLand } from '../src/nature/protected-area-service.ts';
import { readWdpaFeatures } from '../src/nature/wdpa-record.ts';

/** RFC 7946 §3.2: an unlocated feature has a null geometry. */
type GoldenFeature = Omit<Feature, 'geometry'> & { geometry: Geometry | null };
type GoldenCollection = { type: 'FeatureCollection'; features: GoldenFeature[] };

// A fixed year: the golden files must not change with the calendar.
const THIS_YEAR = 2025;

function read(input: unknown) {
  const reading = readWdpaFeatures(input, THIS_YEAR);
  expect(reading.problems).toEqual([]);
  const { cleaned, excluded } = cleanSites(reading.sites, worldLand());
  return { cleaned, excluded: [...reading.excluded, ...excluded] };
}

const collection = (features: GoldenFeature[]): GoldenCollection => ({ type: 'FeatureCollection', features });

const CASES: Record<string, (input: unknown) => GoldenCollection> = {
  overlap: (input) => {
    const { cleaned } = read(input);
    const dissolved = dissolveSites(cleaned);
    return collection([
      {
        type: 'Feature',
        geometry: dissolved.onLand,
        properties: {
          sites: cleaned.length,
          dissolved_land_km2: dissolved.onLandKm2,
          sum_of_sites_km2: cleaned.reduce((n, s) => n + s.onLandKm2, 0),
        },
      },
    ]);
  },
  'point-buffer': (input) =>
    collection(
      read(input).cleaned.map((s) => ({
        type: 'Feature',
        geometry: s.geometry,
        properties: { WDPAID: s.wdpaId, point_only: s.pointOnly, REP_AREA: s.repArea, land_km2: s.onLandKm2 },
      })),
    ),
  'land-sea': (input) =>
    collection(
      read(input).cleaned.flatMap((s) => [
        {
          type: 'Feature' as const,
          geometry: s.onLand,
          properties: { WDPAID: s.wdpaId, MARINE: s.marine, part: 'land', km2: s.onLandKm2 },
        },
        {
          type: 'Feature' as const,
          geometry: s.atSea,
          properties: { WDPAID: s.wdpaId, MARINE: s.marine, part: 'sea', km2: s.atSeaKm2 },
        },
      ]),
    ),
  series: (input) => {
    const { cleaned, excluded } = read(input);
    const coverage = countryCoverage({ country: countryByCode('KE')!, sites: cleaned, thisYear: THIS_YEAR });
    return collection([
      ...coverage.series.map((point) => ({
        type: 'Feature' as const,
        geometry: null,
        properties: { ...point },
      })),
      {
        type: 'Feature',
        geometry: null,
        properties: {
          now: coverage.terrestrial,
          sites_without_year: coverage.sites_without_year,
          target: coverage.target,
          excluded: excluded.map((e) => ({ WDPAID: e.wdpaId, reason: e.reason })),
        },
      },
    ]);
  },
};

/** Equal but for numbers, which may differ by 1e-9 (relative for large ones: km²). */
function expectClose(actual: unknown, expected: unknown, path = ''): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    const tolerance = 1e-9 * Math.max(1, Math.abs(expected));
    if (Math.abs(actual - expected) > tolerance) expect.fail(`${path}: ${actual} is not ${expected}`);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) expect.fail(`${path}: lengths differ`);
    for (const [i, e] of expected.entries()) expectClose((actual as unknown[])[i], e, `${path}/${i}`);
    return;
  }
  if (typeof expected === 'object' && expected !== null) {
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(expected).sort());
    for (const [k, v] of Object.entries(expected))
      expectClose((actual as Record<string, unknown>)[k], v, `${path}/${k}`);
    return;
  }
  expect(actual, path).toEqual(expected);
}

describe('30x30 golden files', () => {
  for (const [name, run] of Object.entries(CASES)) {
    it(`test/in/nature-${name}.geojson → test/out/nature-${name}.geojson`, async () => {
      const input = JSON.parse(await readFile(`test/in/nature-${name}.geojson`, 'utf8'));
      const output = run(input);
      const file = `test/out/nature-${name}.geojson`;
      if (process.env.REGEN === '1') await writeFile(file, `${JSON.stringify(output, null, 1)}\n`);
      const committed = JSON.parse(await readFile(file, 'utf8').catch(() => 'null'));
      expect(
        committed,
        `${file} is missing: run REGEN=1 npx vitest run test/nature-golden.test.ts`,
      ).not.toBeNull();
      expectClose(output, committed);
    });
  }
});

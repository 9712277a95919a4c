/** @module The world's countries from Natural Earth 1:50m (public domain), as shipped in the npm package world-atlas (ISC), keyed by ISO 3166-1. */
import { createRequire } from 'node:module';
import rewind from '@turf/rewind';
import type { MultiPolygon, Polygon } from 'geojson';
import countries from 'i18n-iso-countries';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { cutAtAntimeridian } from './antimeridian.ts';

export interface Country {
  /** ISO 3166-1 alpha-2, or a slug for the few Natural Earth units without one. */
  readonly code: string;
  readonly isoAlpha2: string | null;
  readonly isoAlpha3: string | null;
  readonly isoNumeric: string | null;
  readonly name: string;
  readonly geometry: Polygon | MultiPolygon;
}

/** Natural Earth units without an ISO 3166-1 numeric code; Kosovo has the user-assigned XK used by the EU and UN agencies. */
const NO_NUMERIC_CODE: Readonly<Record<string, string | null>> = { Kosovo: 'XK' };

export const NATURAL_EARTH_SOURCE = 'Natural Earth 1:50m Admin 0 (public domain) via world-atlas 2 (ISC)';

export function naturalEarthCountries(): Country[] {
  const require = createRequire(import.meta.url);
  const topology = require('world-atlas/countries-50m.json') as Topology<{
    countries: GeometryCollection<{ name: string }>;
  }>;
  const collection = feature(topology, topology.objects.countries);
  const byCode = new Map<string, Country>();
  for (const f of collection.features) {
    const geometry = f.geometry;
    if (geometry?.type !== 'Polygon' && geometry?.type !== 'MultiPolygon') continue;
    const name = f.properties.name;
    const numeric = typeof f.id === 'string' ? f.id : null;
    const alpha2 = numeric ? (countries.numericToAlpha2(numeric) ?? null) : (NO_NUMERIC_CODE[name] ?? null);
    const alpha3 = numeric ? (countries.numericToAlpha3(numeric) ?? null) : null;
    // d3/world-atlas wind exterior rings clockwise; RFC 7946 §3.1.6 asks for counter-clockwise.
    // Natural Earth rings that straddle ±180° (Russia, Fiji, Antarctica) are cut there (RFC 7946 §3.1.9).
    const rfc7946 = cutAtAntimeridian(rewind(geometry, { mutate: true }) as Polygon | MultiPolygon);
    const code = alpha2 ?? `ne-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
    const earlier = byCode.get(code);
    // Natural Earth gives some territories their own unit under the sovereign's ISO code
    // (Ashmore and Cartier Is. under Australia's 036): one area per code, so they are merged.
    byCode.set(
      code,
      earlier
        ? {
            ...earlier,
            geometry: {
              type: 'MultiPolygon',
              coordinates: [...polygonsOf(earlier.geometry), ...polygonsOf(rfc7946)],
            },
          }
        : { code, isoAlpha2: alpha2, isoAlpha3: alpha3, isoNumeric: numeric, name, geometry: rfc7946 },
    );
  }
  return [...byCode.values()];
}

function polygonsOf(geometry: Polygon | MultiPolygon): Polygon['coordinates'][] {
  return geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
}

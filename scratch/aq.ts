import { naturalEarthCountries } from '../src/geo/natural-earth-countries.ts';
import { containsPoint } from '../src/geo/area-membership.ts';
const cs = naturalEarthCountries();
console.log(cs.filter((c) => c.name.startsWith('Antar')).map((c) => [c.code, c.geometry.type, (c.geometry as any).coordinates.length]));
const aq = cs.find((c) => c.name === 'Antarctica')!;
console.log(containsPoint(aq.geometry, 0, -85), containsPoint(aq.geometry, 0, -80), containsPoint(aq.geometry, 100, -80));
import { createRequire } from 'node:module';
import { feature } from 'topojson-client';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
const t = createRequire(import.meta.url)('world-atlas/countries-50m.json');
const f = (feature(t, t.objects.countries) as any).features.find((x: any) => x.properties.name === 'Antarctica');
console.log('raw', booleanPointInPolygon([0, -85], f.geometry));
const big = f.geometry.coordinates.find((p: any) => p[0].length === 257);
console.log('big only', booleanPointInPolygon([0, -85], { type: 'Polygon', coordinates: big }), big.length);
for (const r of big) { const lats = r.map((q: number[]) => q[1]); const lons = r.map((q: number[]) => q[0]); console.log(r.length, Math.min(...lats), Math.max(...lats), Math.min(...lons), Math.max(...lons)); }

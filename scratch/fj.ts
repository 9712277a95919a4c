import { naturalEarthCountries } from '../src/geo/natural-earth-countries.ts';
import { containsPoint } from '../src/geo/area-membership.ts';
import { bboxOf } from '../src/geo/geojson-validation.ts';
const cs = naturalEarthCountries();
for (const code of ['FJ', 'RU', 'BD', 'KE']) {
  const c = cs.find((x) => x.code === code)!;
  console.log(code, c.geometry.type, bboxOf(c.geometry), containsPoint(c.geometry, 178.44, -18.14), containsPoint(c.geometry, 177.5, 64.73), containsPoint(c.geometry, 90.38, 23.78), containsPoint(c.geometry, 36.8, -1.3));
}
const fj = cs.find((x) => x.code === 'FJ')!;
const polys = fj.geometry.type === 'MultiPolygon' ? fj.geometry.coordinates : [fj.geometry.coordinates];
for (const p of polys) { const lons = p[0]!.map((q) => q[0]!); console.log(p[0]!.length, Math.min(...lons), Math.max(...lons)); }
for (const p of polys) { const lons = p[0]!.map((q) => q[0]!); if (Math.max(...lons) - Math.min(...lons) > 180) console.log(JSON.stringify(p)); }
const ru = cs.find((x) => x.code === 'RU')!;
for (const p of (ru.geometry as any).coordinates) { const lons = p[0].map((q: number[]) => q[0]); if (Math.max(...lons) - Math.min(...lons) > 180) console.log('RU wide', p[0].length, Math.min(...p[0].map((q: number[]) => q[1])), Math.max(...p[0].map((q: number[]) => q[1]))); }
console.log(containsPoint(fj.geometry, 178.0, -17.8), containsPoint(ru.geometry, -173.5, 66.2), containsPoint(fj.geometry, 0, -16.5));
for (const c of cs) { const g: any = c.geometry; const ps = g.type === 'Polygon' ? [g.coordinates] : g.coordinates; for (const p of ps) { const lons = p[0].map((q: number[]) => q[0]); if (Math.max(...lons) - Math.min(...lons) > 180) console.log('wide', c.code, p[0].length); } }

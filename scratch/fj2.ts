import { naturalEarthCountries } from '../src/geo/natural-earth-countries.ts';
import { containsPoint } from '../src/geo/area-membership.ts';
const fj = naturalEarthCountries().find((x) => x.code === 'FJ')!;
for (const p of (fj.geometry as any).coordinates) { const r = p[0]; const lon = r.reduce((s: number, q: number[]) => s + q[0], 0) / r.length; const lat = r.reduce((s: number, q: number[]) => s + q[1], 0) / r.length; if (lon < 0) console.log(r.length, lon.toFixed(3), lat.toFixed(3), containsPoint(fj.geometry, lon, lat)); }

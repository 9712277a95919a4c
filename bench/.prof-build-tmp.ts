import { cutAtAntimeridian } from '../src/geo/antimeridian.ts';
import { buildSubscriptionIndex } from '../src/notify/matching/subscription-index.ts';
import { generateSubscriptions } from './match.ts';

const subs = generateSubscriptions(Number(process.argv[2] ?? 200000), 20240611);
const polys = subs.filter((s) => s.area.kind === 'polygon');
let t = performance.now();
let crossing = 0;
for (const s of polys)
  if (s.area.kind === 'polygon' && cutAtAntimeridian(s.area.geometry) !== s.area.geometry) crossing++;
console.log('cut all', (performance.now() - t).toFixed(0), 'ms', crossing, 'crossing');
t = performance.now();
buildSubscriptionIndex(polys);
console.log('build polygons', (performance.now() - t).toFixed(0), 'ms');
t = performance.now();
buildSubscriptionIndex(subs.filter((s) => s.area.kind !== 'polygon'));
console.log('build others', (performance.now() - t).toFixed(0), 'ms');

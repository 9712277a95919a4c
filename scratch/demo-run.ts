import { createServices } from '../src/app.ts';
import { DEFAULTS } from '../src/config.ts';
import { startDemo } from '../src/demo/demo.ts';
import { openDatabase } from '../src/store/database.ts';
import { sql } from 'kysely';

const config = { ...DEFAULTS, dataDir: 'memory://', databaseUrl: undefined, adminKey: undefined, logLevel: 'info' };
let t = performance.now();
const services = await createServices(config, await openDatabase({ dataDir: 'memory://' }));
console.log('services', ((performance.now() - t) / 1000).toFixed(1), 's');
let clock = Date.now();
t = performance.now();
const handle = await startDemo(services, { backfillDays: 3, feedIntervalMs: 500, now: () => clock, log: (m) => console.log(m) });
console.log('startDemo total', ((performance.now() - t) / 1000).toFixed(1), 's', handle.organisations);
const db = services.database.db;
const q = async (s: string) => (await sql.raw(s).execute(db)).rows;
console.log(await q(`select count(*)::int n, qc_flag, qc_rule from observation group by 2,3 order by 2,3`));
console.log(await q(`select se.code, count(o.*)::int n, min(o.time) first, max(o.time) last from series se left join observation o on o.series_id = se.id group by se.code order by se.code`));
console.log(await q(`select kind, count(*)::int from event group by kind`));
console.log(await q(`select a.code, a.kind, array_agg(s.code order by s.code) stations from area a join station_area sa on sa.area_id = a.id join station s on s.id = sa.station_id where a.organisation_id is not null or a.iso_code in ('BD','KE','BR','CN') group by a.code, a.kind order by 1`));
console.log(await q(`select code, last_observation_at from station order by code`));
// feed: advance the clock by 10 minutes and wait for a feed tick
const before = (await q(`select count(*)::int n from observation`))[0];
clock += 10 * 60_000;
await new Promise((r) => setTimeout(r, 2000));
const after = (await q(`select count(*)::int n from observation`))[0];
console.log('feed', before, after);
await handle.stop();
// idempotent restart
t = performance.now();
const again = await startDemo(services, { backfillDays: 3, feedIntervalMs: 0, now: () => clock, log: (m) => console.log(m) });
console.log('restart', ((performance.now() - t) / 1000).toFixed(1), 's', again.organisations);
console.log(await q(`select count(*)::int n from observation`), await q(`select count(*)::int from organisation`));
await again.stop();
await services.database.close();

import { createServices } from '../src/app.ts';
import { openDatabase } from '../src/store/database.ts';
import { parseObservations } from '../src/ingest/observation-parser.ts';
import pg from 'pg';
const admin = new pg.Client('postgres://postgres@127.0.0.1:5432/test'); await admin.connect();
await admin.query('drop database if exists ew4e_prof'); await admin.query('create database ew4e_prof');
const database = await openDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:5432/ew4e_prof' });
const services = await createServices({ port: 1, host: '', dataDir: '', databaseUrl: undefined, adminKey: undefined, logLevel: 'silent', maxBatchRows: 50000, maxBodyBytes: 1e8 }, database);
const db = database.db;
const org = services.globalOrganisationId;
const src = await db.insertInto('source').values({ organisation_id: org, code: 's', name: 's', provider: 'p', licence: 'l', provenance: 'p' }).returning('id').executeTakeFirstOrThrow();
const ids: number[] = [];
for (let i = 0; i < 100; i++) {
  const st = await db.insertInto('station').values({ organisation_id: org, source_id: src.id, code: `st${i}`, name: 'x', sense: 'ground_station', lon: 0, lat: 0, expected_cadence_s: 60, properties: '{}' }).returning('id').executeTakeFirstOrThrow();
  const se = await db.insertInto('series').values({ organisation_id: org, station_id: st.id, variable_code: 'pm25', code: `st${i}:pm25`, unit: 'µg/m³', qc_override: '{}' }).returning('id').executeTakeFirstOrThrow();
  ids.push(se.id);
}
const caller = { keyId: 0, organisationId: org, role: 'admin' as const, readableOrganisationIds: [org] };
const t0 = Math.floor(Date.now() / 86400000 - 5) * 86400000;
let k = 0;
const t = { parse: 0, validate: 0, store: 0 };
for (let b = 0; b < 40; b++) {
  let csv = 'series,time,value\n';
  for (let i = 0; i < 5000; i++, k++) csv += `${ids[k % 100]},${new Date(t0 + Math.floor(k / 100) * 60000).toISOString()},${20 + (k % 40)}\n`;
  let s = performance.now();
  const parsed = parseObservations(csv, 'csv'); t.parse += performance.now() - s; s = performance.now();
  const v = await services.observationIngest.validate(caller, parsed); t.validate += performance.now() - s; s = performance.now();
  { const s2 = performance.now(); let x = ''; for (const r of v.rows) x += `${r.series.id}\t${new Date(r.timeMs).toISOString()}\t${r.value}\t0\t0\n`; (t as any).tsvOnly = ((t as any).tsvOnly ?? 0) + performance.now() - s2; }
  { const s2 = performance.now(); let x = ''; for (const r of v.rows) x += `${r.series.id}\t${new Date(r.timeMs).toISOString()}\t${r.value}\t0\t0\n`; await database.copyFrom('observation_y2000m01', ['series_id','time','value','qc_flag','qc_rule'], '').catch(() => 0); (t as any).noop = ((t as any).noop ?? 0) + performance.now() - s2; }
  await services.observationIngest.store(v.rows); t.store += performance.now() - s;
}
console.log(Object.fromEntries(Object.entries(t).map(([a, b]) => [a, (b / 40).toFixed(2) + ' ms/batch'])));
await database.close(); await admin.query('drop database ew4e_prof'); await admin.end();

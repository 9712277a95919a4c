import { spawn } from 'node:child_process';
import pg from 'pg';
import { openDatabase } from '../src/store/database.ts';
const admin = new pg.Client('postgres://postgres@127.0.0.1:5432/test'); await admin.connect();
await admin.query('drop database if exists ew4e_bc with (force)'); await admin.query('create database ew4e_bc');
const url = 'postgres://postgres@127.0.0.1:5432/ew4e_bc';
const port = 31234; const base = `http://127.0.0.1:${port}`; const key = 'bench-admin-key-0123456789';
const child = spawn(process.execPath, ['bin/ew4e.mjs', 'serve'], { env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: url, EW4E_ADMIN_KEY: key, LOG_LEVEL: 'warn' }, stdio: 'inherit' });
for (;;) { try { if ((await fetch(`${base}/health`)).ok) break; } catch {} await new Promise((r) => setTimeout(r, 200)); }
const post = async (u: string, body: string, ct = 'application/json') => { const r = await fetch(base + u, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': ct }, body }); const t = await r.text(); if (!r.ok) throw new Error(t); return JSON.parse(t); };
const src = await post('/v1/sources', JSON.stringify({ code: 's', name: 's', provider: 'p', licence: 'l', provenance: 'p' }));
const ids: number[] = [];
for (let i = 0; i < 100; i++) { const st = await post('/v1/stations', JSON.stringify({ source_id: src.id, code: `s${i}`, name: 'x', sense: 'ground_station', lon: 0, lat: 0, expected_cadence_s: 60 })); ids.push((await post('/v1/series', JSON.stringify({ station_id: st.id, variable: 'pm25' }))).id); }
const t0 = Math.floor(Date.now() / 86400000 - 5) * 86400000;
const bodies: string[] = []; const tsvs: string[] = []; let k = 0;
for (let b = 0; b < 40; b++) { let csv = 'series,time,value\n'; let tsv = ''; for (let i = 0; i < 5000; i++, k++) { const t = new Date(t0 + Math.floor(k / 100) * 60000).toISOString(); const v = 20 + (k % 40); csv += `${ids[k % 100]},${t},${v}\n`; tsv += `${ids[k % 100]}\t${t}\t${v}\t0\t0\n`; } bodies.push(csv); tsvs.push(tsv); }
let s = performance.now(); for (const b of bodies) await post('/v1/observations', b, 'text/csv'); const http = 200000 / ((performance.now() - s) / 1000);
child.kill('SIGTERM'); await new Promise((r) => setTimeout(r, 1000));
const db = await openDatabase({ databaseUrl: url }); await db.db.deleteFrom('observation').execute();
s = performance.now(); for (const t of tsvs) await db.copyFrom('observation', ['series_id', 'time', 'value', 'qc_flag', 'qc_rule'], t); const copy = 200000 / ((performance.now() - s) / 1000);
console.log({ http: Math.round(http), copy: Math.round(copy), ratio: (http / copy).toFixed(2) });
await db.close(); await admin.query('drop database ew4e_bc with (force)'); await admin.end();

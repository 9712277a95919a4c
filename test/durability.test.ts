/** An observation acknowledged with 2xx survives kill -9 of the server right after: a real server process on every backend. */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/store/database.ts';
import { BACKENDS, freshDatabase, type TestDatabase } from './support/test-database.ts';
import { ADMIN_KEY } from './support/test-platform.ts';

async function waitForHealth(base: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not become healthy');
}

describe.each(BACKENDS)('durability on %s', (backend) => {
  let child: ChildProcess | undefined;
  let testDatabase: TestDatabase | undefined;

  afterEach(async () => {
    child?.kill('SIGKILL');
    await testDatabase?.dispose();
  });

  it('keeps an acknowledged batch after kill -9', async () => {
    testDatabase = await freshDatabase(backend);
    // the server process opens the database itself; PGlite allows one process per folder
    await testDatabase.database.close();
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const base = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      EW4E_ADMIN_KEY: ADMIN_KEY,
      LOG_LEVEL: 'warn',
    };
    if ('dataDir' in testDatabase.location) {
      env.EW4E_DATA_DIR = testDatabase.location.dataDir;
      delete env.DATABASE_URL;
    } else {
      env.DATABASE_URL = testDatabase.location.databaseUrl;
    }
    child = spawn(process.execPath, ['bin/ew4e.mjs', 'serve'], {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitForHealth(base, child);

    const post = async (url: string, body: unknown, key = ADMIN_KEY, contentType = 'application/json') => {
      const r = await fetch(`${base}${url}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': contentType },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await r.text();
      if (!r.ok) throw new Error(`${url}: ${r.status} ${text}`);
      return JSON.parse(text);
    };
    const source = await post('/v1/sources', {
      code: 's',
      name: 'S',
      provider: 'P',
      licence: 'CC0-1.0',
      provenance: 'test',
    });
    const station = await post('/v1/stations', {
      source_id: source.id,
      code: 'st',
      name: 'St',
      sense: 'ground_station',
      lon: 36.8,
      lat: -1.3,
      expected_cadence_s: 60,
    });
    const series = await post('/v1/series', { station_id: station.id, variable: 'pm25' });
    const t0 = Math.floor(Date.now() / 86_400_000 - 10) * 86_400_000;
    const csv = [
      'series,time,value',
      ...Array.from(
        { length: 5000 },
        (_, i) => `${series.id},${new Date(t0 + i * 60_000).toISOString()},${20 + (i % 7)}`,
      ),
    ].join('\n');

    const reply = await post('/v1/observations', csv, ADMIN_KEY, 'text/csv');
    child.kill('SIGKILL'); // right after the acknowledgement, no graceful close
    expect(reply.accepted).toBe(5000);
    await new Promise<void>((resolve) =>
      child!.exitCode !== null || child!.signalCode !== null
        ? resolve()
        : child!.once('exit', () => resolve()),
    );

    const reopened = await openDatabase(testDatabase.location);
    try {
      const row = await reopened.db
        .selectFrom('observation')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('series_id', '=', series.id)
        .executeTakeFirstOrThrow();
      expect(Number(row.n)).toBe(5000);
    } finally {
      await reopened.close();
    }
  });
});

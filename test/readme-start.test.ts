/** The README's first command: a fresh data folder, the platform on PGlite with its demo, /health and /docs up, demo data in the query API. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './support/server-process.ts';

describe('npm start on a fresh machine', () => {
  let child: ChildProcess | undefined;
  let dataDir: string | undefined;

  afterAll(async () => {
    child?.kill('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('serves /health and /docs within a minute, with the demo visible through the API', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'ew4e-start-'));
    // A port the kernel just handed out: a random one could be taken by another test's server.
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      EW4E_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    };
    delete env.DATABASE_URL;
    delete env.EW4E_ADMIN_KEY;
    const started = Date.now();
    // the same command `npm start` runs
    child = spawn(process.execPath, ['bin/ew4e.mjs', 'serve', '--demo'], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    let healthy = false;
    while (!healthy && Date.now() - started < 60_000) {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${stderr.slice(-2000)}`);
      healthy = await fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (!healthy) await new Promise((r) => setTimeout(r, 250));
    }
    expect(healthy, 'healthy within 60 s').toBe(true);
    expect(((await (await fetch(`${base}/health`)).json()) as { database: string }).database).toBe('pglite');
    expect((await fetch(`${base}/docs/`)).status).toBe(200);

    // with no EW4E_ADMIN_KEY, the first start keeps a generated one in the data folder
    const key = (await readFile(path.join(dataDir, 'admin-key'), 'utf8')).trim();
    // biome-ignore lint/suspicious/noExplicitAny: the test reads replies of several shapes.
    const get = async (url: string): Promise<any> => {
      const r = await fetch(`${base}${url}`, { headers: { authorization: `Bearer ${key}` } });
      expect(r.status, url).toBe(200);
      return r.json();
    };
    const stations = await get('/v1/stations?limit=1000');
    const senses = new Set(
      stations.features.map((f: { properties: { sense: string } }) => f.properties.sense),
    );
    expect([...senses].sort()).toEqual([
      'acoustic',
      'aerial',
      'camera_trap',
      'citizen_report',
      'ground_station',
      'satellite',
    ]);
    const series = await get('/v1/series?variable=pm25');
    expect(series.items.length).toBeGreaterThan(0);
    const hourly = await get(`/v1/series/${series.items[0].id}/observations?bucket=PT1H&agg=avg`);
    expect(hourly.points.length).toBeGreaterThanOrEqual(20);
    const cities = await get('/v1/areas?kind=city');
    expect(cities.features.map((f: { properties: { name: string } }) => f.properties.name).join(' ')).toMatch(
      /Dhaka/,
    );
    const events = await get('/v1/events');
    expect(events.features.length).toBeGreaterThan(0);

    // within minutes the demo publishes a warning of its own, in the public Atom feed and as valid-looking CAP
    let entry: RegExpExecArray | null = null;
    while (entry === null && Date.now() - started < 180_000) {
      const feed = await (await fetch(`${base}/feeds/warnings.atom`)).text();
      entry = /<link rel="alternate" type="application\/cap\+xml" href="([^"]+)"/.exec(feed);
      if (entry === null) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(entry, 'a warning in the feed within 3 minutes').not.toBeNull();
    const cap = await fetch(String(entry?.[1]).replace(/^https?:\/\/[^/]+/, base));
    expect(cap.status).toBe(200);
    expect(await cap.text()).toContain('<msgType>Alert</msgType>');
  }, 240_000);
});

/**
 * @module `npm run bench -- map`: the dashboard's overview with 10 000 standing warnings and 2 000 stations in
 * headless Chromium (Debian's, through playwright-core): milliseconds from navigation to the map's first idle
 * frame with the warnings drawn, beside the same page drawing the basemap alone (the API's map layers answered
 * empty) — and how smoothly the virtualised warning list scrolls through all 10 000, beside a 60 Hz frame.
 * Also the shipped JavaScript and CSS, gzip, beside MapLibre GL's own bundle.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
import { createPlatform } from '../src/app.ts';
import { configFromEnv } from '../src/config.ts';
import { insertSignals } from '../src/store/signal.repository.ts';
import { fixtureSignal } from '../test/support/test-platform.ts';
import { ensureWebBuild, WEB_DIST } from '../web/build.ts';
import { type Bench, benchResult } from './bench.ts';

const PASSWORD = 'map-bench-password';

export const mapBench: Bench = {
  name: 'map',
  summary:
    'dashboard map idle with 10 000 warnings and 2 000 stations in headless Chromium; list scrolling; bundle size',
  async run({ args, env, report, log }) {
    const { values: options } = parseArgs({
      args: [...args],
      options: {
        warnings: { type: 'string', default: '10000' },
        stations: { type: 'string', default: '2000' },
        rounds: { type: 'string', default: '5' },
        // Keeps the loaded database in this folder and reuses it on the next run (loading takes minutes).
        'data-dir': { type: 'string' },
      },
    });
    const warningCount = Number(options.warnings);
    const stationCount = Number(options.stations);
    const rounds = Number(options.rounds);
    await ensureWebBuild(log);
    const keptDir = options['data-dir'] === undefined ? undefined : path.resolve(options['data-dir']);
    const dataDir = keptDir ?? (await mkdtemp(path.join(os.tmpdir(), 'ew4e-map-')));
    const loadedMarker = path.join(dataDir, 'ew4e-map-bench-loaded');
    const adminKey = `bench-${randomBytes(12).toString('hex')}`;
    const platform = await createPlatform(
      {
        ...configFromEnv({}),
        port: 0,
        host: '127.0.0.1',
        dataDir,
        databaseUrl: undefined,
        adminKey,
        logLevel: 'silent',
      },
      false,
    );
    const profile = await mkdtemp(path.join(os.tmpdir(), 'ew4e-map-chromium-'));
    try {
      const base = await platform.server.listen({ host: '127.0.0.1', port: 0 });
      if (existsSync(loadedMarker)) log(`reusing the data loaded in ${dataDir}`);
      else {
        await loadData(platform, adminKey, warningCount, stationCount, log);
        if (keptDir !== undefined) await writeFile(loadedMarker, `${warningCount} ${stationCount}\n`);
      }
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: env.EW4E_CHROMIUM ?? '/usr/bin/chromium',
        headless: true,
        viewport: { width: 1366, height: 860 },
        args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
      });
      const page = await context.newPage();
      await page.goto(`${base}/`);
      await page.getByLabel(/e-mail/i).fill('bench@ew4e.test');
      await page.getByLabel(/password/i).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('[data-testid=map][data-state=idle]').waitFor({ timeout: 60_000 });

      const withData = await medianIdle(page, base, rounds, log);
      await page.route('**/v1/map/**', (route) =>
        route.fulfill({
          contentType: 'application/json',
          body: '{"type":"FeatureCollection","features":[]}',
        }),
      );
      const basemapOnly = await medianIdle(page, base, rounds, log);
      await page.unroute('**/v1/map/**');
      log(`map idle: ${withData.toFixed(0)} ms with the data, ${basemapOnly.toFixed(0)} ms basemap only`);
      report(
        benchResult({
          bench: 'map',
          case: `idle_${warningCount}_warnings_${stationCount}_stations`,
          value: withData,
          unit: 'ms',
          yardstick: basemapOnly,
          better: 'lower',
        }),
      );

      // A screen per frame through the whole list (every frame draws new rows), and a fast wheel: 120 px a
      // frame; each beside a plain list of 2 000 rows scrolled the same way in the same browser.
      for (const [name, step, maxFrames] of [
        ['list_scroll_frame_p95', 'screen', 100_000],
        ['list_wheel_frame_p95', 120, 600],
      ] as const) {
        await openPlainList(page);
        const plain = await scrollFrames(page, '#plain-list', step, maxFrames);
        await openWarningList(page, base, warningCount);
        const frame = await scrollFrames(page, '[data-testid=warning-list]', step, maxFrames);
        log(
          `list, ${step === 'screen' ? 'a screen' : `${step} px`} a frame: ${warningCount} rows, frame p95 ${frame.p95.toFixed(1)} ms (plain list ${plain.p95.toFixed(1)} ms), max ${frame.max.toFixed(1)} ms over ${frame.frames} frames`,
        );
        report(
          benchResult({
            bench: 'map',
            case: name,
            value: frame.p95,
            unit: 'ms',
            yardstick: plain.p95,
            better: 'lower',
          }),
        );
      }
      await context.close();

      const shipped = await gzipBytes(path.join(WEB_DIST, 'assets'), /\.(js|css)$/);
      const maplibre = await gzipBytes(
        path.resolve('node_modules/maplibre-gl/dist'),
        /^maplibre-gl\.(js|css)$/,
      );
      log(
        `shipped JS + CSS: ${(shipped / 1024).toFixed(0)} KiB gzip; MapLibre GL alone ${(maplibre / 1024).toFixed(0)} KiB`,
      );
      report(
        benchResult({
          bench: 'map',
          case: 'bundle_gzip',
          value: shipped / 1024,
          unit: 'KiB',
          yardstick: maplibre / 1024,
          better: 'lower',
        }),
      );
    } finally {
      await platform.close();
      if (keptDir === undefined) await rm(dataDir, { recursive: true, force: true });
      await rm(profile, { recursive: true, force: true });
    }
  },
};

async function medianIdle(
  page: Page,
  base: string,
  rounds: number,
  log: (line: string) => void,
): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    await page.goto(`${base}/`);
    await page.locator('[data-testid=map][data-state=idle]').waitFor({ timeout: 60_000 });
    times.push(Number(await page.evaluate('window.__ew4eMap.idleAtMs')));
  }
  // Where the last round's time went: the map layers' requests and the page's own marks.
  const phases = (await page.evaluate(`[
    ...performance.getEntriesByType('resource')
      .filter((e) => /\\/v1\\/map\\/|\\.js$|countries-110m/.test(e.name))
      .map((e) => [new URL(e.name).pathname.split('/').pop(), Math.round(e.requestStart), Math.round(e.responseStart), Math.round(e.responseEnd), e.encodedBodySize]),
    ...performance.getEntriesByType('mark').map((e) => [e.name, Math.round(e.startTime)]),
  ]`)) as unknown[][];
  log(`  last round: ${phases.map((p) => p.join(' ')).join(' | ')}`);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

/**
 * Scrolls the list a step per animation frame (`screen`: a whole screen, the hardest case; a number: that many
 * pixels, a fast wheel) until its end or `maxFrames`, and measures the frames.
 */
async function openWarningList(page: Page, base: string, rows: number): Promise<void> {
  await page.goto(`${base}/warnings`);
  await page.getByTestId('warning-list').waitFor();
  // A function, not a string: the dashboard's Content-Security-Policy forbids evaluating strings.
  await page.waitForFunction(
    (count) => {
      // Runs in the page; the bench is compiled without the DOM's types.
      const page = globalThis as unknown as { document: { querySelector(s: string): Element | null } };
      return (
        page.document.querySelector('[aria-live=polite]')?.textContent?.replace(/\D/g, '') === String(count)
      );
    },
    rows,
    { timeout: 120_000 },
  );
}

/** The yardstick: the same scrolling of a plain, not virtualised list of 2 000 rows of text in the same browser. */
async function openPlainList(page: Page): Promise<void> {
  const row =
    '<div style="height:44px;border-bottom:1px solid #ddd;padding:4px">Moderate air pollution warning</div>';
  // On a blank page: the dashboard's Content-Security-Policy would refuse the inline styles.
  await page.goto('about:blank');
  await page.setContent(
    `<div id="plain-list" style="height:700px;overflow:auto;font:14px sans-serif">${row.repeat(2000)}</div>`,
  );
}

async function scrollFrames(page: Page, selector: string, step: 'screen' | number, maxFrames: number) {
  return (await page.evaluate(`new Promise((resolve) => {
    const list = document.querySelector(${JSON.stringify(selector)});
    const gaps = [];
    let last = performance.now();
    const step = () => {
      const now = performance.now();
      gaps.push(now - last);
      last = now;
      list.scrollTop += ${step === 'screen' ? 'list.clientHeight' : step};
      if (list.scrollTop + list.clientHeight < list.scrollHeight && gaps.length < ${maxFrames}) requestAnimationFrame(step);
      else {
        gaps.shift();
        gaps.sort((a, b) => a - b);
        resolve({ frames: gaps.length, p95: gaps[Math.floor(gaps.length * 0.95)], max: gaps[gaps.length - 1] });
      }
    };
    requestAnimationFrame(step);
  })`)) as { frames: number; p95: number; max: number };
}

interface Element {
  readonly textContent: string | null;
}

async function gzipBytes(dir: string, pattern: RegExp): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) {
    if (pattern.test(name)) total += gzipSync(await readFile(path.join(dir, name))).length;
  }
  return total;
}

/**
 * One organisation with a user, `stationCount` stations across the world, and one warning published the real way
 * (rule → signal → warning stage), copied to `warningCount` standing warnings at other places.
 */
export async function loadData(
  platform: Awaited<ReturnType<typeof createPlatform>>,
  adminKey: string,
  warningCount: number,
  stationCount: number,
  log: (line: string) => void,
): Promise<void> {
  const call = async (method: 'POST' | 'GET', url: string, key: string, payload?: unknown) => {
    const r = await platform.server.inject({
      method,
      url,
      headers: { authorization: `Bearer ${key}` },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
    if (r.statusCode >= 300) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body}`);
    return r.json();
  };
  const org = await call('POST', '/v1/organisations', adminKey, {
    kind: 'country',
    code: 'mb',
    name: 'Map bench',
    iso_code: 'BD',
  });
  await call('POST', '/v1/users', adminKey, {
    email: 'bench@ew4e.test',
    name: 'Bench',
    role: 'approver',
    organisation_id: org.id,
    password: PASSWORD,
  });
  const { key } = await call('POST', '/v1/keys', adminKey, {
    name: 'bench',
    role: 'analyst',
    organisation_id: org.id,
  });
  const source = await call('POST', '/v1/sources', key, {
    code: 'mb',
    name: 'Map bench',
    provider: 'P',
    licence: 'CC0-1.0',
    provenance: 'synthetic',
  });
  const senses = ['ground_station', 'satellite', 'acoustic', 'camera_trap', 'aerial', 'citizen_report'];
  let stationId = 0;
  for (let i = 0; i < stationCount; i++) {
    const s = await call('POST', '/v1/stations', key, {
      source_id: source.id,
      code: `s${i}`,
      name: `Station ${i}`,
      sense: senses[i % senses.length],
      lon: -170 + ((i * 137.508) % 340),
      lat: -50 + ((i * 61.8) % 110),
      expected_cadence_s: 600,
    });
    if (i === 0) stationId = s.id;
  }
  const series = await call('POST', '/v1/series', key, { station_id: stationId, variable: 'pm25' });
  const rule = await call('POST', '/v1/rules', key, {
    name: 'PM2.5 above 75',
    definition: {
      kind: 'threshold',
      select: { series: series.code },
      when: 'above',
      level: 75,
      severity: 'Severe',
      warning: { autoPublish: ['Moderate', 'Severe', 'Extreme'] },
    },
  });
  const db = platform.services.database.db;
  const now = Date.now();
  const ids = await insertSignals(db, [
    fixtureSignal(
      { orgId: org.id, seriesId: series.id, stationId },
      {
        raisedBy: { origin: 'rule', ruleId: rule.id, ruleVersion: rule.version },
        startMs: now,
        sentence: 'map bench',
        dedupeKey: `map-bench:${now}`,
      },
    ),
  ]);
  await platform.services.warnings.process(ids, now);
  const thread = await db.selectFrom('warning_thread').selectAll().executeTakeFirstOrThrow();
  const version = await db
    .selectFrom('warning')
    .selectAll()
    .where('status', '=', 'published')
    .executeTakeFirstOrThrow();
  const severities = ['Minor', 'Moderate', 'Severe', 'Extreme'];
  for (let start = 1; start < warningCount; start += 500) {
    const threads = [];
    const shifts: [number, number][] = [];
    for (let i = start; i < Math.min(start + 500, warningCount); i++) {
      const dx = -170 + ((i * 97.3) % 340) - thread.min_lon;
      const dy = -45 + ((i * 41.1) % 100) - thread.min_lat;
      shifts.push([dx, dy]);
      threads.push({
        ...withoutGenerated(thread),
        geometry: JSON.stringify(shifted(thread.geometry, dx, dy)),
        exposure: JSON.stringify(thread.exposure),
        state: JSON.stringify(thread.state),
        min_lon: thread.min_lon + dx,
        max_lon: thread.max_lon + dx,
        min_lat: thread.min_lat + dy,
        max_lat: thread.max_lat + dy,
      });
    }
    const inserted = await db.insertInto('warning_thread').values(threads).returning('id').execute();
    await db
      .insertInto('warning')
      .values(
        inserted.map((t, k) => {
          const [dx, dy] = shifts[k] as [number, number];
          return {
            ...withoutGenerated(version),
            thread_id: t.id,
            identifier: `${version.identifier}-copy-${t.id}`,
            severity: severities[t.id % severities.length] as string,
            content: JSON.stringify({
              ...version.content,
              geometry: shifted(version.content.geometry, dx, dy),
            }),
          };
        }),
      )
      .execute();
  }
  log(`loaded ${warningCount} standing warnings and ${stationCount} stations`);
}

function withoutGenerated<T extends { id: number; created_at: Date }>(row: T): Omit<T, 'id' | 'created_at'> {
  const { id: _id, created_at: _created, ...rest } = row;
  return rest;
}

function shifted<G>(geometry: G, dx: number, dy: number): G {
  const move = (c: unknown): unknown =>
    Array.isArray(c) && typeof c[0] === 'number'
      ? [(c[0] as number) + dx, (c[1] as number) + dy]
      : Array.isArray(c)
        ? c.map(move)
        : c;
  const g = geometry as { type: string; coordinates: unknown };
  return { ...g, coordinates: move(g.coordinates) } as G;
}

/**
 * Nature-loss warnings from satellite alert files: a FIRMS active-fire CSV posted as downloaded, its detections
 * inside a protected area counted by an event-density rule, the signal threaded into a wildfire warning — the
 * detection and warning stages running as in `serve`, nothing inserted by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from './support/test-database.ts';
import { registerFixture, startTestPlatform, type TestPlatform } from './support/test-platform.ts';

const PARK = {
  type: 'Polygon',
  coordinates: [
    [
      [-55.4, -3.6],
      [-54.8, -3.6],
      [-54.8, -2.8],
      [-55.4, -2.8],
      [-55.4, -3.6],
    ],
  ],
};

async function until<T>(probe: () => Promise<T | undefined>, what: string, ms = 30_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.each(BACKENDS)('fire alerts in a protected area on %s', (backend) => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform(backend);
  }, 60_000);
  afterAll(async () => t?.close());

  it('turns a FIRMS download with a cluster inside a park into a wildfire warning; a bad file changes nothing', async () => {
    const f = await registerFixture(t, 'fa', 'BR');
    const area = await t.request('POST', '/v1/areas', {
      key: f.key,
      body: {
        type: 'Feature',
        geometry: PARK,
        properties: {
          kind: 'protected_area',
          code: 'tapajos',
          name: 'Floresta Nacional do Tapajós',
          WDPAID: 351,
        },
      },
    });
    expect(area.statusCode, area.body).toBe(201);
    const rule = await t.request('POST', '/v1/rules', {
      key: f.key,
      body: {
        name: 'Fire cluster in Tapajós',
        definition: {
          kind: 'event_density',
          eventKind: 'fire_detection',
          area: area.json().id,
          count: 3,
          windowS: 86_400,
          severity: 'Severe',
          warning: { hazard: 'wildfire', autoPublish: ['Severe'] },
        },
      },
    });
    expect(rule.statusCode, rule.body).toBe(201);

    const now = new Date(Date.now() - 10 * 60_000);
    const day = now.toISOString().slice(0, 10);
    const hhmm = now.toISOString().slice(11, 16).replace(':', '');
    const header =
      'latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight';
    const row = (lat: number, lon: number, frp: number) =>
      `${lat},${lon},330.1,0.39,0.36,${day},${hhmm},N,VIIRS,n,2.0NRT,296.2,${frp},D`;
    const inside = [row(-3.2, -55.1, 12.5), row(-3.21, -55.11, 8.1), row(-3.3, -55.0, 20.4)];
    const outside = row(-1.0, -50.0, 3.3);

    const bad = await t.request('POST', '/v1/events?feed=firms', {
      key: f.key,
      contentType: 'text/csv',
      body: [header, ...inside, outside.replace(`${day}`, '2026-13-01')].join('\n'),
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual([expect.objectContaining({ line: 5, field: 'acq_date' })]);
    const none = await t.request('GET', '/v1/events?kind=fire_detection', { key: f.key });
    expect(none.json().features).toHaveLength(0);

    const good = await t.request('POST', '/v1/events?feed=firms', {
      key: f.key,
      contentType: 'text/csv',
      body: [header, ...inside, outside].join('\n'),
    });
    expect(good.statusCode, good.body).toBe(200);
    expect(good.json().accepted).toBe(4);
    // the same file again stores nothing twice
    await t.request('POST', '/v1/events?feed=firms', {
      key: f.key,
      contentType: 'text/csv',
      body: [header, ...inside].join('\n'),
    });
    const stored = await t.request('GET', '/v1/events?kind=fire_detection', { key: f.key });
    expect(stored.json().features).toHaveLength(4);

    const warning = await until(async () => {
      const items = (await t.request('GET', '/v1/warnings', { key: f.key })).json().items as {
        hazard: string;
        area_desc: string;
        current: { status: string; severity: string } | null;
      }[];
      return items.find((w) => w.hazard === 'wildfire' && w.current?.status === 'published');
    }, 'a published wildfire warning');
    expect(warning.area_desc).toBe('Floresta Nacional do Tapajós');
    expect(warning.current?.severity).toBe('Severe');
  }, 90_000);
});

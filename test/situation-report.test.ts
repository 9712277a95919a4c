import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignalDraft } from '../src/detect/signal.ts';
import { pdfPageCount, pdfTextPieces } from '../src/notify/media/test-pdf-reader.ts';
import { escapeHtml } from '../src/report/situation-html.ts';
import { insertSignals } from '../src/store/signal.repository.ts';
import { BACKENDS } from './support/test-database.ts';
import {
  type Fixture,
  fixtureSignal,
  registerFixture,
  startTestPlatform,
  type TestPlatform,
} from './support/test-platform.ts';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';

const box = (w: number, s: number, e: number, n: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [w, s],
      [e, s],
      [e, n],
      [w, n],
      [w, s],
    ],
  ],
});

/**
 * The PDF with every Flate-compressed stream inflated in place (PDF 32000-1 §7.3.8: /Length bytes after
 * `stream`), so that the reader of uncompressed pdfkit output can read the text the server sent compressed.
 */
function inflatePdf(bytes: Buffer): Buffer {
  const pdf = bytes.toString('latin1');
  const header = /(\d+ 0 obj\s*<<)([\s\S]*?)>>\s*stream\r?\n/g;
  let out = '';
  let from = 0;
  for (let m = header.exec(pdf); m !== null; m = header.exec(pdf)) {
    const dict = m[2] ?? '';
    const length = Number(/\/Length (\d+)/.exec(dict)?.[1] ?? 0);
    const start = m.index + m[0].length;
    const data = pdf.slice(start, start + length);
    const flate = /\/Filter \/FlateDecode/.test(dict);
    const body = flate ? inflateSync(Buffer.from(data, 'latin1')).toString('latin1') : data;
    const plainDict = dict
      .replace(/\/Filter \/FlateDecode/, '')
      .replace(/\/Length \d+/, `/Length ${body.length}`);
    out += `${pdf.slice(from, m.index)}${m[1]}${plainDict}>>\nstream\n${body}`;
    from = start + length;
    header.lastIndex = from;
  }
  return Buffer.from(out + pdf.slice(from), 'latin1');
}

const pdfText = (bytes: Buffer): string =>
  pdfTextPieces(inflatePdf(bytes))
    .map((piece) => piece.text)
    .join(' ')
    .replace(/[\s\u00a0]+/g, ' ');

describe.each(BACKENDS)('situation report on %s', (backend) => {
  let t: TestPlatform;
  let receiver: WebhookReceiver;
  let f: Fixture;
  let viewer = '';
  let dhakaId = 0;
  let chattogramId = 0;
  const headlines: Record<string, string> = {};
  const now = Date.now();

  async function area(code: string, name: string, geometry: unknown) {
    const r = await t.request('POST', '/v1/areas', {
      key: f.key,
      body: { type: 'Feature', geometry, properties: { kind: 'city', code, name } },
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json().id as number;
  }

  async function rule(definition: Record<string, unknown>) {
    const r = await t.request('POST', '/v1/rules', {
      key: f.key,
      body: {
        name: `rule ${Math.random()}`,
        definition: { kind: 'threshold', select: { series: f.seriesCode }, when: 'above', ...definition },
      },
    });
    expect(r.statusCode, r.body).toBe(201);
    return {
      origin: 'rule' as const,
      ruleId: r.json().id as number,
      ruleVersion: r.json().version as number,
    };
  }

  const signal = (raisedBy: SignalDraft['raisedBy']): SignalDraft =>
    fixtureSignal(f, {
      raisedBy,
      startMs: now,
      observed: 250,
      details: {},
      dedupeKey: `sr:${Math.random()}`,
    });

  beforeAll(async () => {
    t = await startTestPlatform(backend);
    receiver = await startWebhookReceiver();
    f = await registerFixture(t, 'sr', 'BD');
    const key = await t.request('POST', '/v1/keys', {
      body: { name: 'desk', role: 'viewer', organisation_id: f.orgId },
    });
    viewer = key.json().key;
    dhakaId = await area('dhaka', 'Dhaka', box(90.3, 23.7, 90.46, 23.86));
    chattogramId = await area('chattogram', 'Chattogram', box(91.75, 22.3, 91.9, 22.4));
    // One subscriber is reached, one is not (nothing listens on port 9): a delivered and a pending delivery per warning.
    const reached = await t.request('POST', '/v1/subscriptions', {
      key: f.key,
      body: {
        channel: 'webhook',
        target: receiver.url,
        area: { kind: 'circle', lon: 90.3795, lat: 23.7781, radius_km: 5 },
      },
    });
    expect(reached.statusCode, reached.body).toBe(201);
    receiver.setSecret(String(reached.json().webhook_secret));
    const unreachable = await t.request('POST', '/v1/subscriptions', {
      key: f.key,
      body: {
        channel: 'webhook',
        target: 'http://127.0.0.1:9/hook',
        area: { kind: 'circle', lon: 90.3795, lat: 23.7781, radius_km: 5 },
      },
    });
    expect(unreachable.statusCode, unreachable.body).toBe(201);

    const air = await rule({
      level: 75,
      severity: 'Extreme',
      warning: { autoPublish: ['Severe', 'Extreme'] },
    });
    const fire = await rule({
      level: 200,
      severity: 'Moderate',
      warning: { hazard: 'waste_fire', autoPublish: ['Severe', 'Extreme'] },
    });
    const db = t.platform.services.database.db;
    const ids = await insertSignals(db, [signal(air), signal(fire)]);
    await t.platform.services.warnings.process(ids, now);
    await t.platform.services.dispatcher.drain();

    const threads = (await t.request('GET', '/v1/warnings', { key: f.key })).json().items;
    for (const w of threads) headlines[w.hazard] = w.current.headline;
    const airThread = threads.find((w: { hazard: string }) => w.hazard === 'air_pollution').id;

    // Incidents as the response stage stores them: one answering the air-pollution warning, one opened by
    // hand, one closed (never reported).
    const user = await db
      .insertInto('app_user')
      .values({
        organisation_id: f.orgId,
        email: 'rahim@doe.test',
        name: 'Rahim Uddin',
        role: 'analyst',
        password_hash: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const incident = (title: string, status: 'open' | 'closed', threadId: number | null) =>
      db
        .insertInto('incident')
        .values({
          organisation_id: f.orgId,
          warning_thread_id: threadId,
          title,
          status,
          severity: 'Extreme',
          created_by: 'test',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
    const smog = await incident('Smog over Dhaka', 'open', airThread);
    await incident('Generator fuel shortage', 'open', null);
    await incident('Last week’s dust', 'closed', null);
    await db
      .insertInto('incident_task')
      .values([
        {
          incident_id: smog.id,
          title: 'Close brick kilns upwind',
          assignee_user_id: user.id,
          due_at: new Date(Date.UTC(2031, 0, 2, 9, 30)),
          status: 'todo',
          created_by: 'test',
        },
        {
          incident_id: smog.id,
          title: 'Brief the press',
          assignee_user_id: null,
          due_at: null,
          status: 'done',
          created_by: 'test',
        },
        {
          incident_id: smog.id,
          title: 'Hand out masks',
          assignee_user_id: null,
          due_at: null,
          status: 'doing',
          created_by: 'test',
        },
      ])
      .execute();
  }, 60_000);
  afterAll(async () => {
    await receiver?.close();
    await t?.close();
  });

  it('prints a real PDF with the warnings, their incidents and tasks', async () => {
    const r = await t.platform.server.inject({
      method: 'GET',
      url: '/v1/reports/situation.pdf',
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toBe('application/pdf');
    expect(r.headers['content-disposition']).toMatch(
      /^inline; filename="situation-report-\d{8}T\d{4}Z\.pdf"$/,
    );
    const bytes = r.rawPayload;
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(bytes.subarray(-6).toString('latin1')).toMatch(/%%EOF/);
    expect(pdfPageCount(bytes)).toBeGreaterThan(0);
    const text = pdfText(bytes);
    expect(text).toContain('Situation report');
    expect(text).toContain('Country sr');
    expect(text).toContain(headlines.air_pollution);
    expect(text).toContain(headlines.waste_fire);
    expect(text).toContain('Smog over Dhaka');
    expect(text).toContain('Close brick kilns upwind — Rahim Uddin — due 2031-01-02T09:30Z (todo)');
    expect(text).toContain('Hand out masks — unassigned — no due time (doing)');
    expect(text).not.toContain('Brief the press');
    expect(text).not.toContain('Last week');
    expect(text).toContain('Basemap: Natural Earth');
    expect(text).toMatch(/Page 1 of \d/);
  });

  it('writes the same report as one self-contained HTML page, most severe first, with deliveries and charts', async () => {
    const r = await t.request('GET', '/v1/reports/situation.html', { key: viewer });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['content-security-policy']).toContain("default-src 'none'");
    const html = r.body;
    expect(html.startsWith('<!doctype html>')).toBe(true);
    // Nothing to fetch: no scripts, no links, no external images or fonts.
    expect(html).not.toMatch(/<script|<link|<img|\bsrc=|\bhref=|url\(|@import|https?:\/\//i);
    expect(html).toContain('<svg');
    const air = html.indexOf(escapeHtml(headlines.air_pollution ?? '?'));
    const fire = html.indexOf(escapeHtml(headlines.waste_fire ?? '?'));
    expect(air).toBeGreaterThan(0);
    expect(fire).toBeGreaterThan(air); // Extreme before Severe
    // Each warning: delivered to one subscriber, still pending for the unreachable one, none failed.
    const deliveries = [
      ...html.matchAll(/<td class="num">(\d+)<\/td><td class="num">(\d+)<\/td><td class="num">(\d+)<\/td>/g),
    ].map((m) => m.slice(1).map(Number));
    expect(deliveries).toEqual([
      [1, 1, 0],
      [1, 1, 0],
    ]);
    expect(html).toContain('Standing warnings (2)');
    expect(html).toContain('Incidents (2)');
    expect(html).toContain('Generator fuel shortage');
    expect(html).toContain('Rahim Uddin');
    // One signal each today, in the last of the 14 bars of its hazard's chart.
    expect(html).toContain('<b>Air pollution</b> — 1 ');
    expect(html).toContain('<b>Waste fire</b> — 1 ');
    const today = new Date(now).toISOString().slice(0, 10);
    expect(html.match(new RegExp(`<title>${today}: 1</title>`, 'g'))).toHaveLength(2);
  });

  it('keeps to one area when asked, and to what the caller may read', async () => {
    const dhaka = (await t.request('GET', `/v1/reports/situation.html?area_id=${dhakaId}`, { key: viewer }))
      .body;
    expect(dhaka).toContain('Area: Dhaka');
    expect(dhaka).toContain('Standing warnings (2)');
    expect(dhaka).toContain('Smog over Dhaka');
    // An incident opened by hand belongs to no area.
    expect(dhaka).not.toContain('Generator fuel shortage');

    const far = (
      await t.request('GET', `/v1/reports/situation.html?area_id=${chattogramId}`, { key: viewer })
    ).body;
    expect(far).toContain('Standing warnings (0)');
    expect(far).toContain('Incidents (0)');
    expect(far).toContain('No signals.');
    const farPdf = await t.platform.server.inject({
      method: 'GET',
      url: `/v1/reports/situation.pdf?area_id=${chattogramId}`,
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(farPdf.statusCode).toBe(200);
    expect(pdfText(farPdf.rawPayload)).not.toContain(headlines.air_pollution);

    const other = await registerFixture(t, 'sr2', 'NP');
    const theirs = (await t.request('GET', '/v1/reports/situation.html', { key: other.key })).body;
    expect(theirs).toContain('Standing warnings (0)');
    expect(theirs).not.toContain('Smog over Dhaka');
    expect(theirs).not.toContain(escapeHtml(headlines.air_pollution ?? '?'));
    // Our city is not theirs to report on.
    expect(
      (await t.request('GET', `/v1/reports/situation.pdf?area_id=${dhakaId}`, { key: other.key })).statusCode,
    ).toBe(404);
    expect((await t.request('GET', '/v1/reports/situation.html?area_id=0', { key: viewer })).statusCode).toBe(
      400,
    );
  });
});

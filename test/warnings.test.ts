import { parseFeed } from '@rowanmanning/feed-parser';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignalDraft } from '../src/detect/signal.ts';
import { insertSignals } from '../src/store/signal.repository.ts';
import { silencesOverOrganisation } from '../src/store/warning.repository.ts';
import { verifyCapSignature } from '../src/warn/cap/cap-signature.ts';
import { makeTestSigningKey, xmlsecVerify } from './support/cap-tools.ts';
import { publishedCap } from './support/published-cap.ts';
import { BACKENDS } from './support/test-database.ts';
import {
  ADMIN_KEY,
  type Fixture,
  fixtureSignal,
  registerFixture,
  startTestPlatform,
  type TestPlatform,
} from './support/test-platform.ts';

const MINUTE = 60_000;

describe.each(BACKENDS)('warnings on %s', (backend) => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform(backend);
  }, 60_000);
  afterAll(async () => t?.close());

  async function approverKey(orgId: number): Promise<string> {
    const r = await t.request('POST', '/v1/keys', {
      body: { name: 'duty approver', role: 'approver', organisation_id: orgId },
    });
    expect(r.statusCode).toBe(201);
    return r.json().key;
  }

  async function rule(
    f: Fixture,
    name: string,
    definition: unknown,
  ): Promise<{ id: number; version: number }> {
    const r = await t.request('POST', '/v1/rules', { key: f.key, body: { name, definition } });
    expect(r.statusCode, r.body).toBe(201);
    return { id: r.json().id, version: r.json().version };
  }

  /** Stores signals as detection would, then lets the warning stage judge them at `nowMs`. */
  async function raise(f: Fixture, nowMs: number, signals: Partial<SignalDraft>[]): Promise<number[]> {
    const drafts = signals.map((s, i) =>
      fixtureSignal(f, {
        raisedBy: { origin: 'detector', detector: 'ensemble' },
        startMs: nowMs,
        observed: 90,
        details: {},
        dedupeKey: `test:${nowMs}:${i}:${Math.random()}`,
        ...s,
      }),
    );
    const ids = await insertSignals(t.platform.services.database.db, drafts);
    await t.platform.services.warnings.process(ids, nowMs);
    return ids;
  }

  async function thread(id: number, key = ADMIN_KEY) {
    const r = await t.request('GET', `/v1/warnings/${id}`, { key });
    expect(r.statusCode, r.body).toBe(200);
    return r.json();
  }

  const capOf = (identifier: string) => publishedCap(t, identifier);

  it('lives a whole episode: signal → draft → approve with edits → Alert → escalation (Update) → all clear (Cancel), audited and verified', async () => {
    const f = await registerFixture(t, 'bd', 'BD');
    const approver = await approverKey(f.orgId);
    const severe = await rule(f, 'PM2.5 above 75', {
      kind: 'threshold',
      select: { series: f.seriesCode },
      when: 'above',
      level: 75,
      severity: 'Severe',
      warning: { autoPublish: ['Extreme'], clearAfterS: 3600 },
    });
    const extreme = await rule(f, 'PM2.5 above 150', {
      kind: 'threshold',
      select: { series: f.seriesCode },
      when: 'above',
      level: 150,
      severity: 'Extreme',
    });
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    const bySevere = { origin: 'rule', ruleId: severe.id, ruleVersion: severe.version } as const;
    const byExtreme = { origin: 'rule', ruleId: extreme.id, ruleVersion: extreme.version } as const;

    await raise(f, t0, [{ raisedBy: bySevere, observed: 92, details: { threshold: 75 } }]);
    const list = await t.request('GET', '/v1/warnings?review=true', { key: approver });
    expect(list.json().items).toHaveLength(1);
    const threadId = list.json().items[0].id as number;
    let w = await thread(threadId, approver);
    expect(w.hazard).toBe('air_pollution');
    expect(w.versions).toHaveLength(1);
    expect(w.versions[0]).toMatchObject({
      version: 1,
      status: 'draft',
      msg_type: 'Alert',
      severity: 'Severe',
      certainty: 'Observed',
      urgency: 'Immediate',
    });
    expect(w.versions[0].texts.map((x: { language: string }) => x.language).sort()).toEqual([
      'ar',
      'en',
      'es',
      'fr',
      'ru',
      'zh',
    ]);
    expect(w.exposure.population).toBeGreaterThan(1_000_000);

    // an analyst may not publish; the approver publishes with an edited English headline
    const denied = await t.request('POST', `/v1/warnings/${threadId}/versions/1/approve`, {
      key: f.key,
      body: {},
    });
    expect(denied.statusCode).toBe(403);
    const en = w.versions[0].texts.find((x: { language: string }) => x.language === 'en');
    const approved = await t.request('POST', `/v1/warnings/${threadId}/versions/1/approve`, {
      key: approver,
      body: { texts: [{ ...en, headline: 'Severe air pollution in Dhaka: stay indoors' }] },
    });
    expect(approved.statusCode, approved.body).toBe(200);
    w = await thread(threadId);
    expect(w.versions[0]).toMatchObject({ status: 'published', msg_type: 'Alert' });
    const alert = await capOf(w.versions[0].identifier);
    expect(alert.alert.msgType).toBe('Alert');
    expect(alert.alert.info.find((i) => i.language === 'en')?.headline).toBe(
      'Severe air pollution in Dhaka: stay indoors',
    );
    expect(alert.alert.info[0]?.area[0]?.circle).toHaveLength(1);
    expect(alert.alert.info[0]?.expires).toMatch(/-00:00$/);
    const again = await t.request('GET', `/cap/${w.versions[0].identifier}.xml`, {});
    expect(again.headers.etag).toBe(alert.etag);
    const notModified = await t.platform.server.inject({
      method: 'GET',
      url: `/cap/${w.versions[0].identifier}.xml`,
      headers: { 'if-none-match': alert.etag },
    });
    expect(notModified.statusCode).toBe(304);
    const asJson = await t.request('GET', `/cap/${w.versions[0].identifier}.json`, {});
    expect(asJson.json()).toMatchObject({ identifier: w.versions[0].identifier, msgType: 'Alert' });

    // the same rule firing again changes nothing; a higher rule escalates, and policy publishes Extreme itself
    await raise(f, t0 + 5 * MINUTE, [
      { raisedBy: bySevere, observed: 110, startMs: t0 + 5 * MINUTE, details: { threshold: 75 } },
    ]);
    expect((await thread(threadId)).versions).toHaveLength(1);
    await raise(f, t0 + 10 * MINUTE, [
      { raisedBy: byExtreme, observed: 160, startMs: t0 + 10 * MINUTE, details: { threshold: 150 } },
    ]);
    w = await thread(threadId);
    expect(w.versions).toHaveLength(2);
    expect(w.versions[1]).toMatchObject({
      status: 'published',
      msg_type: 'Update',
      change: 'escalated',
      severity: 'Extreme',
      reviewed_by: 'policy',
    });
    const update = await capOf(w.versions[1].identifier);
    expect(update.alert.references.map((r) => r.identifier)).toEqual([w.versions[0].identifier]);
    expect(update.alert.incidents).toEqual(alert.alert.incidents);

    // the feed carries the warning in force, read by a standard feed parser
    const atom = await t.request('GET', '/feeds/warnings.atom?hazard=air_pollution', {});
    expect(atom.statusCode).toBe(200);
    const feed = parseFeed(atom.body);
    const entry = feed.items.find((i) => i.url?.includes(w.versions[1].identifier));
    expect(entry?.title).toBeTruthy();
    const feedAgain = await t.platform.server.inject({
      method: 'GET',
      url: '/feeds/warnings.atom?hazard=air_pollution',
      headers: { 'if-none-match': String(atom.headers.etag) },
    });
    expect(feedAgain.statusCode).toBe(304);
    const minorOnly = await t.request('GET', '/feeds/warnings.atom?hazard=wildfire', {});
    expect(parseFeed(minorOnly.body).items).toHaveLength(0);

    // both rules clear; after an hour of calm the warning is cancelled
    const clearAt = t0 + 30 * MINUTE;
    await raise(f, clearAt, [
      { raisedBy: byExtreme, state: 'cleared', startMs: clearAt, endMs: clearAt, observed: 60 },
      { raisedBy: bySevere, state: 'cleared', startMs: clearAt, endMs: clearAt, observed: 60 },
    ]);
    await t.platform.services.warnings.tick(clearAt + 30 * MINUTE);
    expect((await thread(threadId)).status).toBe('open');
    await t.platform.services.warnings.tick(clearAt + 61 * MINUTE);
    w = await thread(threadId);
    expect(w.status).toBe('closed');
    expect(w.closed_reason).toBe('cancelled');
    expect(w.versions[2]).toMatchObject({ status: 'published', msg_type: 'Cancel' });
    const cancel = await capOf(w.versions[2].identifier);
    expect(cancel.alert.references.map((r) => r.identifier)).toEqual([
      w.versions[0].identifier,
      w.versions[1].identifier,
    ]);
    expect(cancel.alert.info[0]?.responseType).toEqual(['AllClear']);
    expect(w.verification).toBe('hit');

    const audit = (await t.request('GET', `/v1/warnings/${threadId}/audit`)).json().items as {
      action: string;
      actor: string;
    }[];
    expect(audit.map((a) => a.action)).toEqual([
      'thread_opened',
      'drafted',
      'edited',
      'published',
      'drafted',
      'published',
      'drafted',
      'published',
      'thread_closed',
    ]);
    expect(audit[2]?.actor).toMatch(/^key:\d+$/);
    await expect(
      sql`update warning_audit set actor = 'someone else'`.execute(t.platform.services.database.db),
    ).rejects.toThrow(/append-only/);
    await expect(sql`delete from warning_audit`.execute(t.platform.services.database.db)).rejects.toThrow(
      /append-only/,
    );

    const verification = await t.request('GET', `/v1/verification?rule_id=${severe.id}`, { key: f.key });
    expect(verification.json().items).toEqual([
      expect.objectContaining({
        ruleId: severe.id,
        hazard: 'air_pollution',
        hits: 1,
        misses: 0,
        falseAlarms: 0,
        probabilityOfDetection: 1,
      }),
    ]);
  }, 60_000);

  it('threads an episode of 1 000 signals into one warning with a handful of versions', async () => {
    const f = await registerFixture(t, 'ep', 'BD');
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    const signals = Array.from({ length: 1000 }, (_, i) => ({
      kind: 'anomaly' as const,
      score: 0.95 + (i % 5) / 100,
      observed: 80 + (i % 40),
      startMs: t0 + i * 30_000,
    }));
    for (let i = 0; i < signals.length; i += 250)
      await raise(f, t0 + (i + 250) * 30_000, signals.slice(i, i + 250));
    const threads = (await t.request('GET', '/v1/warnings', { key: f.key })).json().items;
    expect(threads).toHaveLength(1);
    const w = await thread(threads[0].id, f.key);
    expect(w.evidence.signals).toBe(1000);
    expect(w.versions.length).toBeGreaterThanOrEqual(1);
    expect(w.versions.length).toBeLessThanOrEqual(3);
    expect(w.versions[0]).toMatchObject({ status: 'draft', certainty: 'Likely' });
  }, 120_000);

  it('lets a silence hold the warnings of its organisation and of those below it, not of those above or beside', async () => {
    const country = await registerFixture(t, 'sl', 'BD');
    const sibling = await registerFixture(t, 'sm', 'NP');
    const city = await t.request('POST', '/v1/organisations', {
      body: { parent_id: country.orgId, kind: 'city', code: 'sl-city', name: 'A city' },
    });
    expect(city.statusCode, city.body).toBe(201);
    const cityApprover = await approverKey(city.json().id);
    const silenceBy = async (key: string, reason: string) => {
      const r = await t.request('POST', '/v1/silences', {
        key,
        body: {
          hazard: 'air_pollution',
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [90, 23],
                [91, 23],
                [91, 24],
                [90, 24],
                [90, 23],
              ],
            ],
          },
          ends_at: new Date(Date.now() + 3_600_000).toISOString(),
          reason,
        },
      });
      expect(r.statusCode, r.body).toBe(201);
    };
    await silenceBy(await approverKey(country.orgId), 'country');
    await silenceBy(cityApprover, 'city');
    await silenceBy(await approverKey(sibling.orgId), 'sibling');
    const over = async (orgId: number) =>
      (await silencesOverOrganisation(t.platform.services.database.db, orgId, new Date())).map(
        (s) => s.reason,
      );
    expect(await over(city.json().id)).toEqual(['city', 'country']);
    expect(await over(country.orgId)).toEqual(['country']);
  });

  it('holds drafts under a silence and under a higher warning over the same area, and audits both', async () => {
    const f = await registerFixture(t, 'si', 'BD');
    const approver = await approverKey(f.orgId);
    const local = await rule(f, 'PM2.5 above 75', {
      kind: 'threshold',
      select: { series: f.seriesCode },
      when: 'above',
      level: 75,
      severity: 'Moderate',
      // a megacity's exposure raises Moderate to Severe: both go out without review
      warning: { autoPublish: ['Moderate', 'Severe'] },
    });
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    const dhaka = {
      type: 'Polygon',
      coordinates: [
        [
          [90.2, 23.6],
          [90.6, 23.6],
          [90.6, 24.0],
          [90.2, 24.0],
          [90.2, 23.6],
        ],
      ],
    };
    const silence = await t.request('POST', '/v1/silences', {
      key: approver,
      body: {
        hazard: 'air_pollution',
        geometry: dhaka,
        starts_at: new Date(t0 - MINUTE).toISOString(),
        ends_at: new Date(t0 + 3_600_000).toISOString(),
        reason: 'sensor maintenance at Agargaon',
      },
    });
    expect(silence.statusCode, silence.body).toBe(201);
    const badSilence = await t.request('POST', '/v1/silences', {
      key: approver,
      body: {
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 0],
              [0, 0],
            ],
          ],
        },
        ends_at: new Date(t0 + 3_600_000).toISOString(),
        reason: 'x',
      },
    });
    expect(badSilence.statusCode).toBe(400);
    expect(badSilence.json().errors[0].pointer).toMatch(/^\/geometry/);

    await raise(f, t0, [
      {
        raisedBy: { origin: 'rule', ruleId: local.id, ruleVersion: local.version },
        details: { threshold: 75 },
      },
    ]);
    const [silenced] = (await t.request('GET', '/v1/warnings', { key: f.key })).json().items;
    expect(silenced.pending).toMatchObject({ status: 'silenced' });
    // The thread's page can say which silence holds it; another organisation's thread is not found.
    const holding = async (threadId: number, key = f.key) =>
      t.request('GET', `/v1/silences?active=true&thread_id=${threadId}`, { key });
    expect((await holding(silenced.id)).json().items).toEqual([
      expect.objectContaining({ id: silence.json().id, reason: 'sensor maintenance at Agargaon' }),
    ]);
    const stranger = await registerFixture(t, 'sx', 'NP');
    expect((await holding(silenced.id, stranger.key)).statusCode).toBe(404);

    const lifted = await t.request('DELETE', `/v1/silences/${silence.json().id}`, { key: approver });
    expect(lifted.statusCode).toBe(200);
    const released = await thread(silenced.id, f.key);
    // released from the silence, the draft goes out: policy auto-publishes its level
    expect(released.versions[0]).toMatchObject({ status: 'published', msg_type: 'Alert' });
    const actions = (await t.request('GET', `/v1/warnings/${silenced.id}/audit`, { key: f.key }))
      .json()
      .items.map((a: { action: string }) => a.action);
    expect(actions).toEqual(['thread_opened', 'drafted', 'silenced', 'draft', 'published']);

    // an Extreme warning over all of Bangladesh inhibits a Moderate one for Dhaka inside it
    const bangladesh = await t.platform.services.database.db
      .selectFrom('area')
      .select('id')
      .where('kind', '=', 'country')
      .where('iso_code', '=', 'BD')
      .executeTakeFirstOrThrow();
    const national = await rule(f, 'PM2.5 above 150 at any station in Bangladesh', {
      kind: 'area_quorum',
      variable: 'pm25',
      area: bangladesh.id,
      count: 1,
      condition: { when: 'above', level: 150 },
      severity: 'Extreme',
      warning: { autoPublish: ['Extreme'] },
    });
    await t.request('POST', `/v1/warnings/${silenced.id}/cancel`, {
      key: approver,
      body: { reason: 'test over' },
    });
    await raise(f, t0 + MINUTE, [
      {
        raisedBy: { origin: 'rule', ruleId: national.id, ruleVersion: national.version },
        seriesId: null,
        stationId: null,
        areaId: bangladesh.id,
        observed: 180,
        startMs: t0 + MINUTE,
      },
    ]);
    await raise(f, t0 + 2 * MINUTE, [
      {
        raisedBy: { origin: 'rule', ruleId: local.id, ruleVersion: local.version },
        details: { threshold: 75 },
        startMs: t0 + 2 * MINUTE,
        dedupeKey: 'again',
      },
    ]);
    const open = (await t.request('GET', '/v1/warnings?status=open', { key: f.key })).json().items;
    expect(open).toHaveLength(2);
    const nationWide = open.find((x: { area_desc: string }) => x.area_desc === 'Bangladesh');
    const city = open.find((x: { area_desc: string }) => x.area_desc !== 'Bangladesh');
    expect(nationWide.current).toMatchObject({ severity: 'Extreme', status: 'published' });
    expect(city.pending).toMatchObject({ status: 'inhibited' });
    const cityAudit = (await t.request('GET', `/v1/warnings/${city.id}/audit`, { key: f.key })).json().items;
    expect(cityAudit.at(-1)).toMatchObject({ action: 'inhibited' });
    expect(cityAudit.at(-1).changes.reason).toContain(`thread ${nationWide.id}`);
  }, 60_000);

  it('signs what it publishes with the organisation key (xmlsec1 verifies), and refuses a key that cannot sign', async () => {
    const f = await registerFixture(t, 'sg', 'BD');
    const signer = await makeTestSigningKey('ec', 'EW4E test authority');
    const bad = await t.request('PUT', `/v1/organisations/${f.orgId}/signing-key`, {
      body: {
        private_key_pem: signer.privateKeyPem,
        certificate_pem: (await makeTestSigningKey('rsa', 'other')).certificatePem,
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].pointer).toBe('/private_key_pem');
    const set = await t.request('PUT', `/v1/organisations/${f.orgId}/signing-key`, {
      body: { private_key_pem: signer.privateKeyPem, certificate_pem: signer.certificatePem },
    });
    expect(set.statusCode, set.body).toBe(200);
    const r = await rule(f, 'PM2.5 above 75', {
      kind: 'threshold',
      select: { series: f.seriesCode },
      when: 'above',
      level: 75,
      severity: 'Severe',
      warning: { autoPublish: ['Severe'] },
    });
    await raise(f, Date.now(), [
      { raisedBy: { origin: 'rule', ruleId: r.id, ruleVersion: r.version }, details: { threshold: 75 } },
    ]);
    const [w] = (await t.request('GET', '/v1/warnings', { key: f.key })).json().items;
    expect(w.current).toMatchObject({ status: 'published' });
    const cap = await capOf(w.current.identifier);
    expect(cap.xml).toContain('<ds:Signature');
    const verified = await xmlsecVerify(cap.xml, { certificatePem: signer.certificatePem });
    expect(verified.ok, verified.output).toBe(true);
    expect(verifyCapSignature(cap.xml)).toMatchObject({ status: 'valid' });
    const tampered = cap.xml.replace('<severity>Severe</severity>', '<severity>Minor</severity>');
    expect(verifyCapSignature(tampered)).toMatchObject({ status: 'invalid' });
    expect((await xmlsecVerify(tampered, { certificatePem: signer.certificatePem })).ok).toBe(false);
  }, 60_000);

  it('raises certainty when a second sense corroborates: satellite fire detections, then a citizen report of smoke', async () => {
    const f = await registerFixture(t, 'co', 'BR');
    const area = await t.request('POST', '/v1/areas', {
      key: f.key,
      body: {
        type: 'Feature',
        properties: { kind: 'protected_area', code: 'tapajos', name: 'Floresta Nacional do Tapajós' },
        geometry: {
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
        },
      },
    });
    expect(area.statusCode, area.body).toBe(201);
    const fire = await rule(f, 'Fire cluster in Tapajós', {
      kind: 'event_density',
      eventKind: 'fire_detection',
      area: area.json().id,
      count: 10,
      windowS: 86_400,
      severity: 'Severe',
    });
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    await raise(f, t0, [
      {
        raisedBy: { origin: 'rule', ruleId: fire.id, ruleVersion: fire.version },
        kind: 'event_density',
        seriesId: null,
        stationId: null,
        observed: 14,
        unit: null,
        details: { count: 14 },
      },
    ]);
    const [thread1] = (await t.request('GET', '/v1/warnings', { key: f.key })).json().items;
    expect(thread1).toMatchObject({ hazard: 'wildfire', area_desc: 'Floresta Nacional do Tapajós' });
    expect(thread1.pending).toMatchObject({ certainty: 'Likely', status: 'draft' });
    const report = await t.request('POST', '/v1/events', {
      key: f.key,
      body: [
        {
          kind: 'smoke_report',
          time: new Date(t0).toISOString(),
          lon: -55.1,
          lat: -3.2,
          attributes: { text: 'thick smoke near the river' },
        },
      ],
    });
    expect(report.statusCode, report.body).toBe(200);
    await t.platform.services.warnings.tick(t0 + MINUTE);
    const after = await thread(thread1.id, f.key);
    expect(after.versions).toHaveLength(1); // still unpublished: the draft is revised, not stacked
    expect(after.versions[0]).toMatchObject({ certainty: 'Observed', status: 'draft' });
    const audit = (await t.request('GET', `/v1/warnings/${thread1.id}/audit`, { key: f.key })).json().items;
    expect(audit.at(-1)).toMatchObject({
      action: 'draft_revised',
      changes: { certainty: { from: 'Likely', to: 'Observed' } },
    });
  }, 60_000);

  it('keeps an operator verdict: a rejected draft, then the episode marked a false alarm, counts in GET /v1/verification', async () => {
    const f = await registerFixture(t, 'vf', 'BD');
    const approver = await approverKey(f.orgId);
    const r = await rule(f, 'PM2.5 above 75', {
      kind: 'threshold',
      select: { series: f.seriesCode },
      when: 'above',
      level: 75,
      severity: 'Severe',
    });
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    await raise(f, t0, [
      { raisedBy: { origin: 'rule', ruleId: r.id, ruleVersion: r.version }, details: { threshold: 75 } },
    ]);
    const [w] = (await t.request('GET', '/v1/warnings', { key: f.key })).json().items;
    const rejected = await t.request('POST', `/v1/warnings/${w.id}/versions/1/reject`, {
      key: approver,
      body: { reason: 'a dust plume from construction, not smoke' },
    });
    expect(rejected.statusCode).toBe(200);
    // the next signal at the same level does not draft again
    await raise(f, t0 + MINUTE, [
      {
        raisedBy: { origin: 'rule', ruleId: r.id, ruleVersion: r.version },
        startMs: t0 + MINUTE,
        details: { threshold: 75 },
      },
    ]);
    expect((await thread(w.id, f.key)).versions.map((v: { status: string }) => v.status)).toEqual([
      'rejected',
    ]);
    const again = await t.request('POST', `/v1/warnings/${w.id}/versions/1/approve`, {
      key: approver,
      body: {},
    });
    expect(again.statusCode).toBe(409);
    const verdict = await t.request('POST', `/v1/warnings/${w.id}/verification`, {
      key: f.key,
      body: { outcome: 'false_alarm', note: 'construction dust' },
    });
    expect(verdict.statusCode).toBe(200);
    const stats = (await t.request('GET', `/v1/verification?rule_id=${r.id}`, { key: f.key })).json().items;
    expect(stats).toEqual([expect.objectContaining({ falseAlarms: 1, hits: 0, falseAlarmRatio: 1 })]);
    const audit = (await t.request('GET', `/v1/warnings/${w.id}/audit`, { key: f.key })).json().items;
    expect(audit.map((a: { action: string }) => a.action)).toEqual([
      'thread_opened',
      'drafted',
      'rejected',
      'verified',
    ]);
    expect(audit[2].changes.reason).toBe('a dust plume from construction, not smoke');
  }, 60_000);
});

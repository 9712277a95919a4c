import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignalDraft } from '../src/detect/signal.ts';
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

const DHAKA = { lon: 90.3795, lat: 23.7781 };

describe.each(BACKENDS)('dissemination on %s', (backend) => {
  let t: TestPlatform;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    t = await startTestPlatform(backend);
    receiver = await startWebhookReceiver();
  }, 60_000);
  afterAll(async () => {
    await receiver?.close();
    await t?.close();
  });

  async function autoPublishingRule(
    f: Fixture,
  ): Promise<{ origin: 'rule'; ruleId: number; ruleVersion: number }> {
    const r = await t.request('POST', '/v1/rules', {
      key: f.key,
      body: {
        name: 'PM2.5 above 75',
        definition: {
          kind: 'threshold',
          select: { series: f.seriesCode },
          when: 'above',
          level: 75,
          severity: 'Severe',
          warning: { autoPublish: ['Moderate', 'Severe', 'Extreme'] },
        },
      },
    });
    expect(r.statusCode, r.body).toBe(201);
    return { origin: 'rule', ruleId: r.json().id, ruleVersion: r.json().version };
  }

  async function raise(
    f: Fixture,
    raisedBy: SignalDraft['raisedBy'],
    nowMs: number,
    state: 'firing' | 'cleared' = 'firing',
  ) {
    const ids = await insertSignals(t.platform.services.database.db, [
      fixtureSignal(f, {
        raisedBy,
        state,
        startMs: nowMs,
        endMs: state === 'cleared' ? nowMs : null,
        observed: state === 'firing' ? 120 : 40,
        dedupeKey: `d:${nowMs}:${state}:${Math.random()}`,
      }),
    ]);
    await t.platform.services.warnings.process(ids, nowMs);
  }

  const subscribe = async (f: Fixture, body: Record<string, unknown>) => {
    const r = await t.request('POST', '/v1/subscriptions', { key: f.key, body });
    expect(r.statusCode, r.body).toBe(201);
    return r.json() as { id: number; webhook_secret?: string };
  };

  it('delivers a published warning to the webhooks whose areas it reaches, signed per Standard Webhooks, and logs every attempt', async () => {
    const f = await registerFixture(t, 'wh', 'BD');
    const near = await subscribe(f, {
      channel: 'webhook',
      target: receiver.url,
      area: { kind: 'circle', ...DHAKA, radius_km: 5 },
    });
    // the same endpoint, so the same secret; a subscriber far away and one wanting only Extreme get nothing
    await subscribe(f, {
      channel: 'webhook',
      target: receiver.url,
      area: { kind: 'point', lon: 2.35, lat: 48.85 },
    });
    await subscribe(f, {
      channel: 'webhook',
      target: receiver.url,
      area: { kind: 'point', ...DHAKA },
      min_severity: 'Extreme',
    });
    const bad = await t.request('POST', '/v1/subscriptions', {
      key: f.key,
      body: { channel: 'sms', target: '01712345678', area: { kind: 'point', ...DHAKA } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].pointer).toBe('/target');
    receiver.setSecret(String(near.webhook_secret));
    const before = receiver.received.length;

    await raise(f, await autoPublishingRule(f), Date.now());
    const [thread] = (await t.request('GET', '/v1/warnings', { key: f.key })).json().items;
    expect(thread.current.status).toBe('published');
    expect(await t.platform.services.dispatcher.drain()).toBe(1);
    const got = receiver.received.slice(before);
    expect(got).toHaveLength(1);
    expect(got[0]?.verified).toBe(true);
    const payload = JSON.parse(got[0]?.body ?? '{}');
    expect(payload.type).toBe('warning.published');
    expect(payload.id).toBe(got[0]?.id);
    expect(payload.data.cap.identifier).toBe(thread.current.identifier);
    expect(payload.data.links.xml).toMatch(/\/cap\/.+\.xml$/);

    const log = (await t.request('GET', `/v1/warnings/${thread.id}/deliveries`, { key: f.key })).json();
    expect(log.summary).toEqual({ webhook: { delivered: 1 } });
    expect(log.items[0]).toMatchObject({ subscription_id: near.id, status: 'delivered', attempts: 1 });
    const attempts = (
      await t.request('GET', `/v1/deliveries/${log.items[0].id}/attempts`, { key: f.key })
    ).json().items;
    expect(attempts).toEqual([
      expect.objectContaining({ attempt: 1, outcome: 'delivered', response_code: 204 }),
    ]);
    const audit = (await t.request('GET', `/v1/warnings/${thread.id}/audit`, { key: f.key })).json().items;
    expect(audit.map((a: { action: string }) => a.action)).toContain('deliveries_queued');
  }, 60_000);

  it('gathers a digest subscriber’s warnings into one signed message at the local time they chose', async () => {
    const f = await registerFixture(t, 'dg', 'BD');
    const digest = { at: '07:00', time_zone: 'Asia/Dhaka', onset: 'all' };
    const area = { kind: 'circle', ...DHAKA, radius_km: 5 };
    for (const [body, pointer] of [
      [{ channel: 'mqtt', target: 'bd', area, digest }, '/digest'],
      [
        { channel: 'webhook', target: receiver.url, area, digest: { ...digest, time_zone: 'Asia/Dacca_' } },
        '/digest/time_zone',
      ],
    ] as const) {
      const bad = await t.request('POST', '/v1/subscriptions', { key: f.key, body });
      expect(bad.statusCode, bad.body).toBe(400);
      expect(bad.json().errors[0].pointer).toBe(pointer);
    }
    const sub = await subscribe(f, { channel: 'webhook', target: receiver.url, area, digest });
    receiver.setSecret(String(sub.webhook_secret));
    const before = receiver.received.length;

    const fire = await t.request('POST', '/v1/rules', {
      key: f.key,
      body: {
        name: 'Smoke from burning waste',
        definition: {
          kind: 'threshold',
          select: { series: f.seriesCode },
          when: 'above',
          level: 200,
          severity: 'Moderate',
          warning: { hazard: 'waste_fire', autoPublish: ['Moderate', 'Severe'] },
        },
      },
    });
    expect(fire.statusCode, fire.body).toBe(201);
    const now = Date.now();
    await raise(f, await autoPublishingRule(f), now);
    await raise(f, { origin: 'rule', ruleId: fire.json().id, ruleVersion: fire.json().version }, now);
    const threads = (await t.request('GET', '/v1/warnings', { key: f.key })).json().items;
    expect(threads.map((w: { current: { status: string } }) => w.current.status)).toEqual([
      'published',
      'published',
    ]);
    const dispatcher = t.platform.services.dispatcher;
    await dispatcher.drain();
    expect(receiver.received.length).toBe(before);

    const waiting = (await t.request('GET', `/v1/subscriptions/${sub.id}/deliveries`, { key: f.key })).json()
      .items;
    expect(waiting).toHaveLength(2);
    const digestAt = Date.parse(waiting[0].digest_at);
    // 07:00 in Dhaka (UTC+6, no daylight saving) is 01:00 UTC, within the next day.
    expect(new Date(digestAt).toISOString()).toMatch(/T01:00:00\.000Z$/);
    expect(digestAt - now).toBeGreaterThan(0);
    expect(digestAt - now).toBeLessThanOrEqual(86_400_000);
    expect(
      waiting.map((d: { status: string; digest_at: string }) => [d.status, Date.parse(d.digest_at)]),
    ).toEqual([
      ['pending', digestAt],
      ['pending', digestAt],
    ]);
    // A batch of one still sends the digest whole: the rest of it is claimed with it.
    await dispatcher.runOnce(digestAt + 1000, 1);
    const got = receiver.received.slice(before);
    expect(got).toHaveLength(1);
    expect(got[0]?.verified).toBe(true);
    const payload = JSON.parse(got[0]?.body ?? '{}');
    expect(payload.type).toBe('warning.digest');
    expect(got[0]?.id).toBe(payload.id);
    const firstWarning = Math.min(...waiting.map((d: { warning_id: number }) => d.warning_id));
    expect(payload.id).toBe(`dgs_${sub.id}_${digestAt / 1000}_${firstWarning}`);
    expect(payload.data.items.map((i: { data: { hazard: string } }) => i.data.hazard).sort()).toEqual([
      'air_pollution',
      'waste_fire',
    ]);
    expect(payload.data.items[0].data.severity).toBe('Severe');
    const sent = (await t.request('GET', `/v1/subscriptions/${sub.id}/deliveries`, { key: f.key })).json()
      .items;
    expect(sent.map((d: { status: string; attempts: number }) => [d.status, d.attempts])).toEqual([
      ['delivered', 1],
      ['delivered', 1],
    ]);
  }, 60_000);

  it('keeps trying a receiver that is down for two minutes; when it is back it receives everything, once per delivery id', async () => {
    const f = await registerFixture(t, 'dn', 'BD');
    const subs = [];
    for (let i = 0; i < 20; i++) {
      subs.push(
        await subscribe(f, {
          channel: 'webhook',
          target: receiver.url,
          area: { kind: 'circle', ...DHAKA, radius_km: 1 + i },
        }),
      );
    }
    receiver.setSecret(String(subs[0]?.webhook_secret));
    const rule = await autoPublishingRule(f);
    await receiver.down();
    const downAt = Date.now();
    await raise(f, rule, downAt);
    const dispatcher = t.platform.services.dispatcher;
    const before = receiver.received.length;
    // the workers keep going while the receiver is down (backoff 200 ms doubling to 5 s, circuit cool-down 5 s)
    while (Date.now() - downAt < 120_000) {
      await dispatcher.runOnce();
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(receiver.received.length).toBe(before);
    const [thread] = (await t.request('GET', '/v1/warnings', { key: f.key })).json().items;
    const pending = (await t.request('GET', `/v1/warnings/${thread.id}/deliveries`, { key: f.key })).json();
    expect(pending.summary.webhook.pending).toBe(20);
    await receiver.up();
    const upAt = Date.now();
    while (receiver.received.length - before < 20 && Date.now() - upAt < 30_000) {
      await dispatcher.runOnce();
      await new Promise((r) => setTimeout(r, 100));
    }
    const got = receiver.received.slice(before);
    expect(new Set(got.map((g) => g.id)).size).toBe(20);
    expect(got.every((g) => g.verified)).toBe(true);
    const done = (await t.request('GET', `/v1/warnings/${thread.id}/deliveries`, { key: f.key })).json();
    expect(done.summary).toEqual({ webhook: { delivered: 20 } });
    expect(done.items.some((d: { attempts: number }) => d.attempts > 1)).toBe(true);
  }, 200_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignalDraft } from '../src/detect/signal.ts';
import { insertSignals } from '../src/store/signal.repository.ts';
import { BACKENDS } from './support/test-database.ts';
import {
  type Fixture,
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
      {
        organisationId: f.orgId,
        seriesId: f.seriesId,
        stationId: f.stationId,
        areaId: null,
        raisedBy,
        kind: 'threshold',
        state,
        startMs: nowMs,
        endMs: state === 'cleared' ? nowMs : null,
        score: 1,
        observed: state === 'firing' ? 120 : 40,
        expected: null,
        spread: null,
        unit: 'µg/m³',
        leadTimeS: null,
        sentence: 'test',
        details: { threshold: 75 },
        dedupeKey: `d:${nowMs}:${state}:${Math.random()}`,
      },
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

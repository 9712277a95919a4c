import { randomBytes } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { createMqttChannel, mqttTopics } from './mqtt.ts';
import { warningMessage } from './test-message.ts';

const BROKER = 'mqtt://127.0.0.1:1883';

interface Received {
  readonly topic: string;
  readonly payload: Record<string, unknown>;
  readonly retain: boolean;
}

/** A subscriber that collects what arrives and waits for the n-th message. */
async function subscriber(
  filter: string,
): Promise<{ client: MqttClient; next(count: number): Promise<Received[]> }> {
  const client = await connectAsync(BROKER, { clientId: `ew4e-test-sub-${randomBytes(4).toString('hex')}` });
  const received: Received[] = [];
  const waiters: Array<() => void> = [];
  client.on('message', (topic, payload, packet) => {
    if (payload.length === 0) return; // our own clean-up
    received.push({ topic, payload: JSON.parse(payload.toString('utf8')), retain: packet.retain });
    for (const wake of waiters.splice(0)) wake();
  });
  await client.subscribeAsync(filter, { qos: 1 });
  return {
    client,
    async next(count) {
      const deadline = Date.now() + 5_000;
      while (received.length < count) {
        if (Date.now() > deadline)
          throw new Error(`only ${received.length} of ${count} messages on ${filter}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return received.slice(0, count);
    },
  };
}

describe('mqttTopics', () => {
  it('names country, hazard and severity in lower case, one topic per country', () => {
    const message = warningMessage({ countries: ['BD', 'IN', 'BD'], severity: 'Extreme' });
    expect(mqttTopics(message)).toEqual([
      'ew4e/warnings/bd/air_pollution/extreme',
      'ew4e/warnings/in/air_pollution/extreme',
    ]);
    expect(mqttTopics(warningMessage({ countries: [] }), 'city/dhaka')).toEqual([
      'city/dhaka/warnings/xx/air_pollution/severe',
    ]);
  });

  it('keeps MQTT wildcards out of topic levels', () => {
    expect(mqttTopics(warningMessage({ hazard: 'a/b+c#', countries: ['BD'] }))).toEqual([
      'ew4e/warnings/bd/a_b_c_/severe',
    ]);
  });
});

/**
 * A warning still in force: the channel sets the retained copy's Message Expiry Interval to the warning's
 * remaining life, so the fixture's fixed date (long past) would leave it retained for one second only.
 */
function standingMessage(overrides: Parameters<typeof warningMessage>[0] = {}) {
  return warningMessage({ expires: new Date(Date.now() + 3_600_000).toISOString(), ...overrides });
}

describe('MQTT channel against the Mosquitto broker', () => {
  const prefix = `ew4e-test-${randomBytes(6).toString('hex')}`;
  const used = new Set<string>();
  const clients: MqttClient[] = [];
  const channel = createMqttChannel({ url: BROKER, prefix });

  afterAll(async () => {
    // Retained messages outlive the test: an empty retained payload deletes them (MQTT 5.0 §3.3.1.3).
    const cleaner = await connectAsync(BROKER);
    for (const topic of used) await cleaner.publishAsync(topic, '', { qos: 1, retain: true });
    await cleaner.endAsync();
    for (const client of clients) await client.endAsync();
    await channel.close?.();
  });

  it('publishes QoS 1 retained to each topic; a late subscriber gets the retained warning', async () => {
    const live = await subscriber(`${prefix}/warnings/#`);
    clients.push(live.client);
    const message = standingMessage({ countries: ['BD'] });

    const attempt = await channel.send(message, '');
    for (const topic of mqttTopics(message, prefix)) used.add(topic);

    expect(attempt).toMatchObject({ outcome: 'delivered', responseCode: null, error: null });
    const [got] = await live.next(1);
    expect(got?.topic).toBe(`${prefix}/warnings/bd/air_pollution/severe`);
    expect(got?.payload).toEqual({
      id: message.deliveryId,
      identifier: message.identifier,
      msgType: 'Alert',
      headline: message.headline,
      severity: 'Severe',
      urgency: 'Expected',
      certainty: 'Likely',
      expires: message.expires,
      capUrl: message.capUrl,
      language: 'en',
      areaDesc: message.areaDesc,
    });

    const late = await subscriber(`${prefix}/warnings/bd/#`);
    clients.push(late.client);
    const [retained] = await late.next(1);
    expect(retained).toMatchObject({ topic: got?.topic, retain: true, payload: { id: message.deliveryId } });
  });

  it('retains the Cancel itself, so a late subscriber learns the warning ended', async () => {
    const message = warningMessage({
      countries: ['KE'],
      msgType: 'Cancel',
      deliveryId: 'dlv_cancel',
      expires: new Date(Date.now() - 60_000).toISOString(),
    });
    expect((await channel.send(message, '')).outcome).toBe('delivered');
    for (const topic of mqttTopics(message, prefix)) used.add(topic);

    const late = await subscriber(`${prefix}/warnings/ke/#`);
    clients.push(late.client);
    const [retained] = await late.next(1);
    expect(retained).toMatchObject({ retain: true, payload: { msgType: 'Cancel', id: 'dlv_cancel' } });
  });

  it('takes a topic prefix from the target', async () => {
    const ownPrefix = `${prefix}/org-7`;
    const live = await subscriber(`${ownPrefix}/warnings/#`);
    clients.push(live.client);
    const message = standingMessage({ countries: ['BD', 'IN'] });
    expect((await channel.send(message, `${ownPrefix}/`)).outcome).toBe('delivered');
    for (const topic of mqttTopics(message, ownPrefix)) used.add(topic);
    const received = await live.next(2);
    expect(received.map((r) => r.topic).sort()).toEqual([
      `${ownPrefix}/warnings/bd/air_pollution/severe`,
      `${ownPrefix}/warnings/in/air_pollution/severe`,
    ]);
  });

  it('lets the broker drop the retained copy when the warning expires', async () => {
    const message = standingMessage({
      countries: ['UG'],
      expires: new Date(Date.now() + 1_000).toISOString(),
    });
    expect((await channel.send(message, '')).outcome).toBe('delivered');
    for (const topic of mqttTopics(message, prefix)) used.add(topic);
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    const late = await subscriber(`${prefix}/warnings/ug/#`);
    clients.push(late.client);
    await expect(late.next(1)).rejects.toThrow(/only 0 of 1/);
  });

  it('fails a target with wildcards', async () => {
    expect((await channel.send(warningMessage(), 'alerts/+')).outcome).toBe('failed');
  });
});

describe('MQTT channel without a broker', () => {
  it('counts an unanswered publish as a passing failure and closes without hanging', async () => {
    const channel = createMqttChannel({ url: 'mqtt://127.0.0.1:1', publishTimeoutMs: 300 });
    const attempt = await channel.send(warningMessage(), '');
    expect(attempt.outcome).toBe('retry');
    expect(attempt.error).toMatch(/^no PUBACK within 300 ms/);
    await channel.close?.();
  });
});

/** Self-service subscriptions over real SMTP and an SMS gateway peer: double opt-in, delivery, one-click unsubscribe; responders' acknowledgement and escalation; the spoken bulletin. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wavInfo } from '../src/notify/media/spoken-bulletin.ts';
import { BACKENDS } from './support/test-database.ts';
import {
  type Fixture,
  publishSevereWarning,
  registerFixture,
  startTestPlatform,
  type TestPlatform,
} from './support/test-platform.ts';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';

const DHAKA = { lon: 90.3795, lat: 23.7781 };

interface Mail {
  readonly to: string[];
  readonly raw: string;
}

async function startSmtp(): Promise<{ url: string; mails: Mail[]; stop(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    disableReverseLookup: true,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The SMS carrier stands outside this machine: an HTTP peer plays its gateway. */
async function startSmsGateway(): Promise<{
  url: string;
  messages: { to: string; text: string }[];
  close(): Promise<void>;
}> {
  const messages: { to: string; text: string }[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      messages.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      response.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.each(BACKENDS)('subscribers on %s', (backend) => {
  let t: TestPlatform;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let sms: Awaited<ReturnType<typeof startSmsGateway>>;
  let hook: WebhookReceiver;
  let f: Fixture;
  beforeAll(async () => {
    smtp = await startSmtp();
    sms = await startSmsGateway();
    hook = await startWebhookReceiver();
    t = await startTestPlatform(backend, {
      delivery: {
        smtpUrl: smtp.url,
        mailFrom: 'EW4E <warnings@ew4e.test>',
        smsGatewayUrl: sms.url,
        smsToken: 'gateway-token',
        mqttUrl: undefined,
        baseBackoffMs: 200,
        maxBackoffMs: 2000,
        coolDownMs: 2000,
        leaseMs: 5000,
      },
    });
    f = await registerFixture(t, 'ps', 'BD');
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
    await sms?.close();
    await hook?.close();
  });

  /** Ends any open episode, then publishes a new Severe warning around the Dhaka station. */
  async function publishSevere(nowMs: number): Promise<{ id: number; identifier: string }> {
    for (const open of (await t.request('GET', '/v1/warnings?status=open', { key: f.key })).json().items) {
      await t.request('POST', `/v1/warnings/${open.id}/cancel`, { body: { reason: 'next test step' } });
    }
    await t.platform.services.dispatcher.drain();
    await publishSevereWarning(t, f, {
      nowMs,
      ruleName: `PM2.5 above 75 (${nowMs})`,
      dedupeKey: `ps:${nowMs}:${Math.random()}`,
    });
    const threads = (await t.request('GET', '/v1/warnings?status=open', { key: f.key })).json().items;
    const current = threads[0].current;
    return { id: threads[0].id, identifier: current.identifier };
  }

  it("double opt-in by e-mail, the warning in the subscriber's language with List-Unsubscribe, then one-click unsubscribe", async () => {
    const r = await t.request('POST', '/public/subscriptions', {
      key: '',
      body: {
        channel: 'email',
        target: 'amina@example.org',
        area: { kind: 'circle', ...DHAKA, radius_km: 3 },
        languages: ['fr', 'en'],
      },
    });
    expect(r.statusCode, r.body).toBe(202);
    const confirmation = smtp.mails.find((m) => m.to.includes('amina@example.org'));
    expect(confirmation?.raw).toContain('Confirm your EW4E warning subscription');
    const decoded = (confirmation?.raw ?? '')
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    const link = /https:\/\/ew4e\.test(\/public\/subscriptions\/confirm\?token=[\w%-]+)/.exec(decoded);
    expect(link).not.toBeNull();

    // before confirmation nothing is sent
    await publishSevere(Date.now());
    await t.platform.services.dispatcher.drain();
    expect(smtp.mails.filter((m) => m.to.includes('amina@example.org'))).toHaveLength(1);

    const confirmed = await t.platform.server.inject({ method: 'GET', url: String(link?.[1]) });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    await publishSevere(Date.now());
    await t.platform.services.dispatcher.drain();
    const last = smtp.mails.filter((m) => m.to.includes('amina@example.org')).at(-1);
    // headers as a reader sees them: folded lines joined (RFC 5322 §2.2.3)
    const warningMail =
      last === undefined ? undefined : { ...last, raw: last.raw.replace(/\r?\n[ \t]+/g, ' ') };
    expect(warningMail?.raw).toMatch(/Content-Language: fr/i);
    expect(warningMail?.raw).toMatch(/List-Unsubscribe: <https:\/\/ew4e\.test\/public\/unsubscribe\?token=/);
    expect(warningMail?.raw).toMatch(/List-Unsubscribe-Post: List-Unsubscribe=One-Click/);
    const token = /unsubscribe\?token=([\w-]+)/.exec(warningMail?.raw ?? '')?.[1];
    const gone = await t.platform.server.inject({
      method: 'POST',
      url: `/public/unsubscribe?token=${token}`,
    });
    expect(gone.statusCode).toBe(200);
    const subs = await t.platform.services.database.db
      .selectFrom('subscription')
      .select('status')
      .where('target', '=', 'amina@example.org')
      .execute();
    expect(subs.map((s) => s.status)).toEqual(['unsubscribed']);
  }, 60_000);

  it('asks responders to acknowledge; without it the next contact is told; an SMS reply ACK acknowledges', async () => {
    const chief = await t.request('POST', '/v1/subscriptions', {
      key: f.key,
      body: {
        channel: 'webhook',
        target: hook.url,
        recipient_name: 'duty chief',
        area: { kind: 'point', ...DHAKA },
      },
    });
    hook.setSecret(chief.json().webhook_secret);
    const officer = await t.request('POST', '/v1/subscriptions', {
      key: f.key,
      body: {
        channel: 'sms',
        target: '+8801712345678',
        recipient_name: 'field officer',
        area: { kind: 'point', ...DHAKA },
        ack_within_s: 60,
        escalate_to: chief.json().id,
      },
    });
    expect(officer.statusCode, officer.body).toBe(201);
    const warning = await publishSevere(Date.now());
    await t.platform.services.dispatcher.drain();
    const text = sms.messages.find((m) => m.to === '+8801712345678');
    expect(sms.messages).toHaveLength(1); // the all-clear of an episode the officer never heard of is not sent
    expect(text?.text.length).toBeGreaterThan(10);
    const beforeEscalation = hook.received.length;
    // a minute later, unacknowledged: the chief is told
    expect(await t.platform.services.dispatcher.escalate(Date.now() + 61_000)).toBe(1);
    await t.platform.services.dispatcher.drain();
    expect(hook.received.length).toBe(beforeEscalation + 1);
    expect(hook.received.at(-1)?.id).toMatch(/_e1$/);
    // the officer answers by SMS
    const reply = await t.request('POST', '/public/sms/inbound', {
      key: '',
      body: { from: '+8801712345678', text: 'ack on my way' },
    });
    expect(reply.json().acknowledged).toBe(true);
    const log = (await t.request('GET', `/v1/warnings/${warning.id}/deliveries`, { key: f.key })).json();
    const officerDelivery = log.items.find((d: { channel: string }) => d.channel === 'sms');
    expect(officerDelivery).toMatchObject({ status: 'delivered', acknowledged_by: 'sms:+8801712345678' });

    // the same warning as a spoken bulletin, in French, to play on community radio
    const audio = await t.platform.server.inject({
      method: 'GET',
      url: `/cap/${warning.identifier}.wav?lang=fr`,
    });
    expect(audio.statusCode).toBe(200);
    const info = wavInfo(audio.rawPayload);
    expect(info.durationS).toBeGreaterThan(5);
    const pdf = await t.platform.server.inject({ method: 'GET', url: `/cap/${warning.identifier}.pdf` });
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
  }, 60_000);
});

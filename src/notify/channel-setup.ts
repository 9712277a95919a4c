/** @module Which channels this platform offers, from its configuration; and the double opt-in messages of self-service subscriptions. */
import type { Kysely } from 'kysely';
import nodemailer from 'nodemailer';
import type { DeliveryConfig } from '../config.ts';
import type { Schema } from '../store/schema.ts';
import type { Channel, ChannelKind } from './channel.ts';
import { createEmailChannel } from './channels/email.ts';
import { createMqttChannel } from './channels/mqtt.ts';
import { createSmsChannel } from './channels/sms.ts';
import { createWebhookChannel } from './channels/webhook.ts';

/** Webhooks always; e-mail, SMS and MQTT when their server is configured. */
export function createChannels(
  config: DeliveryConfig,
  webhookSecrets: ReadonlyMap<string, string>,
): Map<ChannelKind, Channel> {
  const channels = new Map<ChannelKind, Channel>();
  channels.set(
    'webhook',
    createWebhookChannel({ secretFor: (target) => webhookSecrets.get(target) ?? null }),
  );
  if (config.smtpUrl !== undefined)
    channels.set('email', createEmailChannel({ smtpUrl: config.smtpUrl, from: config.mailFrom }));
  if (config.smsGatewayUrl !== undefined) {
    channels.set(
      'sms',
      createSmsChannel({
        gatewayUrl: config.smsGatewayUrl,
        ...(config.smsToken === undefined ? {} : { token: config.smsToken }),
      }),
    );
  }
  if (config.mqttUrl !== undefined) channels.set('mqtt', createMqttChannel({ url: config.mqttUrl }));
  return channels;
}

export async function storedWebhookSecret(db: Kysely<Schema>, target: string): Promise<string | null> {
  const row = await db
    .selectFrom('subscription')
    .select('webhook_secret')
    .where('channel', '=', 'webhook')
    .where('target', '=', target)
    .where('webhook_secret', 'is not', null)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row?.webhook_secret ?? null;
}

/** The link (e-mail) or code (SMS) that turns a self-service subscription on. */
export async function sendConfirmation(
  config: DeliveryConfig,
  publicUrl: string,
  channel: 'email' | 'sms',
  target: string,
  token: string,
): Promise<void> {
  const link = `${publicUrl}/public/subscriptions/confirm?token=${encodeURIComponent(token)}`;
  if (channel === 'email') {
    if (config.smtpUrl === undefined) throw new Error('no SMTP server is configured (EW4E_SMTP_URL)');
    const transport = nodemailer.createTransport(config.smtpUrl);
    try {
      await transport.sendMail({
        from: config.mailFrom,
        to: target,
        subject: 'Confirm your EW4E warning subscription',
        text: `Someone (we hope you) asked to receive environmental warnings at this address.\n\nConfirm: ${link}\n\nIf it was not you, ignore this message: nothing will be sent.`,
      });
    } finally {
      transport.close();
    }
    return;
  }
  if (config.smsGatewayUrl === undefined)
    throw new Error('no SMS gateway is configured (EW4E_SMS_GATEWAY_URL)');
  const response = await fetch(config.smsGatewayUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(config.smsToken === undefined ? {} : { authorization: `Bearer ${config.smsToken}` }),
    },
    body: JSON.stringify({ to: target, text: `EW4E: confirm your warning subscription: ${link}` }),
    signal: AbortSignal.timeout(15_000),
  });
  if (!response.ok) throw new Error(`the SMS gateway answered ${response.status}`);
}

/**
 * @module The MQTT channel: each warning published to a topic tree by country, hazard and severity, QoS 1 and
 * retained, so sirens, displays and gateways that connect later still get the latest warning of their topic
 * (MQTT 5.0, OASIS Standard, 7 March 2019: §3.3.1.3 RETAIN, §3.3.2.3.3 Message Expiry Interval).
 */
import { randomBytes } from 'node:crypto';
import { connect, type IClientPublishOptions, type MqttClient } from 'mqtt';
import type { Channel, DeliveryAttempt, WarningMessage } from '../channel.ts';

export interface MqttChannelOptions {
  /** The broker, e.g. `mqtt://127.0.0.1:1883` or `mqtts://broker.example.org:8883`. */
  readonly url: string;
  /** Default `ew4e-<random>`: two processes with the same id would keep disconnecting each other. */
  readonly clientId?: string;
  /** The first topic level. Default `ew4e`. */
  readonly prefix?: string;
  /** How long a publish may wait for the broker's PUBACK before the attempt counts as a passing failure. Default 10 s. */
  readonly publishTimeoutMs?: number;
}

/** What subscribers receive: enough to act on or to decide to fetch the CAP. */
export interface MqttWarningPayload {
  /** The delivery id: subscribers drop duplicates by it (QoS 1 is at least once). */
  readonly id: string;
  readonly identifier: string;
  readonly msgType: WarningMessage['msgType'];
  readonly headline: string;
  readonly severity: string;
  readonly urgency: string;
  readonly certainty: string;
  readonly expires: string;
  readonly capUrl: string;
  readonly language: string;
  readonly areaDesc: string;
}

const DEFAULT_PREFIX = 'ew4e';
const DEFAULT_PUBLISH_TIMEOUT_MS = 10_000;
const MIN_CANCEL_RETAIN_S = 3_600;

/** One topic level: lower case, with the characters MQTT reserves (`/`, `+`, `#`, NUL, §4.7) replaced. */
function topicLevel(value: string): string {
  return (
    value
      .toLowerCase()
      .replace(/[/+#\s]/g, '_')
      .replaceAll('\u0000', '_') || '_'
  );
}

/** `{prefix}/warnings/{country}/{hazard}/{severity}` for each country of the message (`xx` when none). */
export function mqttTopics(message: WarningMessage, prefix: string = DEFAULT_PREFIX): string[] {
  const countries = message.countries.length > 0 ? message.countries : ['XX'];
  const hazard = topicLevel(message.hazard);
  const severity = topicLevel(message.severity);
  const topics = countries.map(
    (country) => `${prefix}/warnings/${topicLevel(country)}/${hazard}/${severity}`,
  );
  return [...new Set(topics)];
}

export function mqttPayload(message: WarningMessage): MqttWarningPayload {
  return {
    id: message.deliveryId,
    identifier: message.identifier,
    msgType: message.msgType,
    headline: message.headline,
    severity: message.severity,
    urgency: message.urgency,
    certainty: message.certainty,
    expires: message.expires,
    capUrl: message.capUrl,
    language: message.language,
    areaDesc: message.areaDesc,
  };
}

/** A prefix from a subscription's target: wildcards cannot be published to. */
function validPrefix(prefix: string): boolean {
  // `$` topics belong to the broker (§4.7.2).
  return prefix !== '' && !/[+#]/.test(prefix) && !prefix.includes('\u0000') && !prefix.startsWith('$');
}

/**
 * Seconds until the warning expires, so the broker drops the retained copy then instead of keeping it for ever;
 * a Cancel stays at least an hour, so devices connecting soon after still learn that the warning ended.
 */
function retainSeconds(message: WarningMessage, nowMs: number): number {
  const expiresMs = Date.parse(message.expires);
  if (Number.isNaN(expiresMs)) return MIN_CANCEL_RETAIN_S;
  const remainingS = Math.ceil((expiresMs - nowMs) / 1000);
  return Math.max(remainingS, message.msgType === 'Cancel' ? MIN_CANCEL_RETAIN_S : 1);
}

export function createMqttChannel(options: MqttChannelOptions): Channel {
  const publishTimeoutMs = options.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
  const defaultPrefix = options.prefix ?? DEFAULT_PREFIX;
  let client: MqttClient | null = null;
  let lastError: string | null = null;

  // One client for every send, connected on first use; mqtt.js reconnects on its own and holds QoS 1
  // publishes made while offline until the connection is back.
  const shared = (): MqttClient => {
    if (client !== null) return client;
    const created = connect(options.url, {
      clientId: options.clientId ?? `ew4e-${randomBytes(6).toString('hex')}`,
      protocolVersion: 5,
      reconnectPeriod: 2_000,
      connectTimeout: 10_000,
    });
    // Without a listener an 'error' event would throw and take the process down.
    created.on('error', (error) => {
      lastError = error.message;
    });
    created.on('connect', () => {
      lastError = null;
    });
    client = created;
    return created;
  };

  const publish = async (
    topic: string,
    payload: string,
    publishOptions: IClientPublishOptions,
  ): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const reason = lastError === null ? '' : ` (${lastError})`;
        reject(new Error(`no PUBACK within ${publishTimeoutMs} ms${reason}`));
      }, publishTimeoutMs);
    });
    try {
      await Promise.race([shared().publishAsync(topic, payload, publishOptions), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  async function send(message: WarningMessage, target: string): Promise<DeliveryAttempt> {
    const started = performance.now();
    const latencyMs = (): number => Math.round(performance.now() - started);
    const prefix = target === '' ? defaultPrefix : target.replace(/\/+$/, '');
    if (!validPrefix(prefix)) {
      return {
        outcome: 'failed',
        responseCode: null,
        error: `not a topic prefix: ${target}`,
        latencyMs: latencyMs(),
      };
    }
    // A Cancel is published like any version, not as an empty retained message: an empty one would only
    // delete the retained warning, and a device connecting later could not tell "ended" from "never was".
    const payload = JSON.stringify(mqttPayload(message));
    const publishOptions: IClientPublishOptions = {
      qos: 1,
      retain: true,
      properties: {
        messageExpiryInterval: retainSeconds(message, Date.now()),
        contentType: 'application/json',
      },
    };
    try {
      await Promise.all(mqttTopics(message, prefix).map((topic) => publish(topic, payload, publishOptions)));
    } catch (error) {
      // A topic that did get it gets it again on retry: subscribers drop the duplicate by id.
      const reason = error instanceof Error ? error.message : String(error);
      return { outcome: 'retry', responseCode: null, error: reason, latencyMs: latencyMs() };
    }
    return { outcome: 'delivered', responseCode: null, error: null, latencyMs: latencyMs() };
  }

  async function close(): Promise<void> {
    const closing = client;
    client = null;
    // force: publishes still waiting for a broker that is down must not hold the shutdown.
    await closing?.endAsync(true);
  }

  return { kind: 'mqtt', send, close };
}

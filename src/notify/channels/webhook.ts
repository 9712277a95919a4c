/**
 * @module The webhook channel: a warning POSTed as JSON to a subscriber's URL, signed per the Standard
 * Webhooks specification (https://www.standardwebhooks.com, spec v1: `webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,<base64 HMAC-SHA256>`), so receivers can verify it with any Standard Webhooks library.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Channel, DeliveryAttempt, DigestMessage, WarningMessage } from '../channel.ts';

export interface WebhookChannelOptions {
  /** The signing secret (`whsec_…`) of the subscription that owns the URL, or null to send unsigned. */
  secretFor(target: string): string | null;
  /** For the whole exchange, connection included. Default 10 s. */
  readonly timeoutMs?: number;
  readonly userAgent?: string;
  /** Injectable for tests and proxies. Default the global fetch. */
  readonly fetch?: typeof fetch;
}

/** An attempt plus the wait the receiver asked for with `Retry-After` (429, 503), for the scheduler to honour. */
export interface WebhookAttempt extends DeliveryAttempt {
  readonly retryAfterMs?: number;
}

export interface WebhookChannel extends Channel {
  send(message: WarningMessage, target: string): Promise<WebhookAttempt>;
  sendDigest(digest: DigestMessage, target: string): Promise<WebhookAttempt>;
}

export type WebhookEventType = 'warning.published' | 'warning.updated' | 'warning.cancelled';

/** The body, in the spec's recommended envelope (`type`, `timestamp`, `data`) plus the delivery id. */
export interface WebhookPayload {
  readonly type: WebhookEventType;
  /** The delivery id, equal to the `webhook-id` header: receivers drop duplicates by it. */
  readonly id: string;
  /** ISO 8601, when this attempt was made. */
  readonly timestamp: string;
  readonly data: {
    readonly cap: WarningMessage['cap'];
    readonly links: {
      readonly xml: string;
      readonly json: string;
      readonly web: string;
      readonly acknowledge: string | null;
    };
    readonly headline: string;
    readonly severity: string;
    readonly urgency: string;
    readonly certainty: string;
    readonly hazard: string;
    readonly language: string;
    readonly areaDesc: string;
  };
}

const EVENT_TYPES: Readonly<Record<WarningMessage['msgType'], WebhookEventType>> = {
  Alert: 'warning.published',
  Update: 'warning.updated',
  Cancel: 'warning.cancelled',
};

const SECRET_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_USER_AGENT = 'EW4E-Webhooks/1.0 (+https://www.standardwebhooks.com)';

export function webhookPayload(message: WarningMessage, at: Date): WebhookPayload {
  return {
    type: EVENT_TYPES[message.msgType],
    id: message.deliveryId,
    timestamp: at.toISOString(),
    data: payloadData(message),
  };
}

/** A digest: the same envelope, `type: warning.digest`, and per warning its event type and data as sent alone. */
export interface WebhookDigestPayload {
  readonly type: 'warning.digest';
  readonly id: string;
  readonly timestamp: string;
  readonly data: {
    readonly digestAt: string;
    readonly language: string;
    readonly items: readonly { readonly type: WebhookEventType; readonly data: WebhookPayload['data'] }[];
  };
}

export function webhookDigestPayload(digest: DigestMessage, at: Date): WebhookDigestPayload {
  return {
    type: 'warning.digest',
    id: digest.deliveryId,
    timestamp: at.toISOString(),
    data: {
      digestAt: digest.digestAt,
      language: digest.language,
      items: digest.items.map((m) => ({ type: EVENT_TYPES[m.msgType], data: payloadData(m) })),
    },
  };
}

function payloadData(message: WarningMessage): WebhookPayload['data'] {
  return {
    cap: message.cap,
    links: {
      xml: message.capUrl,
      json: message.jsonUrl,
      web: message.webUrl,
      acknowledge: message.acknowledgeUrl,
    },
    headline: message.headline,
    severity: message.severity,
    urgency: message.urgency,
    certainty: message.certainty,
    hazard: message.hazard,
    language: message.language,
    areaDesc: message.areaDesc,
  };
}

/** The key bytes: base64 after the optional `whsec_` prefix, as the spec's reference libraries read it. */
function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  // Buffer.from(…, 'base64') silently skips junk; a mistyped secret must fail loudly instead of signing with garbage.
  if (!BASE64.test(encoded)) throw new RangeError('webhook secret is not base64 (whsec_<base64>)');
  return Buffer.from(encoded, 'base64');
}

/** The `webhook-signature` value: `v1,` + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")). */
export function signWebhook(secret: string, id: string, timestampS: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestampS}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** A new signing secret: 24 random bytes (the spec asks for 24 to 64), base64 after `whsec_`. */
export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(24).toString('base64')}`;
}

/**
 * `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, as milliseconds from now; null when absent
 * or unreadable. Not capped here: the scheduler weighs it against its own ceiling.
 */
export function retryAfterMs(header: string | null, nowMs: number): number | null {
  if (header === null) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** Receivers that may recover: timeout (408), rate limit (429) and server errors. */
function isPassingFailure(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return `timeout after ${timeoutMs} ms`;
    // undici reports "fetch failed" and puts the reason (ECONNREFUSED, ENOTFOUND, …) in `cause`.
    const cause: unknown = error.cause;
    if (cause instanceof Error) {
      const code = (cause as NodeJS.ErrnoException).code;
      return `${error.message}: ${code ?? cause.message}`;
    }
    return error.message;
  }
  return String(error);
}

export function createWebhookChannel(options: WebhookChannelOptions): WebhookChannel {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  const doFetch = options.fetch ?? fetch;

  /** POSTs one signed body; `id` is the webhook-id, the same on every retry: the receiver's idempotency key. */
  async function post(id: string, payload: (at: Date) => object, target: string): Promise<WebhookAttempt> {
    const started = performance.now();
    const latencyMs = (): number => Math.round(performance.now() - started);
    const failed = (error: string, responseCode: number | null = null): WebhookAttempt => ({
      outcome: 'failed',
      responseCode,
      error,
      latencyMs: latencyMs(),
    });

    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return failed(`not a URL: ${target}`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return failed(`not an HTTP URL: ${target}`);

    const nowMs = Date.now();
    const timestampS = Math.floor(nowMs / 1000);
    const body = JSON.stringify(payload(new Date(nowMs)));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': userAgent,
      'webhook-id': id,
      'webhook-timestamp': String(timestampS),
    };
    const secret = options.secretFor(target);
    if (secret !== null) {
      try {
        headers['webhook-signature'] = signWebhook(secret, id, timestampS, body);
      } catch (error) {
        return failed(error instanceof Error ? error.message : String(error));
      }
    }

    let response: Response;
    try {
      response = await doFetch(url, {
        method: 'POST',
        headers,
        body,
        // A redirect is not followed: the signature was made for this URL, and following lets a receiver
        // point our server at internal addresses. The subscriber updates the URL instead.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      return {
        outcome: 'retry',
        responseCode: null,
        error: describeFetchError(error, timeoutMs),
        latencyMs: latencyMs(),
      };
    }
    // Only the status matters; drop the body so the connection returns to the pool.
    await response.body?.cancel().catch(() => undefined);

    const status = response.status;
    if (status >= 200 && status < 300) {
      return { outcome: 'delivered', responseCode: status, error: null, latencyMs: latencyMs() };
    }
    const error = `HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}`;
    if (isPassingFailure(status)) {
      const wait = retryAfterMs(response.headers.get('retry-after'), Date.now());
      return {
        outcome: 'retry',
        responseCode: status,
        error,
        latencyMs: latencyMs(),
        ...(wait === null ? {} : { retryAfterMs: wait }),
      };
    }
    // 3xx (not followed) and the other 4xx (400, 401, 404, 410 Gone…): the same request will not succeed later.
    return failed(error, status);
  }

  return {
    kind: 'webhook',
    send: (message, target) => post(message.deliveryId, (at) => webhookPayload(message, at), target),
    sendDigest: (digest, target) => post(digest.deliveryId, (at) => webhookDigestPayload(digest, at), target),
  };
}

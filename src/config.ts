/** @module Reads the platform's configuration from the environment, once, at the edge; nothing else reads process.env. */
import path from 'node:path';
import { DEFAULT_INGEST_PREFIX } from './ingest/mqtt-topics.ts';
import { isProcessRole, PROCESS_ROLES, type ProcessRole } from './process-role.ts';

export interface Config {
  readonly port: number;
  readonly host: string;
  /** PGlite data folder, used when databaseUrl is absent. */
  readonly dataDir: string;
  /** PostgreSQL connection string; when set, PostgreSQL replaces the embedded PGlite. */
  readonly databaseUrl: string | undefined;
  /** Bootstrap admin API key for scripts and first login; installed for the global organisation at start. */
  readonly adminKey: string | undefined;
  readonly logLevel: string;
  /** Largest number of rows accepted in one ingestion batch. */
  readonly maxBatchRows: number;
  /** Largest request body in bytes. */
  readonly maxBodyBytes: number;
  /** Base of the public links in CAP messages and feeds (default http://localhost:PORT). */
  readonly publicUrl: string;
  /** New data is gathered this long before detection runs (one catch-up per series for many batches). */
  readonly detectionGatherMs: number;
  /** What this process runs (`serve --role`, EW4E_ROLE); absent: all. */
  readonly role?: ProcessRole;
  /** NATS between the stages (EW4E_NATS_URL); absent: the stages meet in this process (the embedded default). */
  readonly nats?: { readonly url: string; readonly ackWaitMs: number };
  /** Sensors' MQTT broker to ingest from (EW4E_MQTT_INGEST_URL); absent: observations come over HTTP only. */
  readonly mqttIngest?: {
    readonly url: string;
    /** Fixed, so the broker keeps the session across restarts (EW4E_MQTT_INGEST_CLIENT_ID, default ew4e-ingest). */
    readonly clientId: string;
    /** The topic tree's first levels (EW4E_MQTT_INGEST_PREFIX, default ew4e/in). */
    readonly prefix: string;
  };
  /** Dissemination channels; a channel whose setting is absent is not offered (its deliveries wait). */
  readonly delivery: DeliveryConfig;
  /** The built dashboard served at `/` (default web/dist of this checkout). */
  readonly webDir?: string;
  /** Password of the demo's dashboard users (default: the demo's own, printed in its log). */
  readonly demoPassword?: string;
  /** Believe X-Forwarded-* from these proxies (true: any; default none): client IP and https behind a TLS proxy. */
  readonly trustProxy?: boolean | readonly string[];
  /** Request budgets (server/rate-limits.ts); absent: DEFAULT_RATE_LIMITS. */
  readonly rateLimits?: RateLimits;
}

export interface RateLimits {
  /** Requests per minute per API key, per signed-in user, or per client IP on public routes. */
  readonly perMinute: number;
  /** POST /auth/login attempts per 15 minutes per e-mail address. */
  readonly signInPerEmail: number;
  /** POST /auth/login attempts per 15 minutes per client IP (an office behind one NAT signs in together). */
  readonly signInPerIp: number;
  /** Self-service subscription requests and confirmations per 15 minutes per client IP (each may send a message). */
  readonly selfServicePerIp: number;
}

/** Generous for machines (benches and tests are never throttled), strict where passwords and codes are guessed. */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  perMinute: 10_000,
  signInPerEmail: 10,
  signInPerIp: 30,
  selfServicePerIp: 10,
};

export interface DeliveryConfig {
  /** smtp://host:port of the mail relay. */
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  /** The SMS gateway's HTTP endpoint and its bearer token. */
  readonly smsGatewayUrl: string | undefined;
  readonly smsToken: string | undefined;
  /** mqtt://host:port of the broker for sirens, displays and integrators. */
  readonly mqttUrl: string | undefined;
  /** First retry delay (doubles per attempt, with full jitter, up to maxBackoffMs). */
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
  /** How long an endpoint that keeps failing is left alone before one probe (circuit breaker). */
  readonly coolDownMs: number;
  /** How long a worker's claim on a delivery holds before another may take it (crash recovery). */
  readonly leaseMs: number;
}

export const DEFAULTS = {
  port: 8080,
  host: '0.0.0.0',
  dataDir: '.ew4e',
  maxBatchRows: 50_000,
  maxBodyBytes: 16 * 1024 * 1024,
  // A quarter second: warnings reach people within a second, and a busy feed still batches detection.
  detectionGatherMs: 250,
  deliveryBackoffMs: 5_000,
  deliveryMaxBackoffMs: 3_600_000,
  deliveryCoolDownMs: 30_000,
  deliveryLeaseMs: 60_000,
  // A worker that holds a message this long without acknowledging it is presumed dead; others take it.
  natsAckWaitMs: 30_000,
} as const;

export function configFromEnv(env: NodeJS.ProcessEnv, cwd = process.cwd()): Config {
  const port = integer(env.PORT, DEFAULTS.port, 'PORT');
  return {
    port,
    host: env.HOST ?? DEFAULTS.host,
    dataDir: path.resolve(cwd, env.EW4E_DATA_DIR ?? DEFAULTS.dataDir),
    ...(env.EW4E_WEB_DIR ? { webDir: path.resolve(cwd, env.EW4E_WEB_DIR) } : {}),
    ...(env.EW4E_DEMO_PASSWORD ? { demoPassword: env.EW4E_DEMO_PASSWORD } : {}),
    ...(env.EW4E_TRUST_PROXY ? { trustProxy: trustProxy(env.EW4E_TRUST_PROXY) } : {}),
    rateLimits: {
      perMinute: integer(
        env.EW4E_RATE_LIMIT_PER_MINUTE,
        DEFAULT_RATE_LIMITS.perMinute,
        'EW4E_RATE_LIMIT_PER_MINUTE',
      ),
      signInPerEmail: integer(
        env.EW4E_SIGN_IN_LIMIT_PER_EMAIL,
        DEFAULT_RATE_LIMITS.signInPerEmail,
        'EW4E_SIGN_IN_LIMIT_PER_EMAIL',
      ),
      signInPerIp: integer(
        env.EW4E_SIGN_IN_LIMIT_PER_IP,
        DEFAULT_RATE_LIMITS.signInPerIp,
        'EW4E_SIGN_IN_LIMIT_PER_IP',
      ),
      selfServicePerIp: integer(
        env.EW4E_SELF_SERVICE_LIMIT_PER_IP,
        DEFAULT_RATE_LIMITS.selfServicePerIp,
        'EW4E_SELF_SERVICE_LIMIT_PER_IP',
      ),
    },
    databaseUrl: env.DATABASE_URL || undefined,
    adminKey: env.EW4E_ADMIN_KEY || undefined,
    logLevel: env.LOG_LEVEL ?? 'info',
    maxBatchRows: integer(env.EW4E_MAX_BATCH_ROWS, DEFAULTS.maxBatchRows, 'EW4E_MAX_BATCH_ROWS'),
    maxBodyBytes: integer(env.EW4E_MAX_BODY_BYTES, DEFAULTS.maxBodyBytes, 'EW4E_MAX_BODY_BYTES'),
    publicUrl: publicUrl(env.EW4E_PUBLIC_URL, port),
    detectionGatherMs: integer(
      env.EW4E_DETECTION_GATHER_MS,
      DEFAULTS.detectionGatherMs,
      'EW4E_DETECTION_GATHER_MS',
    ),
    ...(env.EW4E_ROLE ? { role: processRole(env.EW4E_ROLE) } : {}),
    ...(env.EW4E_NATS_URL
      ? {
          nats: {
            url: env.EW4E_NATS_URL,
            ackWaitMs: integer(env.EW4E_NATS_ACK_WAIT_MS, DEFAULTS.natsAckWaitMs, 'EW4E_NATS_ACK_WAIT_MS'),
          },
        }
      : {}),
    ...(env.EW4E_MQTT_INGEST_URL
      ? {
          mqttIngest: {
            url: env.EW4E_MQTT_INGEST_URL,
            clientId: env.EW4E_MQTT_INGEST_CLIENT_ID || 'ew4e-ingest',
            prefix: (env.EW4E_MQTT_INGEST_PREFIX || DEFAULT_INGEST_PREFIX).replace(/\/+$/, ''),
          },
        }
      : {}),
    delivery: {
      smtpUrl: env.EW4E_SMTP_URL || undefined,
      mailFrom: env.EW4E_MAIL_FROM || 'EW4E warnings <warnings@localhost>',
      smsGatewayUrl: env.EW4E_SMS_GATEWAY_URL || undefined,
      smsToken: env.EW4E_SMS_TOKEN || undefined,
      mqttUrl: env.EW4E_MQTT_URL || undefined,
      baseBackoffMs: integer(
        env.EW4E_DELIVERY_BACKOFF_MS,
        DEFAULTS.deliveryBackoffMs,
        'EW4E_DELIVERY_BACKOFF_MS',
      ),
      maxBackoffMs: integer(
        env.EW4E_DELIVERY_MAX_BACKOFF_MS,
        DEFAULTS.deliveryMaxBackoffMs,
        'EW4E_DELIVERY_MAX_BACKOFF_MS',
      ),
      coolDownMs: integer(
        env.EW4E_DELIVERY_COOL_DOWN_MS,
        DEFAULTS.deliveryCoolDownMs,
        'EW4E_DELIVERY_COOL_DOWN_MS',
      ),
      leaseMs: integer(env.EW4E_DELIVERY_LEASE_MS, DEFAULTS.deliveryLeaseMs, 'EW4E_DELIVERY_LEASE_MS'),
    },
  };
}

function processRole(text: string): ProcessRole {
  if (!isProcessRole(text))
    throw new Error(`EW4E_ROLE must be one of ${PROCESS_ROLES.join(', ')}, got "${text}"`);
  return text;
}

function integer(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${text}"`);
  return n;
}

/** "true", "false", or a comma-separated list of proxy addresses or CIDRs (Fastify's trustProxy). */
function trustProxy(text: string): boolean | readonly string[] {
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function publicUrl(text: string | undefined, port: number): string {
  const url = text || `http://localhost:${port}`;
  if (!/^https?:\/\/[^/]+/.test(url)) throw new Error(`EW4E_PUBLIC_URL must be an http(s) URL, got "${url}"`);
  return url.replace(/\/+$/, '');
}

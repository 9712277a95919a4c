/** @module Reads the platform's configuration from the environment, once, at the edge; nothing else reads process.env. */
import path from 'node:path';

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
  /** Dissemination channels; a channel whose setting is absent is not offered (its deliveries wait). */
  readonly delivery: DeliveryConfig;
  /** The built dashboard served at `/` (default web/dist of this checkout). */
  readonly webDir?: string;
  /** Password of the demo's dashboard users (default: the demo's own, printed in its log). */
  readonly demoPassword?: string;
}

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
} as const;

export function configFromEnv(env: NodeJS.ProcessEnv, cwd = process.cwd()): Config {
  const port = integer(env.PORT, DEFAULTS.port, 'PORT');
  return {
    port,
    host: env.HOST ?? DEFAULTS.host,
    dataDir: path.resolve(cwd, env.EW4E_DATA_DIR ?? DEFAULTS.dataDir),
    ...(env.EW4E_WEB_DIR ? { webDir: path.resolve(cwd, env.EW4E_WEB_DIR) } : {}),
    ...(env.EW4E_DEMO_PASSWORD ? { demoPassword: env.EW4E_DEMO_PASSWORD } : {}),
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

function integer(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${text}"`);
  return n;
}

function publicUrl(text: string | undefined, port: number): string {
  const url = text || `http://localhost:${port}`;
  if (!/^https?:\/\/[^/]+/.test(url)) throw new Error(`EW4E_PUBLIC_URL must be an http(s) URL, got "${url}"`);
  return url.replace(/\/+$/, '');
}

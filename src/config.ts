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
}

export const DEFAULTS = {
  port: 8080,
  host: '0.0.0.0',
  dataDir: '.ew4e',
  maxBatchRows: 50_000,
  maxBodyBytes: 16 * 1024 * 1024,
} as const;

export function configFromEnv(env: NodeJS.ProcessEnv, cwd = process.cwd()): Config {
  const port = integer(env.PORT, DEFAULTS.port, 'PORT');
  return {
    port,
    host: env.HOST ?? DEFAULTS.host,
    dataDir: path.resolve(cwd, env.EW4E_DATA_DIR ?? DEFAULTS.dataDir),
    databaseUrl: env.DATABASE_URL || undefined,
    adminKey: env.EW4E_ADMIN_KEY || undefined,
    logLevel: env.LOG_LEVEL ?? 'info',
    maxBatchRows: integer(env.EW4E_MAX_BATCH_ROWS, DEFAULTS.maxBatchRows, 'EW4E_MAX_BATCH_ROWS'),
    maxBodyBytes: integer(env.EW4E_MAX_BODY_BYTES, DEFAULTS.maxBodyBytes, 'EW4E_MAX_BODY_BYTES'),
    publicUrl: publicUrl(env.EW4E_PUBLIC_URL, port),
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

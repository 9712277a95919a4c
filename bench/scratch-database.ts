/** @module A throw-away database for a benchmark: a PGlite folder or a PostgreSQL database, removed whatever happens. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Backend } from '../src/store/database.ts';

export interface ScratchLocation {
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
}

/** On PostgreSQL the database is created on the server of `postgresUrl` and dropped (with force) after. */
export async function withScratchDatabase<T>(
  backend: Backend,
  postgresUrl: string,
  use: (location: ScratchLocation) => Promise<T>,
): Promise<T> {
  if (backend === 'pglite') {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ew4e-bench-'));
    try {
      return await use({ dataDir, databaseUrl: undefined });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  const name = `ew4e_bench_${randomBytes(6).toString('hex')}`;
  await adminQuery(postgresUrl, `create database ${name}`);
  try {
    const url = new URL(postgresUrl);
    url.pathname = `/${name}`;
    return await use({ dataDir: os.tmpdir(), databaseUrl: url.toString() });
  } finally {
    await adminQuery(postgresUrl, `drop database if exists ${name} with (force)`);
  }
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

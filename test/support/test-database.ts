/** @module Test databases for every backend: each test file gets a fresh copy of one migrated template (PGlite folder copy, PostgreSQL CREATE DATABASE … TEMPLATE). */
import { randomBytes } from 'node:crypto';
import { cp, rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { type Backend, type Database, openDatabase } from '../../src/store/database.ts';

export const BACKENDS: readonly Backend[] = (process.env.EW4E_TEST_BACKENDS ?? 'pglite,postgres')
  .split(',')
  .map((b) => b.trim())
  .filter((b): b is Backend => b === 'pglite' || b === 'postgres');

/** Set by the global setup for its workers: test runs side by side (two developers, CI) do not share templates. */
export const RUN_ID = process.env.EW4E_TEST_RUN_ID ?? `r${process.pid}`;
export const TEST_DATA_DIR = path.resolve('.test-data', RUN_ID);
export const PGLITE_TEMPLATE_DIR = path.join(TEST_DATA_DIR, 'template');
export const POSTGRES_ADMIN_URL =
  process.env.EW4E_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const POSTGRES_TEMPLATE = `ew4e_template_${RUN_ID}`;

export function postgresUrlFor(database: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function adminQuery(sqlText: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sqlText);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  readonly database: Database;
  /** For PGlite, the folder a second process may open after this one closed it; for PostgreSQL, the URL. */
  readonly location: { dataDir: string } | { databaseUrl: string };
  dispose(): Promise<void>;
}

/** A fresh database of `backend` with the schema and reference data already installed. */
export async function freshDatabase(backend: Backend): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  if (backend === 'pglite') {
    const dataDir = path.join(TEST_DATA_DIR, name);
    await cp(PGLITE_TEMPLATE_DIR, dataDir, { recursive: true });
    const database = await openDatabase({ dataDir });
    return {
      database,
      location: { dataDir },
      dispose: async () => {
        await database.close().catch(() => undefined);
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  }
  const dbName = `ew4e_${name}`;
  await adminQuery(`create database ${dbName} template ${POSTGRES_TEMPLATE}`);
  const databaseUrl = postgresUrlFor(dbName);
  const database = await openDatabase({ databaseUrl });
  return {
    database,
    location: { databaseUrl },
    dispose: async () => {
      await database.close().catch(() => undefined);
      await adminQuery(`drop database if exists ${dbName} with (force)`);
    },
  };
}

/** @module Builds the migrated template databases once per test run, for every backend under test. */
import { mkdir, rm } from 'node:fs/promises';
import { openDatabase } from '../src/store/database.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { installReferenceData } from '../src/store/reference-data.ts';
import {
  adminQuery,
  BACKENDS,
  PGLITE_TEMPLATE_DIR,
  POSTGRES_TEMPLATE,
  postgresUrlFor,
  TEST_DATA_DIR,
} from './support/test-database.ts';

export default async function setup(): Promise<() => Promise<void>> {
  await rm(TEST_DATA_DIR, { recursive: true, force: true });
  await mkdir(TEST_DATA_DIR, { recursive: true });
  if (BACKENDS.includes('pglite')) {
    const database = await openDatabase({ dataDir: PGLITE_TEMPLATE_DIR });
    await migrateToLatest(database);
    await installReferenceData(database.db);
    await database.close();
  }
  if (BACKENDS.includes('postgres')) {
    await adminQuery(`drop database if exists ${POSTGRES_TEMPLATE} with (force)`);
    await adminQuery(`create database ${POSTGRES_TEMPLATE}`);
    const database = await openDatabase({ databaseUrl: postgresUrlFor(POSTGRES_TEMPLATE) });
    await migrateToLatest(database);
    await installReferenceData(database.db);
    await database.close();
  }
  return async () => {
    await rm(TEST_DATA_DIR, { recursive: true, force: true });
    if (BACKENDS.includes('postgres')) await adminQuery(`drop database if exists ${POSTGRES_TEMPLATE} with (force)`);
  };
}

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
  RUN_ID,
  TEST_DATA_DIR,
} from './support/test-database.ts';

export default async function setup(): Promise<() => Promise<void>> {
  // Workers start after this and inherit the id, so all of them find this run's templates.
  process.env.EW4E_TEST_RUN_ID = RUN_ID;
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
    if (BACKENDS.includes('postgres'))
      await adminQuery(`drop database if exists ${POSTGRES_TEMPLATE} with (force)`);
  };
}

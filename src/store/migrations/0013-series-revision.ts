/**
 * @module Migration 0013: a revision per series, raised in the same statement as every re-sent batch that
 * replaces stored values. Rows carried by the observation stream are stamped with the revision they were stored
 * under; a detect worker that finds it changed reads the series instead, so a correction that overtakes the
 * original batch's message is not lost to the original's carried values.
 */
import type { Kysely } from 'kysely';
import { runScript } from './run-script.ts';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's Schema type.
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, 'alter table series add column revision integer not null default 0;');
}

// biome-ignore lint/suspicious/noExplicitAny: see up().
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, 'alter table series drop column revision;');
}

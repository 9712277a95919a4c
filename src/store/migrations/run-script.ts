/** @module Runs a multi-statement SQL script one statement at a time (prepared statements take one each). */
import { type Kysely, sql } from 'kysely';

/** Statements are split at semicolons after `--` comments are removed; scripts keep semicolons out of string literals. */
// biome-ignore lint/suspicious/noExplicitAny: migrations work below the typed schema.
export async function runScript(db: Kysely<any>, script: string): Promise<void> {
  const statements = script
    .replace(/--[^\n]*/g, '')
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const statement of statements) await sql.raw(statement).execute(db);
}

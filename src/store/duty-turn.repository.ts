/**
 * @module Turns of the clock's duties among the processes of a deployment. Each process offers to run a duty
 * every period; the first offer after the duty's next turn is due takes it and sets the next one a period on.
 * Times are the database's (`now()`), so processes on hosts whose clocks differ still agree.
 */
import { type Kysely, sql } from 'kysely';
import type { Schema } from './schema.ts';

/**
 * Takes the duty's turn for `holder` if it is due: true when this call took it. A process that died holding
 * it costs one period at most: the turn falls due again whether or not its holder ran.
 */
export async function takeTurn(
  db: Kysely<Schema>,
  duty: string,
  holder: string,
  periodMs: number,
): Promise<boolean> {
  // One statement: concurrent offers serialise on the row (or the key), and only one finds the turn due.
  const taken = await sql<{ duty: string }>`
    insert into duty_turn (duty, taken_by, next_turn_at)
    values (${duty}, ${holder}, now() + make_interval(secs => ${periodMs / 1000}::float8))
    on conflict (duty) do update
      set taken_by = excluded.taken_by, next_turn_at = excluded.next_turn_at
      where duty_turn.next_turn_at <= now()
    returning duty`.execute(db);
  return taken.rows.length > 0;
}

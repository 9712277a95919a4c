/**
 * @module Migration 0011: turns of the clock's duties. Every process of a role ticks once a minute; the rules'
 * clock, the warnings' clock and the sweep for lost hints need running once per minute across all of them, not
 * once per process. A process runs a duty only when it takes the duty's turn here (store/duty-turn.repository.ts).
 */
import type { Kysely } from 'kysely';
import { runScript } from './run-script.ts';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's Schema type.
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    create table duty_turn (
      duty text primary key,
      taken_by text not null,
      next_turn_at timestamptz not null
    );
  `,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: see up().
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, 'drop table duty_turn;');
}

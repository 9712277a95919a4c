/**
 * @module Migration 0010: detector checkpoints stored as they are written. A forecast checkpoint is ≈ 29 KB of
 * numbers, rewritten each time its series is caught up: as jsonb every number was converted to `numeric` and the
 * document compressed with pglz, which took most of PostgreSQL's CPU in saving checkpoints (≈ 0.5 ms per
 * forecast checkpoint; ≈ 0.15 ms as `json` kept uncompressed). Nothing queries inside a checkpoint; the detector
 * reads it whole, so `json` (validated text) loses nothing. Checkpoints take ≈ 1.6× the disk, one row per series
 * and detector.
 */
import type { Kysely } from 'kysely';
import { runScript } from './run-script.ts';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's Schema type.
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    alter table detector_state alter column state type json using state::json;
    alter table detector_state alter column state set storage external;
  `,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: see up().
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    alter table detector_state alter column state set storage extended;
    alter table detector_state alter column state type jsonb using state::jsonb;
  `,
  );
}

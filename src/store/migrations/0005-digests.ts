/** @module Migration 0005: digest mode — a subscriber's warnings gathered into one summary at a local time of day. */
import type { Kysely } from 'kysely';
import { runScript } from './run-script.ts';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's Schema type.
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    -- {at: "07:00", timeZone: "Africa/Nairobi", onset: "slow" | "all"}
    alter table subscription add column digest jsonb;
    -- set on deliveries that wait for their subscriber's digest: sent together, as one message, at that time
    alter table delivery add column digest_at timestamptz;
    create index delivery_digest_idx on delivery (subscription_id, digest_at) where status = 'pending' and digest_at is not null;
  `,
  );
}

/**
 * @module Migration 0012: webhook subscriptions found by their endpoint. A new subscription to an endpoint that
 * others already use gets the endpoint's secret (one secret per receiver URL), looked up by target: without an
 * index that read every subscription, once per subscribe.
 */
import type { Kysely } from 'kysely';
import { runScript } from './run-script.ts';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's Schema type.
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `create index subscription_webhook_target_idx on subscription (target, id) where channel = 'webhook';`,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: see up().
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, 'drop index subscription_webhook_target_idx;');
}

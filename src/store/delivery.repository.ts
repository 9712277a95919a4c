/** @module Delivery storage: the outbox written with a publication, claims with FOR UPDATE SKIP LOCKED, attempts, acknowledgements. */
import { type Kysely, type SelectQueryBuilder, sql, type Transaction } from 'kysely';
import type { Schema } from './schema.ts';

type Db = Kysely<Schema> | Transaction<Schema>;

/** Active subscriptions whose box meets the box (the exact geometry test follows in memory). */
export function subscriptionsInBox(
  db: Db,
  [minLon, minLat, maxLon, maxLat]: readonly [number, number, number, number],
) {
  return db
    .selectFrom('subscription')
    .selectAll()
    .where('status', '=', 'active')
    .where('min_lon', '<=', maxLon)
    .where('max_lon', '>=', minLon)
    .where('min_lat', '<=', maxLat)
    .where('max_lat', '>=', minLat)
    .execute();
}
export type SubscriptionRow = Awaited<ReturnType<typeof subscriptionsInBox>>[number];

/** Subscriptions that received an earlier version of the thread: an Update or Cancel goes to them too. */
export function earlierRecipients(db: Db, threadId: number, exceptWarningId: number) {
  return db
    .selectFrom('delivery as d')
    .innerJoin('warning as w', 'w.id', 'd.warning_id')
    .innerJoin('subscription as s', 's.id', 'd.subscription_id')
    .selectAll('s')
    .distinct()
    .where('w.thread_id', '=', threadId)
    .where('w.id', '!=', exceptWarningId)
    .where('d.escalation_level', '=', 0)
    .where('s.status', '=', 'active')
    .execute();
}

export interface NewDelivery {
  readonly id: string;
  readonly warningId: number;
  readonly subscriptionId: number;
  readonly channel: string;
  readonly target: string;
  readonly language: string;
  readonly nextAttemptAt: Date;
  readonly ackDueAt: Date | null;
  readonly escalationLevel?: number;
  /** Set when the delivery waits for its subscriber's digest (then equal to nextAttemptAt). */
  readonly digestAt?: Date | null;
}

export async function insertDeliveries(db: Db, deliveries: readonly NewDelivery[]): Promise<number> {
  let inserted = 0;
  // 16 parameters a row: chunks of 2 000 stay well under PostgreSQL's 65 535 parameters a statement.
  for (let i = 0; i < deliveries.length; i += 2000) {
    const chunk = deliveries.slice(i, i + 2000);
    const result = await db
      .insertInto('delivery')
      .values(
        chunk.map((d) => ({
          id: d.id,
          warning_id: d.warningId,
          subscription_id: d.subscriptionId,
          channel: d.channel,
          target: d.target,
          language: d.language,
          status: 'pending' as const,
          next_attempt_at: d.nextAttemptAt,
          claimed_until: null,
          last_response_code: null,
          last_error: null,
          escalation_level: d.escalationLevel ?? 0,
          ack_due_at: d.ackDueAt,
          acknowledged_at: null,
          acknowledged_by: null,
          delivered_at: null,
          digest_at: d.digestAt ?? null,
        })),
      )
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    inserted += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return inserted;
}

type DueQuery = SelectQueryBuilder<Schema, 'delivery', { id: string }>;

/**
 * Claims the due, unleased deliveries `narrow` picks, for `leaseMs`: another worker (or this one after a crash)
 * takes a delivery only once its lease has run out, so each is sent at least once and rarely twice.
 */
function claimDue(db: Kysely<Schema>, nowMs: number, leaseMs: number, narrow: (due: DueQuery) => DueQuery) {
  const now = new Date(nowMs);
  return db.transaction().execute(async (tx) => {
    const due = await narrow(
      tx
        .selectFrom('delivery')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)])),
    )
      .forUpdate()
      .skipLocked()
      .execute();
    if (due.length === 0) return [];
    return tx
      .updateTable('delivery')
      .set({ claimed_until: new Date(nowMs + leaseMs), attempts: sql`attempts + 1` })
      .where(
        'id',
        'in',
        due.map((d) => d.id),
      )
      .returningAll()
      .execute();
  });
}

/** Claims up to `limit` due deliveries, the longest waiting first. */
export function claimDueDeliveries(db: Kysely<Schema>, nowMs: number, limit: number, leaseMs: number) {
  return claimDue(db, nowMs, leaseMs, (due) => due.orderBy('next_attempt_at').limit(limit));
}
export type ClaimedDelivery = Awaited<ReturnType<typeof claimDueDeliveries>>[number];

/** One attempt at a claimed delivery, and what follows it. */
export interface AttemptRecord {
  readonly delivery: ClaimedDelivery;
  readonly attempt: {
    readonly outcome: 'delivered' | 'retry' | 'failed';
    readonly responseCode: number | null;
    readonly error: string | null;
    readonly latencyMs: number;
  };
  readonly next: {
    readonly status: 'pending' | 'delivered' | 'failed' | 'dead';
    readonly nextAttemptAt: Date;
    /** When the responder must have acknowledged; null leaves it as it was. */
    readonly ackDueAt: Date | null;
  };
}

/** Records a round's attempts and releases their claims, in one transaction of two statements. */
export async function recordAttempts(
  db: Kysely<Schema>,
  records: readonly AttemptRecord[],
  nowMs: number,
): Promise<void> {
  if (records.length === 0) return;
  const iso = (d: Date | null) => (d === null ? null : d.toISOString());
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('delivery_attempt')
      .values(
        records.map(({ delivery, attempt }) => ({
          delivery_id: delivery.id,
          attempt: delivery.attempts,
          outcome: attempt.outcome,
          response_code: attempt.responseCode,
          latency_ms: Math.round(attempt.latencyMs),
          error: attempt.error,
        })),
      )
      .execute();
    await sql`
      update delivery as d set
        status = v.status,
        next_attempt_at = v.next_attempt_at,
        claimed_until = null,
        last_response_code = v.response_code,
        last_error = v.error,
        delivered_at = case when v.status = 'delivered' then ${new Date(nowMs).toISOString()}::timestamptz else d.delivered_at end,
        ack_due_at = coalesce(v.ack_due_at, d.ack_due_at)
      from unnest(
        ${records.map((r) => r.delivery.id)}::text[],
        ${records.map((r) => r.next.status)}::text[],
        ${records.map((r) => iso(r.next.nextAttemptAt))}::timestamptz[],
        ${records.map((r) => r.attempt.responseCode)}::int4[],
        ${records.map((r) => r.attempt.error)}::text[],
        ${records.map((r) => iso(r.next.ackDueAt))}::timestamptz[]
      ) as v(id, status, next_attempt_at, response_code, error, ack_due_at)
      where d.id = v.id`.execute(tx);
  });
}

/** Delivered, unacknowledged deliveries whose time to acknowledge has passed, not yet escalated. */
export function overdueAcknowledgements(db: Db, nowMs: number) {
  return db
    .selectFrom('delivery as d')
    .innerJoin('subscription as s', 's.id', 'd.subscription_id')
    .select(['d.id', 'd.warning_id', 'd.escalation_level', 's.escalate_to'])
    .where('d.ack_due_at', '<=', new Date(nowMs))
    .where('d.acknowledged_at', 'is', null)
    .where('d.escalated', '=', false)
    .where('d.status', '=', 'delivered')
    .execute();
}

/** Puts a claimed delivery back for later without counting the claim as an attempt (its endpoint's circuit is open). */
export async function postponeDelivery(db: Kysely<Schema>, id: string, at: Date): Promise<void> {
  await db
    .updateTable('delivery')
    .set({ next_attempt_at: at, claimed_until: null, attempts: sql`attempts - 1` })
    .where('id', '=', id)
    .execute();
}

/**
 * Claims the rest of a digest — the subscriber's other due deliveries waiting for the same digest time —
 * so that it goes out as one message even when a claim batch split it.
 */
export function claimDigestRest(
  db: Kysely<Schema>,
  subscriptionId: number,
  digestAt: Date,
  nowMs: number,
  leaseMs: number,
): Promise<ClaimedDelivery[]> {
  return claimDue(db, nowMs, leaseMs, (due) =>
    due.where('subscription_id', '=', subscriptionId).where('digest_at', '=', digestAt),
  );
}

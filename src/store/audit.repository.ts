/** @module The audit log beyond warnings: security events written into the same hash chain, and the chain read back in order for verification. */
import { type Kysely, sql } from 'kysely';
import type { AuditLink } from '../registry/audit-chain.ts';
import type { Schema } from './schema.ts';

/**
 * Security events share warning_audit with the warning stage's entries (thread, warning and silence empty):
 * one chain orders everything that happened, so no entry of either kind can be dropped without breaking it,
 * and one trigger and one `ew4e audit verify` cover both.
 */
export type SecurityAction =
  | 'api_key_created'
  | 'api_key_revoked'
  | 'signing_key_set'
  | 'signed_in'
  | 'sign_in_failed';

export async function appendSecurityEvent(
  db: Kysely<Schema>,
  event: {
    readonly organisationId: number;
    readonly actor: string;
    readonly action: SecurityAction;
    /** Never a secret: names, ids, prefixes, roles, scopes. */
    readonly changes?: Record<string, unknown>;
  },
): Promise<void> {
  await db
    .insertInto('warning_audit')
    .values({
      organisation_id: event.organisationId,
      thread_id: null,
      warning_id: null,
      silence_id: null,
      actor: event.actor,
      action: event.action,
      changes: JSON.stringify(event.changes ?? {}),
    })
    .execute();
}

export async function auditChainLength(db: Kysely<Schema>): Promise<number> {
  const row = await db
    .selectFrom('warning_audit')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The chain in order, a page at a time (keyset on chain_seq), each row as its stored text. */
export async function* auditChain(db: Kysely<Schema>, pageSize = 5_000): AsyncGenerator<AuditLink> {
  let after = 0;
  for (;;) {
    const page = await sql<{
      chain_seq: number;
      id: number;
      organisation_id: number;
      thread_id: number | null;
      warning_id: number | null;
      silence_id: number | null;
      actor: string;
      action: string;
      changes_text: string;
      at_micros: string;
      prev_hash: string;
      hash: string;
    }>`
      select chain_seq, id, organisation_id, thread_id, warning_id, silence_id, actor, action,
             changes::text as changes_text, ((extract(epoch from at) * 1000000)::bigint)::text as at_micros,
             prev_hash, hash
      from warning_audit where chain_seq > ${after} order by chain_seq limit ${pageSize}`.execute(db);
    for (const r of page.rows) {
      yield {
        chainSeq: Number(r.chain_seq),
        id: Number(r.id),
        organisationId: r.organisation_id,
        threadId: r.thread_id === null ? null : Number(r.thread_id),
        warningId: r.warning_id === null ? null : Number(r.warning_id),
        silenceId: r.silence_id === null ? null : Number(r.silence_id),
        actor: r.actor,
        action: r.action,
        changesText: r.changes_text,
        atMicros: r.at_micros,
        prevHash: r.prev_hash,
        hash: r.hash,
      };
    }
    const last = page.rows.at(-1);
    if (last === undefined || page.rows.length < pageSize) return;
    after = Number(last.chain_seq);
  }
}

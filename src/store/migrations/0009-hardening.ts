/** @module Migration 0009: hardening — API key scopes, and the audit log hash-chained in the database so that every writer is covered. */
import { type Kysely, sql } from 'kysely';

/**
 * The chain (verified by registry/audit-chain.ts, which must encode rows the same way): each row's hash is
 * SHA-256 (hex) over the previous row's hash and this row's stored columns, each written as
 * `<UTF-8 byte length>:<text>` (NULL as `-`), in the order below; `at` as integer microseconds since the epoch
 * and `changes` as PostgreSQL's canonical jsonb text. Only stored values go in, so a restore that copies rows
 * with triggers off (session_replication_role = replica) keeps every hash valid.
 */
const STATEMENTS = [
  // null: the key may do all its role allows (keys made before scopes); else only routes of these scopes
  'alter table api_key add column scopes text[]',
  `alter table warning_audit
     add column chain_seq bigint,
     add column prev_hash text,
     add column hash text`,
  `create function audit_field(value text) returns text language sql immutable as $$
     select coalesce(octet_length(value)::text || ':' || value, '-')
   $$`,
  `create function warning_audit_hash(prev_hash text, r warning_audit) returns text language sql stable as $$
     select encode(sha256(convert_to(
       audit_field(prev_hash) || audit_field(r.chain_seq::text) || audit_field(r.id::text)
       || audit_field(r.organisation_id::text) || audit_field(r.thread_id::text) || audit_field(r.warning_id::text)
       || audit_field(r.silence_id::text) || audit_field(r.actor) || audit_field(r.action)
       || audit_field(r.changes::text) || audit_field(((extract(epoch from r.at) * 1000000)::bigint)::text),
       'UTF8')), 'hex')
   $$`,
  // Rows written so far are chained in the order they were written.
  'alter table warning_audit disable trigger warning_audit_append_only',
  `do $$
   declare
     r warning_audit;
     previous text := repeat('0', 64);
     seq bigint := 0;
   begin
     for r in select * from warning_audit order by id loop
       seq := seq + 1;
       r.chain_seq := seq;
       update warning_audit set chain_seq = seq, prev_hash = previous,
         hash = warning_audit_hash(previous, r) where id = r.id
         returning hash into previous;
     end loop;
   end $$`,
  'alter table warning_audit enable trigger warning_audit_append_only',
  `alter table warning_audit
     alter column chain_seq set not null,
     alter column prev_hash set not null,
     alter column hash set not null`,
  // Two rows can never claim the same place: a fork fails here even where the lock below cannot see it.
  'create unique index warning_audit_chain_idx on warning_audit (chain_seq)',
  // Under one advisory lock (held to commit) the head is read and the new row linked to it; taken last in a
  // transaction, after any per-organisation warning lock, so lock order is always the same.
  `create function warning_audit_chain() returns trigger language plpgsql as $$
   declare
     head record;
   begin
     perform pg_advisory_xact_lock(1163342913); -- 0x45573441, "EW4A"
     select w.chain_seq, w.hash into head from warning_audit w order by w.chain_seq desc limit 1;
     new.chain_seq := coalesce(head.chain_seq, 0) + 1;
     new.prev_hash := coalesce(head.hash, repeat('0', 64));
     new.hash := warning_audit_hash(new.prev_hash, new);
     return new;
   end $$`,
  `create trigger warning_audit_chain before insert on warning_audit
     for each row execute function warning_audit_chain()`,
];

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's Schema type.
export async function up(db: Kysely<any>): Promise<void> {
  // Statements hold semicolons inside function bodies, which runScript would split at: one at a time.
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

/** @module Migration 0003: warnings — threads of CAP versions, review and its append-only audit log, silences, verification, signing keys, and CAP imported from other authorities. */
import { type Kysely, sql } from 'kysely';
import { runScript } from './run-script.ts';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's Schema type.
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    -- Languages an organisation publishes in (RFC 3066 tags; the six UN languages by default).
    alter table organisation add column languages text[] not null default '{en,fr,es,ar,ru,zh}';

    -- Schools, hospitals, water intakes: places a warning's impact counts.
    alter table area drop constraint area_kind_check;
    alter table area add constraint area_kind_check
      check (kind in ('country', 'city', 'protected_area', 'custom', 'vulnerable_site'));

    -- One thread per episode: one hazard over one area, from first signal to cancel or expiry.
    create table warning_thread (
      id bigint generated always as identity primary key,
      organisation_id integer not null references organisation (id),
      hazard text not null,
      status text not null check (status in ('open', 'closed')),
      closed_reason text,
      -- the rule (or detector) that opened it: its policy governs the thread
      rule_id integer,
      rule_version integer,
      detector text,
      area_desc text not null,
      area_ids integer[] not null default '{}',
      geometry jsonb not null,
      min_lon double precision not null,
      min_lat double precision not null,
      max_lon double precision not null,
      max_lat double precision not null,
      exposure jsonb not null,
      state jsonb not null,
      time_zone text,
      first_signal_at timestamptz not null,
      last_signal_at timestamptz not null,
      closed_at timestamptz,
      -- verification: an operator's word, or what later observations showed
      verification text check (verification in ('hit', 'false_alarm', 'miss')),
      verified_by text,
      verified_at timestamptz,
      lead_time_s integer,
      created_at timestamptz not null default now()
    );
    create index warning_thread_open_idx on warning_thread (organisation_id, hazard) where status = 'open';

    -- Which signals each thread has taken in (a signal joins at most one thread).
    create table warning_thread_signal (
      signal_id bigint primary key references signal (id),
      thread_id bigint not null references warning_thread (id)
    );
    create index warning_thread_signal_thread_idx on warning_thread_signal (thread_id);

    -- Every version of a thread; published versions are CAP messages and never change again.
    create table warning (
      id bigint generated always as identity primary key,
      thread_id bigint not null references warning_thread (id),
      organisation_id integer not null references organisation (id),
      version integer not null,
      msg_type text not null check (msg_type in ('Alert', 'Update', 'Cancel')),
      status text not null check (status in ('draft', 'published', 'rejected', 'withdrawn', 'inhibited', 'silenced')),
      change text,
      identifier text not null unique,
      hazard text not null,
      severity text not null,
      urgency text not null,
      certainty text not null,
      content jsonb not null,
      expires_at timestamptz not null,
      sent_at timestamptz,
      cap_xml text,
      etag text,
      signed boolean not null default false,
      review_reason text,
      reviewed_by text,
      created_at timestamptz not null default now(),
      unique (thread_id, version)
    );
    create index warning_published_idx on warning (organisation_id, sent_at) where status = 'published';

    -- Who did what, when, with what change. Append-only: a trigger (below) refuses updates and deletes.
    create table warning_audit (
      id bigint generated always as identity primary key,
      organisation_id integer not null references organisation (id),
      thread_id bigint references warning_thread (id),
      warning_id bigint references warning (id),
      silence_id bigint,
      actor text not null,
      action text not null,
      changes jsonb not null default '{}',
      at timestamptz not null default now()
    );
    create index warning_audit_thread_idx on warning_audit (thread_id, id);
    -- Mute a hazard (or every hazard) in an area for a time.
    create table silence (
      id bigint generated always as identity primary key,
      organisation_id integer not null references organisation (id),
      hazard text,
      area_id integer references area (id),
      geometry jsonb not null,
      starts_at timestamptz not null,
      ends_at timestamptz not null,
      author text not null,
      reason text not null,
      created_at timestamptz not null default now(),
      check (ends_at > starts_at)
    );
    create index silence_organisation_idx on silence (organisation_id, ends_at);

    -- An organisation's key for enveloped XML-DSig on its alerts (WMO strict profile).
    create table signing_key (
      organisation_id integer primary key references organisation (id),
      private_key_pem text not null,
      certificate_pem text,
      public_key_pem text,
      created_at timestamptz not null default now()
    );

    -- Other authorities' CAP: feeds polled on a schedule, or documents pushed to us.
    create table cap_source (
      id integer generated always as identity primary key,
      organisation_id integer not null references organisation (id),
      name text not null,
      url text,
      poll_interval_s integer not null default 300,
      etag text,
      last_modified text,
      health text not null default 'unknown' check (health in ('ok', 'failing', 'unknown')),
      consecutive_failures integer not null default 0,
      last_error text,
      last_polled_at timestamptz,
      next_poll_at timestamptz not null default now(),
      created_at timestamptz not null default now()
    );

    create table imported_alert (
      id bigint generated always as identity primary key,
      source_id integer not null references cap_source (id),
      sender text not null,
      identifier text not null,
      sent text not null,
      msg_type text not null,
      status text not null,
      alert jsonb not null,
      cap_xml text not null,
      -- valid: verified; unsigned; unverified: signed with an algorithm we no longer trust (SHA-1)
      signature text not null check (signature in ('unsigned', 'valid', 'unverified')),
      signature_note text,
      -- the feed entry it came from (its id, or its CAP link): a known entry is not fetched again
      feed_entry text,
      expires_at timestamptz,
      received_at timestamptz not null default now(),
      withdrawn_at timestamptz,
      unique (source_id, sender, identifier, sent)
    );
  `,
  );
  // The function body holds semicolons, which runScript would split at: one statement each.
  await sql
    .raw(`create function warning_audit_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'warning_audit is append-only';
      end;
      $$`)
    .execute(db);
  await sql
    .raw(`create trigger warning_audit_append_only before update or delete on warning_audit
      for each row execute function warning_audit_append_only()`)
    .execute(db);
}

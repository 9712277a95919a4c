/** @module Migration 0002: detection — versioned rules, signals, and the checkpointed state of detectors and rules. */
import type { Kysely } from 'kysely';
import { runScript } from './run-script.ts';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's Schema type.
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    -- IANA zone of the station, for sentences a duty officer reads in local time
    alter table station add column time_zone text;

    -- Every edit of a rule is a new row: signals name the exact version that raised them.
    create table rule (
      id integer not null,
      version integer not null,
      organisation_id integer not null references organisation (id),
      name text not null,
      definition jsonb not null,
      enabled boolean not null default true,
      created_by_key integer references api_key (id),
      created_at timestamptz not null default now(),
      primary key (id, version)
    );
    create sequence rule_id_seq owned by rule.id;
    create index rule_organisation_idx on rule (organisation_id, id, version);

    create table signal (
      id bigint generated always as identity primary key,
      organisation_id integer not null references organisation (id),
      series_id integer references series (id),
      station_id integer references station (id),
      area_id integer references area (id),
      origin text not null check (origin in ('detector', 'rule')),
      detector text,
      rule_id integer,
      rule_version integer,
      kind text not null,
      state text not null check (state in ('firing', 'cleared')),
      start_time timestamptz not null,
      end_time timestamptz,
      score double precision not null check (score between 0 and 1),
      observed double precision,
      expected double precision,
      spread double precision,
      unit text,
      lead_time_s integer,
      sentence text not null,
      details jsonb not null default '{}',
      -- what makes raising the same signal twice (a replay, a redelivery) harmless
      dedupe_key text not null,
      created_at timestamptz not null default now(),
      unique (organisation_id, dedupe_key)
    );
    create index signal_time_idx on signal (organisation_id, start_time);
    create index signal_series_idx on signal (series_id, start_time);

    -- Where each rule's evaluator stands (per rule version): what it has seen up to, and its state.
    create table rule_state (
      rule_id integer not null,
      rule_version integer not null,
      last_time timestamptz not null,
      last_event_id bigint not null default 0,
      state jsonb not null,
      updated_at timestamptz not null default now(),
      primary key (rule_id, rule_version),
      foreign key (rule_id, rule_version) references rule (id, version) on delete cascade
    );

    -- Where each series' detectors stand: restored on restart, so nothing is relearnt from scratch.
    create table detector_state (
      series_id integer not null references series (id) on delete cascade,
      detector text not null,
      last_time timestamptz not null,
      state jsonb not null,
      updated_at timestamptz not null default now(),
      primary key (series_id, detector)
    );
  `,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: see up().
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    drop table detector_state; drop table rule_state; drop table signal; drop table rule;
    alter table station drop column time_zone;
  `,
  );
}

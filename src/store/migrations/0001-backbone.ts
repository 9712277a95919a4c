/** @module Migration 0001: the backbone — organisations, access, areas, sources, stations, variables, series, partitioned observations, events. */
import type { Kysely } from 'kysely';
import { runScript } from './run-script.ts';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's Schema type.
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    create table organisation (
      id integer generated always as identity primary key,
      parent_id integer references organisation (id),
      kind text not null check (kind in ('global', 'country', 'city')),
      code text not null unique,
      name text not null,
      -- ISO 3166-1 alpha-2 for countries, ISO 3166-2 subdivision (or the country's code) for cities
      iso_code text,
      created_at timestamptz not null default now(),
      check ((kind = 'global') = (parent_id is null))
    );

    create table app_user (
      id integer generated always as identity primary key,
      organisation_id integer not null references organisation (id),
      email text not null unique,
      name text not null,
      role text not null check (role in ('viewer', 'analyst', 'approver', 'admin')),
      password_hash text,
      created_at timestamptz not null default now()
    );

    create table api_key (
      id integer generated always as identity primary key,
      organisation_id integer not null references organisation (id),
      role text not null check (role in ('viewer', 'analyst', 'approver', 'admin')),
      name text not null,
      -- first characters of the key, to recognise it in lists; the key itself is kept only as a SHA-256 hash
      prefix text not null,
      secret_hash text not null unique,
      created_at timestamptz not null default now(),
      last_used_at timestamptz,
      revoked_at timestamptz
    );

    create table area (
      id integer generated always as identity primary key,
      -- null: reference data visible to every organisation (Natural Earth countries)
      organisation_id integer references organisation (id),
      kind text not null check (kind in ('country', 'city', 'protected_area', 'custom')),
      code text not null,
      name text not null,
      iso_code text,
      geometry jsonb not null,
      min_lon double precision not null,
      min_lat double precision not null,
      max_lon double precision not null,
      max_lat double precision not null,
      properties jsonb not null default '{}',
      source text,
      created_at timestamptz not null default now()
    );
    create unique index area_code_key on area (coalesce(organisation_id, 0), kind, code);
    create index area_bbox_idx on area (min_lon, max_lon, min_lat, max_lat);

    create table source (
      id integer generated always as identity primary key,
      organisation_id integer not null references organisation (id),
      code text not null,
      name text not null,
      provider text not null,
      licence text not null,
      provenance text not null,
      url text,
      created_at timestamptz not null default now(),
      unique (organisation_id, code)
    );

    create table station (
      id integer generated always as identity primary key,
      organisation_id integer not null references organisation (id),
      source_id integer not null references source (id),
      code text not null,
      name text not null,
      sense text not null check (sense in ('ground_station', 'satellite', 'aerial', 'acoustic', 'camera_trap', 'citizen_report')),
      lon double precision not null check (lon between -180 and 180),
      lat double precision not null check (lat between -90 and 90),
      elevation_m double precision,
      -- the last observation is read from observation and event when asked (station.repository.ts), never copied here
      expected_cadence_s integer not null check (expected_cadence_s > 0),
      properties jsonb not null default '{}',
      created_at timestamptz not null default now(),
      unique (organisation_id, code)
    );
    create index station_lon_lat_idx on station (lon, lat);

    -- which areas contain which stations, computed in geo/ when either is registered
    create table station_area (
      area_id integer not null references area (id) on delete cascade,
      station_id integer not null references station (id) on delete cascade,
      primary key (area_id, station_id)
    );
    create index station_area_station_idx on station_area (station_id);

    create table variable (
      code text primary key,
      name text not null,
      unit text not null,
      domain text not null check (domain in ('air', 'water', 'soil', 'biodiversity', 'land', 'climate')),
      qc jsonb not null default '{}'
    );

    create table series (
      id integer generated always as identity primary key,
      organisation_id integer not null references organisation (id),
      station_id integer not null references station (id),
      variable_code text not null references variable (code),
      code text not null,
      -- always the variable's canonical unit: incoming values are converted to it
      unit text not null,
      qc_override jsonb not null default '{}',
      created_at timestamptz not null default now(),
      unique (organisation_id, code),
      unique (station_id, variable_code)
    );

    -- Range-partitioned by month: a year of minute data from thousands of series is ~10^9 rows;
    -- monthly partitions keep each index small, let time-bounded queries skip partitions,
    -- and let old months be detached or archived whole. Partitions are made on demand at ingest.
    create table observation (
      series_id integer not null,
      time timestamptz not null,
      value double precision not null,
      qc_flag smallint not null default 0,
      qc_rule smallint not null default 0,
      primary key (series_id, time)
    ) partition by range (time);

    create table event (
      id bigint generated always as identity primary key,
      organisation_id integer not null references organisation (id),
      source_id integer references source (id),
      station_id integer references station (id),
      kind text not null,
      -- the source's own id, or a content hash when it gives none: the key that makes re-sending idempotent
      dedupe_key text not null,
      time timestamptz not null,
      end_time timestamptz,
      geometry jsonb not null,
      min_lon double precision not null,
      min_lat double precision not null,
      max_lon double precision not null,
      max_lat double precision not null,
      attributes jsonb not null default '{}',
      received_at timestamptz not null default now(),
      unique (organisation_id, dedupe_key)
    );
    create index event_time_idx on event (organisation_id, time);
    create index event_station_time_idx on event (station_id, time) where station_id is not null;
    create index event_bbox_idx on event (min_lon, max_lon, min_lat, max_lat);
  `,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: see up().
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    drop table event; drop table observation; drop table series; drop table variable;
    drop table station_area; drop table station; drop table source; drop table area;
    drop table api_key; drop table app_user; drop table organisation;
  `,
  );
}

/** @module Migration 0007: protected and conserved areas (WDPA-shaped, cleaned for 30x30 coverage) and cached coverage. */
import type { Kysely } from 'kysely';
import { runScript } from './run-script.ts';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's Schema type.
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    -- One WDPA parcel as imported and cleaned (point sites buffered, clipped to land and sea).
    create table protected_area (
      id bigint generated always as identity primary key,
      organisation_id integer not null references organisation (id),
      wdpa_id bigint not null,
      -- WDPA_PID: the parcel; WDPAID when the layer has none
      wdpa_pid text not null,
      name text not null,
      desig text,
      iucn_cat text,
      status text not null,
      -- 0 when unknown, as in the WDPA
      status_yr integer not null,
      marine smallint not null check (marine in (0, 1, 2)),
      rep_area double precision,
      gis_area double precision,
      iso3 text,
      point_only boolean not null,
      -- the cleaned geometry (both parts), and its land and sea parts apart, GeoJSON MultiPolygons
      geometry jsonb not null,
      land_geometry jsonb,
      sea_geometry jsonb,
      land_km2 double precision not null,
      sea_km2 double precision not null,
      min_lon double precision not null,
      min_lat double precision not null,
      max_lon double precision not null,
      max_lat double precision not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (organisation_id, wdpa_pid)
    );
    create index protected_area_bbox_idx on protected_area (min_lon, max_lon, min_lat, max_lat);
    create index protected_area_iso3_idx on protected_area (iso3);

    -- Coverage is a union of thousands of polygons: kept until the layer it was computed from changes.
    create table protected_area_coverage (
      scope text not null,
      country_code text not null,
      fingerprint text not null,
      result jsonb not null,
      computed_at timestamptz not null default now(),
      primary key (scope, country_code)
    );
  `,
  );
}

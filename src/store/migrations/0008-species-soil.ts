/** @module Migration 0008: species — Darwin Core occurrences with the areas they lie in, and each organisation's sensitive species list. */
import type { Kysely } from 'kysely';
import { runScript } from './run-script.ts';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's Schema type.
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    create table occurrence (
      id bigint generated always as identity primary key,
      organisation_id integer not null references organisation (id),
      -- Darwin Core occurrenceID: re-sending a record replaces it
      occurrence_id text not null,
      scientific_name text not null,
      -- the start of eventDate: UTC midnight for a date, the start of an interval
      event_date timestamptz not null,
      lon double precision not null check (lon between -180 and 180),
      lat double precision not null check (lat between -90 and 90),
      individual_count integer check (individual_count >= 0),
      basis_of_record text not null,
      country_code text,
      locality text,
      -- the record itself says its location was withheld or generalised
      sensitive boolean not null default false,
      -- registered areas holding the point when it was imported
      area_ids integer[] not null default '{}',
      received_at timestamptz not null default now(),
      unique (organisation_id, occurrence_id)
    );
    create index occurrence_species_idx on occurrence (organisation_id, scientific_name, event_date);
    create index occurrence_area_idx on occurrence using gin (area_ids);

    -- Species whose locations only their recording organisation sees exactly (see nature/species-sensitivity.ts).
    create table sensitive_species (
      organisation_id integer not null references organisation (id),
      scientific_name text not null,
      sensitivity text not null check (sensitivity in ('sensitive', 'highly_sensitive')),
      primary key (organisation_id, scientific_name)
    );
  `,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: see up.
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, 'drop table sensitive_species; drop table occurrence;');
}

/** @module Migration 0006: rapid response — dashboard sessions, incidents opened from warnings, their tasks and timeline. */
import type { Kysely } from 'kysely';
import { runScript } from './run-script.ts';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's Schema type.
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    -- A signed-in dashboard user. The cookie holds a random token; only its SHA-256 is stored here.
    create table user_session (
      id text primary key,
      user_id integer not null references app_user (id),
      -- sent back in a header on every change (double submit): a cross-site form cannot know it
      csrf_token text not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      last_seen_at timestamptz not null default now()
    );
    create index user_session_user_idx on user_session (user_id);

    create table incident (
      id bigint generated always as identity primary key,
      organisation_id integer not null references organisation (id),
      -- the warning it responds to (null for an incident opened by hand)
      warning_thread_id bigint references warning_thread (id),
      title text not null,
      status text not null check (status in ('open', 'monitoring', 'resolved', 'closed')),
      severity text,
      created_by text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      closed_at timestamptz
    );
    -- one live incident per warning: a second click opens the same one
    create unique index incident_live_thread_idx on incident (warning_thread_id)
      where warning_thread_id is not null and status <> 'closed';
    create index incident_organisation_idx on incident (organisation_id, created_at);

    create table incident_task (
      id bigint generated always as identity primary key,
      incident_id bigint not null references incident (id),
      title text not null,
      assignee_user_id integer references app_user (id),
      due_at timestamptz,
      status text not null check (status in ('todo', 'doing', 'done')),
      created_by text not null,
      created_at timestamptz not null default now(),
      done_at timestamptz
    );
    create index incident_task_incident_idx on incident_task (incident_id);

    -- The timeline: every action and note, in order.
    create table incident_event (
      id bigint generated always as identity primary key,
      incident_id bigint not null references incident (id),
      at timestamptz not null default now(),
      actor text not null,
      kind text not null,
      text text,
      details jsonb not null default '{}'
    );
    create index incident_event_incident_idx on incident_event (incident_id, id);
  `,
  );
}

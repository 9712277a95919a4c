/** @module Migration 0004: dissemination — subscriptions, the delivery outbox with its attempts, and acknowledgements. */
import type { Kysely } from 'kysely';
import { runScript } from './run-script.ts';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's Schema type.
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    create table subscription (
      id bigint generated always as identity primary key,
      organisation_id integer not null references organisation (id),
      -- managed: set up by an organisation for its agencies and responders; else public self-service
      managed boolean not null,
      channel text not null check (channel in ('webhook', 'email', 'sms', 'mqtt')),
      target text not null,
      recipient_name text,
      -- {kind: polygon, geometry} | {kind: area, areaId} | {kind: circle, lon, lat, radiusKm} | {kind: point, lon, lat}
      area jsonb not null,
      min_lon double precision not null,
      min_lat double precision not null,
      max_lon double precision not null,
      max_lat double precision not null,
      hazards text[],
      categories text[],
      min_severity text not null default 'Minor',
      min_urgency text not null default 'Unknown',
      min_certainty text not null default 'Unknown',
      languages text[] not null default '{en}',
      wants_updates boolean not null default true,
      wants_cancels boolean not null default true,
      -- {start: "22:00", end: "06:00", timeZone: "Asia/Dhaka"}: held until the end, unless Extreme
      quiet_hours jsonb,
      status text not null check (status in ('pending', 'active', 'unsubscribed')),
      confirm_token text,
      unsubscribe_token text not null unique,
      webhook_secret text,
      -- acknowledgement asked within this time, else the next contact is told
      ack_within_s integer,
      escalate_to bigint references subscription (id),
      created_at timestamptz not null default now(),
      confirmed_at timestamptz
    );
    create index subscription_box_idx on subscription (min_lon, max_lon, min_lat, max_lat) where status = 'active';

    -- The outbox: written in the transaction that publishes the warning; one stable id per (version, subscription).
    create table delivery (
      id text primary key,
      warning_id bigint not null references warning (id),
      subscription_id bigint not null references subscription (id),
      channel text not null,
      target text not null,
      language text not null,
      status text not null check (status in ('pending', 'delivered', 'failed', 'dead')),
      attempts integer not null default 0,
      next_attempt_at timestamptz not null,
      claimed_until timestamptz,
      last_response_code integer,
      last_error text,
      escalation_level integer not null default 0,
      ack_due_at timestamptz,
      acknowledged_at timestamptz,
      acknowledged_by text,
      escalated boolean not null default false,
      created_at timestamptz not null default now(),
      delivered_at timestamptz
    );
    create index delivery_due_idx on delivery (next_attempt_at) where status = 'pending';
    create index delivery_warning_idx on delivery (warning_id);
    create index delivery_subscription_idx on delivery (subscription_id, created_at);
    create index delivery_ack_idx on delivery (ack_due_at) where ack_due_at is not null and acknowledged_at is null and not escalated;

    create table delivery_attempt (
      id bigint generated always as identity primary key,
      delivery_id text not null references delivery (id),
      attempt integer not null,
      at timestamptz not null default now(),
      outcome text not null check (outcome in ('delivered', 'retry', 'failed')),
      response_code integer,
      latency_ms integer not null,
      error text
    );
    create index delivery_attempt_delivery_idx on delivery_attempt (delivery_id, attempt);
  `,
  );
}

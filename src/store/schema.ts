/** @module Kysely table types: the database as TypeScript sees it. Keep in step with migrations/. */

import type { Geometry, MultiPolygon, Polygon } from 'geojson';
import type { ColumnType, Generated, JSONColumnType } from 'kysely';

type CreatedAt = ColumnType<Date, never, never>;
type Json<T extends object | null> = JSONColumnType<T, string, string>;

import type { DigestSetting } from '../notify/subscription-rules.ts';
import type { Role } from '../registry/access.ts';
import type { AreaKind } from '../registry/area.ts';
import type { OrganisationKind } from '../registry/organisation.ts';
import type { Scope } from '../registry/scopes.ts';
import type { Sense } from '../registry/station.ts';
import type { CapAlert } from '../warn/cap/cap-alert.ts';
import type { Exposure } from '../warn/exposure.ts';
import type { WarningContent } from '../warn/warning-cap.ts';
import type { ThreadState } from '../warn/warning-thread.ts';

export interface OrganisationTable {
  id: Generated<number>;
  parent_id: number | null;
  kind: OrganisationKind;
  code: string;
  name: string;
  iso_code: string | null;
  languages: ColumnType<string[], string[] | undefined, string[]>;
  created_at: CreatedAt;
}

export interface AppUserTable {
  id: Generated<number>;
  organisation_id: number;
  email: string;
  name: string;
  role: Role;
  password_hash: string | null;
  created_at: CreatedAt;
}

export interface ApiKeyTable {
  id: Generated<number>;
  organisation_id: number;
  role: Role;
  name: string;
  prefix: string;
  secret_hash: string;
  /** null: all the role allows; else only routes of these scopes (registry/scopes.ts). */
  scopes: Scope[] | null;
  created_at: CreatedAt;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export interface AreaTable {
  id: Generated<number>;
  organisation_id: number | null;
  kind: AreaKind;
  code: string;
  name: string;
  iso_code: string | null;
  geometry: Json<Geometry>;
  min_lon: number;
  min_lat: number;
  max_lon: number;
  max_lat: number;
  properties: Json<Record<string, unknown>>;
  source: string | null;
  created_at: CreatedAt;
}

export interface SourceTable {
  id: Generated<number>;
  organisation_id: number;
  code: string;
  name: string;
  provider: string;
  licence: string;
  provenance: string;
  url: string | null;
  created_at: CreatedAt;
}

export interface StationTable {
  id: Generated<number>;
  organisation_id: number;
  source_id: number;
  code: string;
  name: string;
  sense: Sense;
  lon: number;
  lat: number;
  elevation_m: number | null;
  expected_cadence_s: number;
  properties: Json<Record<string, unknown>>;
  time_zone: string | null;
  created_at: CreatedAt;
}

export interface StationAreaTable {
  area_id: number;
  station_id: number;
}

export interface VariableTable {
  code: string;
  name: string;
  unit: string;
  domain: string;
  qc: Json<Record<string, number>>;
}

export interface SeriesTable {
  id: Generated<number>;
  organisation_id: number;
  station_id: number;
  variable_code: string;
  code: string;
  unit: string;
  qc_override: Json<Record<string, number>>;
  /** Raised by every re-sent batch that replaced stored values (migration 0013): carried rows of an older one are stale. */
  revision: ColumnType<number, never, number>;
  created_at: CreatedAt;
}

export interface ObservationTable {
  series_id: number;
  time: Date;
  value: number;
  qc_flag: number;
  qc_rule: number;
}

export interface EventTable {
  id: Generated<number>;
  organisation_id: number;
  source_id: number | null;
  station_id: number | null;
  kind: string;
  dedupe_key: string;
  time: Date;
  end_time: Date | null;
  geometry: Json<Geometry>;
  min_lon: number;
  min_lat: number;
  max_lon: number;
  max_lat: number;
  attributes: Json<Record<string, unknown>>;
  received_at: ColumnType<Date, never, never>;
}

export interface RuleTable {
  id: number;
  version: number;
  organisation_id: number;
  name: string;
  definition: Json<Record<string, unknown>>;
  enabled: boolean;
  created_by_key: number | null;
  created_at: CreatedAt;
}

export interface SignalTable {
  id: Generated<number>;
  organisation_id: number;
  series_id: number | null;
  station_id: number | null;
  area_id: number | null;
  origin: 'detector' | 'rule';
  detector: string | null;
  rule_id: number | null;
  rule_version: number | null;
  kind: string;
  state: 'firing' | 'cleared';
  start_time: Date;
  end_time: Date | null;
  score: number;
  observed: number | null;
  expected: number | null;
  spread: number | null;
  unit: string | null;
  lead_time_s: number | null;
  sentence: string;
  details: Json<Record<string, unknown>>;
  dedupe_key: string;
  created_at: CreatedAt;
}

export interface RuleStateTable {
  rule_id: number;
  rule_version: number;
  last_time: Date;
  last_event_id: number;
  state: Json<Record<string, unknown>>;
  updated_at: ColumnType<Date, never, Date>;
}

export interface DetectorStateTable {
  series_id: number;
  detector: string;
  last_time: Date;
  state: Json<Record<string, unknown>>;
  updated_at: ColumnType<Date, never, Date>;
}

/** Who ran a clock duty last, and when the next process may (store/duty-turn.repository.ts). */
export interface DutyTurnTable {
  duty: string;
  taken_by: string;
  next_turn_at: Date;
}

export interface Schema {
  organisation: OrganisationTable;
  app_user: AppUserTable;
  api_key: ApiKeyTable;
  area: AreaTable;
  source: SourceTable;
  station: StationTable;
  station_area: StationAreaTable;
  variable: VariableTable;
  series: SeriesTable;
  observation: ObservationTable;
  event: EventTable;
  rule: RuleTable;
  signal: SignalTable;
  detector_state: DetectorStateTable;
  rule_state: RuleStateTable;
  warning_thread: WarningThreadTable;
  warning_thread_signal: WarningThreadSignalTable;
  warning: WarningTable;
  warning_audit: WarningAuditTable;
  silence: SilenceTable;
  signing_key: SigningKeyTable;
  cap_source: CapSourceTable;
  imported_alert: ImportedAlertTable;
  subscription: SubscriptionTable;
  delivery: DeliveryTable;
  delivery_attempt: DeliveryAttemptTable;
  user_session: UserSessionTable;
  incident: IncidentTable;
  incident_task: IncidentTaskTable;
  incident_event: IncidentEventTable;
  protected_area: ProtectedAreaTable;
  protected_area_coverage: ProtectedAreaCoverageTable;
  occurrence: OccurrenceTable;
  sensitive_species: SensitiveSpeciesTable;
  duty_turn: DutyTurnTable;
}

export interface UserSessionTable {
  /** SHA-256 (hex) of the cookie's token. */
  id: string;
  user_id: number;
  csrf_token: string;
  created_at: CreatedAt;
  expires_at: Date;
  last_seen_at: ColumnType<Date, Date | undefined, Date>;
}

export type IncidentStatus = 'open' | 'monitoring' | 'resolved' | 'closed';

export interface IncidentTable {
  id: Generated<number>;
  organisation_id: number;
  warning_thread_id: number | null;
  title: string;
  status: IncidentStatus;
  severity: string | null;
  created_by: string;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  closed_at: Date | null;
}

export type TaskStatus = 'todo' | 'doing' | 'done';

export interface IncidentTaskTable {
  id: Generated<number>;
  incident_id: number;
  title: string;
  assignee_user_id: number | null;
  due_at: Date | null;
  status: TaskStatus;
  created_by: string;
  created_at: CreatedAt;
  done_at: Date | null;
}

export interface IncidentEventTable {
  id: Generated<number>;
  incident_id: number;
  at: ColumnType<Date, Date | undefined, never>;
  actor: string;
  kind: string;
  text: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
}

export type SubscriptionAreaSpec =
  | { readonly kind: 'polygon'; readonly geometry: Polygon | MultiPolygon }
  | { readonly kind: 'area'; readonly areaId: number; readonly geometry: Polygon | MultiPolygon }
  | { readonly kind: 'circle'; readonly lon: number; readonly lat: number; readonly radiusKm: number }
  | { readonly kind: 'point'; readonly lon: number; readonly lat: number };

export interface SubscriptionTable {
  id: Generated<number>;
  organisation_id: number;
  managed: boolean;
  channel: 'webhook' | 'email' | 'sms' | 'mqtt';
  target: string;
  recipient_name: string | null;
  area: Json<SubscriptionAreaSpec>;
  min_lon: number;
  min_lat: number;
  max_lon: number;
  max_lat: number;
  hazards: string[] | null;
  categories: string[] | null;
  min_severity: ColumnType<string, string | undefined, string>;
  min_urgency: ColumnType<string, string | undefined, string>;
  min_certainty: ColumnType<string, string | undefined, string>;
  languages: ColumnType<string[], string[] | undefined, string[]>;
  wants_updates: ColumnType<boolean, boolean | undefined, boolean>;
  wants_cancels: ColumnType<boolean, boolean | undefined, boolean>;
  quiet_hours: Json<{ start: string; end: string; timeZone: string } | null>;
  digest: ColumnType<DigestSetting | null, string | null | undefined, string | null>;
  status: 'pending' | 'active' | 'unsubscribed';
  confirm_token: string | null;
  unsubscribe_token: string;
  webhook_secret: string | null;
  ack_within_s: number | null;
  escalate_to: number | null;
  created_at: CreatedAt;
  confirmed_at: Date | null;
}

export interface DeliveryTable {
  id: string;
  warning_id: number;
  subscription_id: number;
  channel: string;
  target: string;
  language: string;
  status: 'pending' | 'delivered' | 'failed' | 'dead';
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Date;
  claimed_until: Date | null;
  last_response_code: number | null;
  last_error: string | null;
  escalation_level: ColumnType<number, number | undefined, number>;
  ack_due_at: Date | null;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  escalated: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
  delivered_at: Date | null;
  digest_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface DeliveryAttemptTable {
  id: Generated<number>;
  delivery_id: string;
  attempt: number;
  at: ColumnType<Date, never, never>;
  outcome: 'delivered' | 'retry' | 'failed';
  response_code: number | null;
  latency_ms: number;
  error: string | null;
}

export interface WarningThreadTable {
  id: Generated<number>;
  organisation_id: number;
  hazard: string;
  status: 'open' | 'closed';
  closed_reason: string | null;
  rule_id: number | null;
  rule_version: number | null;
  detector: string | null;
  area_desc: string;
  area_ids: number[];
  geometry: Json<Polygon | MultiPolygon>;
  min_lon: number;
  min_lat: number;
  max_lon: number;
  max_lat: number;
  exposure: Json<Exposure>;
  state: Json<ThreadState>;
  time_zone: string | null;
  first_signal_at: Date;
  last_signal_at: Date;
  closed_at: Date | null;
  verification: 'hit' | 'false_alarm' | 'miss' | null;
  verified_by: string | null;
  verified_at: Date | null;
  lead_time_s: number | null;
  created_at: CreatedAt;
}

export interface WarningThreadSignalTable {
  signal_id: number;
  thread_id: number;
}

export type WarningStatus = 'draft' | 'published' | 'rejected' | 'withdrawn' | 'inhibited' | 'silenced';

export interface WarningTable {
  id: Generated<number>;
  thread_id: number;
  organisation_id: number;
  version: number;
  msg_type: 'Alert' | 'Update' | 'Cancel';
  status: WarningStatus;
  change: string | null;
  identifier: string;
  hazard: string;
  severity: string;
  urgency: string;
  certainty: string;
  content: Json<WarningContent>;
  expires_at: Date;
  sent_at: Date | null;
  cap_xml: string | null;
  etag: string | null;
  signed: Generated<boolean>;
  review_reason: string | null;
  reviewed_by: string | null;
  created_at: CreatedAt;
}

export interface WarningAuditTable {
  id: Generated<number>;
  organisation_id: number;
  thread_id: number | null;
  warning_id: number | null;
  silence_id: number | null;
  actor: string;
  action: string;
  changes: Json<Record<string, unknown>>;
  at: ColumnType<Date, never, never>;
  /** Set by the database at insert (migration 0009): the row's place in the hash chain and its links. */
  chain_seq: ColumnType<number, never, never>;
  prev_hash: ColumnType<string, never, never>;
  hash: ColumnType<string, never, never>;
}

export interface SilenceTable {
  id: Generated<number>;
  organisation_id: number;
  hazard: string | null;
  area_id: number | null;
  geometry: Json<Polygon | MultiPolygon>;
  starts_at: Date;
  ends_at: Date;
  author: string;
  reason: string;
  created_at: CreatedAt;
}

export interface SigningKeyTable {
  organisation_id: number;
  private_key_pem: string;
  certificate_pem: string | null;
  public_key_pem: string | null;
  created_at: CreatedAt;
}

export interface CapSourceTable {
  id: Generated<number>;
  organisation_id: number;
  name: string;
  url: string | null;
  poll_interval_s: ColumnType<number, number | undefined, number>;
  etag: string | null;
  last_modified: string | null;
  health: ColumnType<
    'ok' | 'failing' | 'unknown',
    'ok' | 'failing' | 'unknown' | undefined,
    'ok' | 'failing' | 'unknown'
  >;
  consecutive_failures: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  last_polled_at: Date | null;
  next_poll_at: ColumnType<Date, Date | undefined, Date>;
  created_at: CreatedAt;
}

export interface ImportedAlertTable {
  id: Generated<number>;
  source_id: number;
  sender: string;
  identifier: string;
  sent: string;
  msg_type: string;
  status: string;
  alert: Json<CapAlert>;
  cap_xml: string;
  signature: 'unsigned' | 'valid' | 'unverified';
  signature_note: string | null;
  feed_entry: string | null;
  expires_at: Date | null;
  received_at: CreatedAt;
  withdrawn_at: Date | null;
}

export interface OccurrenceTable {
  id: Generated<number>;
  organisation_id: number;
  occurrence_id: string;
  scientific_name: string;
  event_date: Date;
  lon: number;
  lat: number;
  individual_count: number | null;
  basis_of_record: string;
  country_code: string | null;
  locality: string | null;
  sensitive: boolean;
  area_ids: ColumnType<number[], number[] | undefined, number[]>;
  received_at: ColumnType<Date, Date | undefined, Date>;
}

export interface SensitiveSpeciesTable {
  organisation_id: number;
  scientific_name: string;
  sensitivity: 'sensitive' | 'highly_sensitive';
}

/** A WDPA parcel, cleaned for coverage (migration 0007). */
export interface ProtectedAreaTable {
  id: Generated<number>;
  organisation_id: number;
  wdpa_id: number;
  wdpa_pid: string;
  name: string;
  desig: string | null;
  iucn_cat: string | null;
  status: string;
  /** 0 when unknown. */
  status_yr: number;
  /** WDPA MARINE: 0 terrestrial, 1 coastal, 2 marine. */
  marine: number;
  rep_area: number | null;
  gis_area: number | null;
  iso3: string | null;
  point_only: boolean;
  geometry: Json<MultiPolygon>;
  land_geometry: Json<MultiPolygon | null>;
  sea_geometry: Json<MultiPolygon | null>;
  land_km2: number;
  sea_km2: number;
  min_lon: number;
  min_lat: number;
  max_lon: number;
  max_lat: number;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface ProtectedAreaCoverageTable {
  /** Whose sites were counted: the readable organisations, sorted. */
  scope: string;
  country_code: string;
  /** Count and last change of the sites counted: a new import makes the cached result stale. */
  fingerprint: string;
  result: Json<Record<string, unknown>>;
  computed_at: CreatedAt;
}

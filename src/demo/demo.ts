/** @module The demo adapter: installs the demo's organisations, stations, areas and events once, backfills recent days of observations, then feeds new points live. */
import type { Services } from '../app.ts';
import { findRulePreset } from '../detect/rules/presets.ts';
import type { ParsedEvent } from '../ingest/event-parser.ts';
import type { ParsedObservation } from '../ingest/observation-parser.ts';
import type { Caller } from '../registry/access.ts';
import { createArea } from '../store/area.repository.ts';
import { createRule } from '../store/rule.repository.ts';
import { createSeries, createSource, createStation } from '../store/station.repository.ts';
import type { WarningPolicy } from '../warn/warning-policy.ts';
import {
  DAY_MS,
  DEMO_AREAS,
  DEMO_MARKER_ORGANISATION,
  DEMO_ORGANISATIONS,
  DEMO_SEED,
  DEMO_SOURCES,
  DEMO_STATIONS,
  type DemoEvent,
  type DemoSeries,
  type DemoStation,
  demoEvents,
  firstDueAfter,
  sampleAt,
  seriesCodeOf,
} from './demo-data.ts';
import { installNatureDemo, installProtectedAreaDemo } from './demo-nature.ts';
import {
  DEFAULT_DEMO_PASSWORD,
  DEMO_DUTY_OFFICER,
  DEMO_USERS,
  installDemoUsers,
  watchForDemoIncident,
} from './demo-response.ts';
import { startDemoSink } from './demo-sink.ts';

export interface DemoHandle {
  /** Organisation code → id, for every demo organisation. */
  readonly organisations: Record<string, number>;
  /** Stops the live feed, waiting for a run in progress to finish. */
  stop(): Promise<void>;
}

export interface DemoOptions {
  /** Days of observations to backfill before now; default 3. */
  readonly backfillDays?: number;
  /** Period of the live feed; 0 or less for none. Default 60 000 (the air stations' cadence). */
  readonly feedIntervalMs?: number;
  readonly now?: () => number;
  readonly log?: (msg: string) => void;
  /** Seed of the simulated values; default DEMO_SEED. */
  readonly seed?: number;
  /** The dashboard password of the demo users; default DEFAULT_DEMO_PASSWORD. */
  readonly password?: string;
}

/** Largest batch handed to the observation ingest at once. */
const BATCH_ROWS = 5000;

/** A demo series as stored, with the time up to which its points have been written. */
interface LiveSeries {
  readonly station: DemoStation;
  readonly series: DemoSeries;
  readonly code: string;
  readonly organisationId: number;
  readonly cadenceMs: number;
  /** Points at or before this time are written. */
  doneUntilMs: number;
}

/**
 * Idempotent: creates the demo once (checks whether organisation code 'bd' exists), backfills the last
 * `backfillDays` days of observations (resuming after what is already stored), then, if feedIntervalMs > 0,
 * every feedIntervalMs appends the points that became due since the last run, through
 * services.observationIngest (validate + store, as the demo organisation's own caller). Makes the dashboard's
 * demo users, and opens one incident from Dhaka's first published warning.
 */
export async function startDemo(services: Services, options: DemoOptions = {}): Promise<DemoHandle> {
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const seed = options.seed ?? DEMO_SEED;
  const backfillDays = options.backfillDays ?? 3;
  const feedIntervalMs = options.feedIntervalMs ?? 60_000;

  const installed = await findOrganisations(services);
  const organisations =
    installed[DEMO_MARKER_ORGANISATION] === undefined ? await installDemo(services, now(), log) : installed;
  const callers = callersOf(organisations);
  const password = options.password ?? DEFAULT_DEMO_PASSWORD;
  const users = await installDemoUsers(services.database.db, idOf(organisations, 'bd'), password);
  log(
    `demo: sign in to the dashboard as ${DEMO_USERS.map((u) => `${u.email} (${u.role})`).join(' or ')}, ` +
      `password ${options.password === undefined ? password : 'from EW4E_DEMO_PASSWORD'}`,
  );
  // Subscribed before the backfill, so that the first warnings are delivered to it too.
  const sink = await startDemoSink(services, idOf(organisations, 'bd-dhaka'), 'bd-dhaka', log);
  const incidentWatch = watchForDemoIncident(
    services.database.db,
    services.bus,
    idOf(organisations, 'bd-dhaka'),
    { id: users.get(DEMO_DUTY_OFFICER.email)!, name: DEMO_DUTY_OFFICER.name },
    now,
    log,
  );
  const live = await liveSeries(services, organisations, log);

  const startedMs = performance.now();
  const endMs = now();
  await resumeAfterStored(services, live, endMs - backfillDays * DAY_MS);
  const written = await appendDue(services, callers, live, endMs, seed);
  const seconds = ((performance.now() - startedMs) / 1000).toFixed(1);
  log(
    `demo: backfilled ${written} observations of ${live.length} series (${backfillDays} days) in ${seconds} s`,
  );
  // A warning published by an earlier run gets its incident now; a new one when the bus says so.
  await incidentWatch.check();
  await installNatureDemo(
    services,
    {
      nairobi: callers.get(idOf(organisations, 'ke-nairobi'))!,
      harbin: callers.get(idOf(organisations, 'cn-harbin'))!,
    },
    endMs,
    log,
  );
  await installProtectedAreaDemo(services, services.globalOrganisationId, endMs, log);

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const schedule = (): void => {
    if (stopped || feedIntervalMs <= 0) return;
    timer = setTimeout(() => {
      running = feed().finally(() => {
        running = undefined;
        schedule();
      });
    }, feedIntervalMs);
    // The feed alone should not keep a process alive.
    timer.unref();
  };
  const feed = async (): Promise<void> => {
    try {
      await appendDue(services, callers, live, now(), seed);
    } catch (error) {
      // A failed run is retried by the next: series whose batches failed keep their doneUntilMs.
      log(`demo: feed failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  schedule();

  return {
    organisations,
    stop: async () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
      await incidentWatch.stop();
      await sink.close();
    },
  };
}

async function findOrganisations(services: Services): Promise<Record<string, number>> {
  const rows = await services.database.db
    .selectFrom('organisation')
    .select(['id', 'code'])
    .where(
      'code',
      'in',
      DEMO_ORGANISATIONS.map((o) => o.code),
    )
    .execute();
  return Object.fromEntries(rows.map((r) => [r.code, r.id]));
}

function idOf(organisations: Record<string, number>, code: string): number {
  const id = organisations[code];
  if (id === undefined) throw new Error(`demo organisation "${code}" is missing`);
  return id;
}

/**
 * Rules the demo switches on, per organisation, each with its warning policy: Dhaka's air publishes on its
 * own (a warning appears in the feed within a minute of start), the others wait for an approver.
 */
const DEMO_RULES: readonly {
  readonly organisation: string;
  readonly preset?: string;
  readonly name?: string;
  readonly definition?: Record<string, unknown>;
  readonly warning?: WarningPolicy;
}[] = [
  {
    organisation: 'bd-dhaka',
    name: 'PM2.5 above WHO interim target 3 (37.5 µg/m³) at any Dhaka station',
    definition: {
      kind: 'area_quorum',
      variable: 'pm25',
      area: 'bd-dhaka',
      count: 1,
      condition: { when: 'above', level: 37.5, forS: 600, clearAt: 30 },
      maxAgeS: 3600,
      severity: 'Moderate',
      description:
        'Public information: an hourly level above the 24-hour interim target 3 of the WHO 2021 guidelines',
    },
    warning: { hazard: 'air_pollution', autoPublish: ['Minor', 'Moderate', 'Severe'], clearAfterS: 3600 },
  },
  { organisation: 'bd-dhaka', preset: 'who2021_pm25_24h_it1' },
  {
    // Farmgate junction never falls below 55 dB(A): a draft always waits for the duty officer's review.
    organisation: 'bd-dhaka',
    name: 'Noise above the WHO community guideline (55 dB(A) LAeq outdoors) at Farmgate',
    definition: {
      kind: 'threshold',
      select: { series: 'bd-dhaka-farmgate-noise:sound_level' },
      when: 'above',
      level: 55,
      forS: 600,
      severity: 'Minor',
      description: 'WHO Guidelines for Community Noise (1999): serious annoyance outdoors above 55 dB LAeq',
    },
    warning: { hazard: 'noise_pollution', autoPublish: [] },
  },
  { organisation: 'ke-nairobi', preset: 'dissolved_oxygen_hypoxia' },
  { organisation: 'br', preset: 'fire_density_24h', warning: { autoPublish: [] } },
  {
    // Nature loss in a protected area: the demo's VIIRS detections of the last days include a cluster inside
    // Reserva Ducke (Manaus), which publishes a wildfire warning on its own.
    organisation: 'br',
    name: 'Fire cluster inside Reserva Florestal Adolpho Ducke: 3 detections within 72 h',
    definition: {
      kind: 'event_density',
      eventKind: 'fire_detection',
      area: 'br-ducke',
      count: 3,
      windowS: 3 * 86_400,
      severity: 'Severe',
      description: 'Active fires inside a protected area (NASA FIRMS VIIRS 375 m detections)',
    },
    warning: { hazard: 'wildfire', autoPublish: ['Severe'] },
  },
];

/** The zone of each demo country's stations (IANA), keyed by the organisation code's country part. */
const DEMO_TIME_ZONES: Readonly<Record<string, string>> = {
  bd: 'Asia/Dhaka',
  ke: 'Africa/Nairobi',
  br: 'America/Manaus',
  cn: 'Asia/Shanghai',
};

/**
 * Creates organisations, sources, areas, stations, series and events. Areas go before stations so that
 * createStation links each station to the areas that contain it.
 */
async function installDemo(
  services: Services,
  nowMs: number,
  log: (msg: string) => void,
): Promise<Record<string, number>> {
  const db = services.database.db;
  const organisations: Record<string, number> = {};
  for (const o of DEMO_ORGANISATIONS) {
    const parentId = o.parent === null ? services.globalOrganisationId : idOf(organisations, o.parent);
    const row = await db
      .insertInto('organisation')
      .values({ kind: o.kind, code: o.code, name: o.name, iso_code: o.isoCode, parent_id: parentId })
      .returning('id')
      .executeTakeFirstOrThrow();
    organisations[o.code] = row.id;
  }
  const sources = new Map<string, number>();
  for (const s of DEMO_SOURCES) {
    const row = await createSource(db, idOf(organisations, s.organisation), {
      code: s.code,
      name: s.name,
      provider: s.provider,
      licence: s.licence,
      provenance: s.provenance,
      url: s.url,
    });
    sources.set(`${s.organisation}/${s.code}`, row.id);
  }
  for (const a of DEMO_AREAS) {
    await createArea(db, idOf(organisations, a.organisation), {
      kind: a.kind,
      code: a.code,
      name: a.name,
      iso_code: a.isoCode,
      geometry: a.geometry,
      properties: { ...a.properties },
      source: a.source,
    });
  }
  let seriesCount = 0;
  for (const st of DEMO_STATIONS) {
    const organisationId = idOf(organisations, st.organisation);
    const sourceId = sources.get(`${st.organisation}/${st.source}`);
    if (sourceId === undefined)
      throw new Error(`demo source "${st.source}" of "${st.organisation}" is missing`);
    const station = await createStation(db, organisationId, {
      source_id: sourceId,
      code: st.code,
      name: st.name,
      sense: st.sense,
      lon: st.lon,
      lat: st.lat,
      elevation_m: st.elevationM,
      expected_cadence_s: st.cadenceS,
      properties: { ...st.properties, demo: true },
      time_zone: DEMO_TIME_ZONES[st.organisation.slice(0, 2)],
    });
    for (const se of st.series) {
      await createSeries(db, organisationId, {
        station_id: station.id,
        variable: se.variable,
        code: seriesCodeOf(st, se),
      });
      seriesCount++;
    }
  }
  const events = demoEvents(nowMs);
  const callers = callersOf(organisations);
  for (const [organisation, list] of groupBy(events, (e) => e.organisation)) {
    await services.eventIngest.ingest(callers.get(idOf(organisations, organisation))!, {
      rows: list.map(toParsedEvent),
      problems: [],
    });
  }
  // Rules, so that rule signals (and from them warnings) appear beside the detectors' as the episodes come and go.
  const areaIds = new Map(
    (
      await db
        .selectFrom('area')
        .select(['id', 'code'])
        .where(
          'code',
          'in',
          DEMO_AREAS.map((a) => a.code),
        )
        .execute()
    ).map((a) => [a.code, a.id]),
  );
  for (const rule of DEMO_RULES) {
    const preset = rule.preset === undefined ? undefined : findRulePreset(rule.preset);
    if (rule.preset !== undefined && preset === undefined)
      throw new Error(`demo rule preset "${rule.preset}" is missing`);
    const definition: Record<string, unknown> = { ...(preset?.rule ?? rule.definition) };
    if (typeof definition.area === 'string') definition.area = areaIds.get(definition.area);
    if (rule.warning !== undefined) definition.warning = rule.warning;
    await createRule(db, idOf(organisations, rule.organisation), null, {
      name: preset?.name ?? rule.name ?? 'demo rule',
      definition,
      enabled: true,
    });
  }
  log(
    `demo: installed ${DEMO_ORGANISATIONS.length} organisations, ${DEMO_STATIONS.length} stations, ` +
      `${seriesCount} series, ${DEMO_AREAS.length} areas and ${events.length} events`,
  );
  return organisations;
}

function toParsedEvent(e: DemoEvent, row: number): ParsedEvent {
  return {
    row,
    externalId: e.externalId,
    kind: e.kind,
    timeMs: e.timeMs,
    endTimeMs: e.endTimeMs,
    geometry: e.geometry,
    source: e.source,
    station: e.station,
    attributes: { ...e.attributes },
  };
}

/**
 * The demo writes as each organisation itself. It holds no API key: keyId 0 is never a real key's id
 * (identities start at 1); ingest looks only at the organisation.
 */
function callersOf(organisations: Record<string, number>): Map<number, Caller> {
  const callers = new Map<number, Caller>();
  for (const o of DEMO_ORGANISATIONS) {
    const id = organisations[o.code];
    if (id === undefined) continue;
    const children = DEMO_ORGANISATIONS.filter((c) => c.parent === o.code)
      .map((c) => organisations[c.code])
      .filter((c): c is number => c !== undefined);
    callers.set(id, {
      keyId: 0,
      organisationId: id,
      role: 'admin',
      readableOrganisationIds: [id, ...children],
    });
  }
  return callers;
}

/** The demo's series as stored; one that is missing (deleted, or an older demo) is skipped with a note. */
async function liveSeries(
  services: Services,
  organisations: Record<string, number>,
  log: (msg: string) => void,
): Promise<LiveSeries[]> {
  const ids = Object.values(organisations);
  if (ids.length === 0) return [];
  const rows = await services.database.db
    .selectFrom('series')
    .select(['organisation_id', 'code'])
    .where('organisation_id', 'in', ids)
    .execute();
  const stored = new Set(rows.map((r) => `${r.organisation_id}/${r.code}`));
  const live: LiveSeries[] = [];
  for (const station of DEMO_STATIONS) {
    const organisationId = organisations[station.organisation];
    for (const series of station.series) {
      const code = seriesCodeOf(station, series);
      if (organisationId === undefined || !stored.has(`${organisationId}/${code}`)) {
        log(`demo: series "${code}" not found; not simulated`);
        continue;
      }
      live.push({
        station,
        series,
        code,
        organisationId,
        cadenceMs: station.cadenceS * 1000,
        doneUntilMs: 0,
      });
    }
  }
  return live;
}

/** Starts each series at the window's start, or after its latest stored point in the window (a restart). */
async function resumeAfterStored(
  services: Services,
  live: readonly LiveSeries[],
  fromMs: number,
): Promise<void> {
  for (const s of live) s.doneUntilMs = fromMs;
  if (live.length === 0) return;
  const rows = await services.database.db
    .selectFrom('observation')
    .innerJoin('series', 'series.id', 'observation.series_id')
    .select(['series.organisation_id', 'series.code', (eb) => eb.fn.max('observation.time').as('last')])
    .where('series.organisation_id', 'in', [...new Set(live.map((s) => s.organisationId))])
    .where('observation.time', '>', new Date(fromMs))
    .groupBy(['series.organisation_id', 'series.code'])
    .execute();
  const last = new Map(rows.map((r) => [`${r.organisation_id}/${r.code}`, new Date(r.last).getTime()]));
  for (const s of live) {
    const t = last.get(`${s.organisationId}/${s.code}`);
    if (t !== undefined) s.doneUntilMs = Math.max(s.doneUntilMs, t);
  }
}

/**
 * Writes every point due in (doneUntilMs, untilMs] of every series, organisation by organisation, in batches of at
 * most BATCH_ROWS; returns the number of points written. A series advances only once all its points are stored.
 */
async function appendDue(
  services: Services,
  callers: ReadonlyMap<number, Caller>,
  live: readonly LiveSeries[],
  untilMs: number,
  seed: number,
): Promise<number> {
  let written = 0;
  for (const [organisationId, group] of groupBy(live, (s) => s.organisationId)) {
    const caller = callers.get(organisationId);
    if (caller === undefined) throw new Error(`no demo caller for organisation ${organisationId}`);
    let rows: ParsedObservation[] = [];
    const flush = async (): Promise<void> => {
      if (rows.length === 0) return;
      const ready = await services.observationIngest.validate(caller, { rows, problems: [] });
      if (ready.problems.length > 0) {
        const first = ready.problems[0]!;
        throw new Error(
          `demo: ${ready.problems.length} simulated rows refused, first: row ${first.row}: ${first.reason}`,
        );
      }
      const summary = await services.observationIngest.store(ready.rows);
      written += summary.accepted;
      rows = [];
    };
    for (const s of group) {
      for (let t = firstDueAfter(s.doneUntilMs, s.cadenceMs); t <= untilMs; t += s.cadenceMs) {
        const sample = sampleAt(s.station, s.series, t, seed);
        if (sample === undefined) continue;
        rows.push({ row: rows.length, series: s.code, timeMs: t, value: sample.value, unit: undefined });
        if (rows.length >= BATCH_ROWS) await flush();
      }
    }
    await flush();
    for (const s of group) s.doneUntilMs = Math.max(s.doneUntilMs, untilMs);
  }
  return written;
}

function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [item]);
    else list.push(item);
  }
  return groups;
}

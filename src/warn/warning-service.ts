/**
 * @module The warning stage: takes new signals, resolves their hazard, area and policy, threads them into
 * episodes, and issues, holds, publishes and cancels CAP versions — every decision in one transaction
 * with its audit entry. The judgement itself lives in the pure modules beside this one.
 */
import type { MultiPolygon, Polygon } from 'geojson';
import type { Kysely, Transaction } from 'kysely';
import type { RuleDefinition } from '../detect/rules/rule-definition.ts';
import { Ew4eError, notFound } from '../errors.ts';
import { bboxOf } from '../geo/geojson-validation.ts';
import type { Schema } from '../store/schema.ts';
import {
  appendAudit,
  areaById,
  areasInBox,
  areasOfStation,
  lockOrganisationWarnings,
  openThreads,
  organisationOf,
  PENDING_STATUSES,
  recentEventsInBox,
  type SignalWithContext,
  signalsWithContext,
  signingKeyOf,
  silencesOverOrganisation,
  standingWarnings,
  type ThreadRow,
  threadById,
  threadedAmong,
  timeZoneOfArea,
  unthreadedSignalIds,
  type VersionRow,
  versionsOf,
} from '../store/warning.repository.ts';
import { type CapReference, capTime } from './cap/cap-alert.ts';
import { signCapXml } from './cap/cap-signature.ts';
import { toCapXml } from './cap/cap-xml.ts';
import {
  assessExposure,
  circleToPolygon,
  type Exposure,
  impactLevel,
  type PopulationIndex,
} from './exposure.ts';
import { findHazard, type Hazard, hazardOfVariable, hazardsOfEventKind } from './hazards.ts';
import { etagOf } from './publish/etag.ts';
import { verifyEpisode } from './verification.ts';
import { type AreaGeometry, coveredShare, overlapShare, unionOf } from './warning-area.ts';
import { capAlertOf, type WarningContent, type WarningText } from './warning-cap.ts';
import {
  type EvidenceReading,
  levelScore,
  type ResolvedPolicy,
  resolvePolicy,
  sameLevels,
  severityRank,
  type WarningLevels,
  type WarningPolicy,
} from './warning-policy.ts';
import {
  applyEvidence,
  decide,
  type Evidence,
  emptyThreadState,
  leadingStrand,
  liveSenses,
  quietSince,
  type ThreadState,
  type ThreadVersions,
  threadLevels,
} from './warning-thread.ts';
import { isWarningLanguage, warningWords } from './words/warning-words.ts';

/** Signals of one hazard over areas overlapping at least this much (intersection over union) share a thread. */
export const JOIN_OVERLAP = 0.25;
/** A higher-level warning inhibits a lower one of the same hazard when it covers this share of its area. */
export const INHIBIT_COVER = 0.9;
/** A silence mutes a thread when it covers this share of the thread's area. */
export const SILENCE_COVER = 0.5;

/** Whether a silence holds a thread's versions: its hazard (or every hazard) over SILENCE_COVER of the area. */
export function silenceCovers(
  silence: { readonly hazard: string | null; readonly geometry: AreaGeometry },
  thread: { readonly hazard: string; readonly geometry: AreaGeometry },
): boolean {
  return (
    (silence.hazard === null || silence.hazard === thread.hazard) &&
    coveredShare(silence.geometry, thread.geometry) >= SILENCE_COVER
  );
}
/** How far back a restart looks for signals no thread has taken in. */
const CATCH_UP_MS = 3 * 86_400_000;

export interface WarningServiceOptions {
  /** Base of the public links in CAP `web` and feeds, e.g. https://ew4e.example.org */
  readonly publicUrl: string;
  readonly population: () => PopulationIndex;
  /** Told after commit which versions went out (dissemination, live streams). */
  readonly onPublished?: (warningIds: number[]) => void;
  readonly onError?: (error: unknown) => void;
  readonly clock?: () => number;
  /**
   * Called in the transaction that publishes a version: dissemination writes its deliveries there (an
   * outbox), so that a published warning and its deliveries commit together or not at all.
   */
  readonly outbox?: (tx: Transaction<Schema>, warningId: number, nowMs: number) => Promise<number>;
}

/** A signal resolved into evidence for one hazard over one area. */
interface Resolved {
  readonly signal: SignalWithContext;
  readonly hazard: Hazard;
  readonly policy: ResolvedPolicy;
  readonly evidence: Evidence;
  readonly area: WarningArea;
}

interface WarningArea {
  readonly ids: readonly number[];
  readonly desc: string;
  readonly geometry: AreaGeometry;
  readonly circle: { readonly lon: number; readonly lat: number; readonly radiusKm: number } | null;
  readonly timeZone: string | null;
  readonly geocodes: readonly { valueName: string; value: string }[];
}

export interface WarningEdits {
  readonly texts?: readonly WarningText[];
  readonly areaDesc?: string;
  readonly levels?: Partial<WarningLevels>;
  readonly expiresMs?: number;
}

type Tx = Transaction<Schema>;

const SYMBOLS: Readonly<Record<string, string>> = {
  pm25: 'PM2.5',
  pm10: 'PM10',
  no2: 'NO₂',
  o3: 'O₃',
  so2: 'SO₂',
  co: 'CO',
  dissolved_oxygen: 'O₂',
  chlorophyll_a: 'Chl-a',
  water_ph: 'pH',
  soil_ph: 'pH',
  nitrate: 'NO₃⁻',
};

export class WarningService {
  readonly #db: Kysely<Schema>;
  readonly #options: WarningServiceOptions;
  #chain: Promise<void> = Promise.resolve();

  constructor(db: Kysely<Schema>, options: WarningServiceOptions) {
    this.#db = db;
    this.#options = options;
  }

  #now(): number {
    return (this.#options.clock ?? Date.now)();
  }

  /** Queues new signals (the bus' `signals.raised`); processed one batch at a time, in order. */
  notify(signalIds: readonly number[]): void {
    this.process(signalIds).catch((error: unknown) => this.#options.onError?.(error));
  }

  /** Waits for queued work (tests, shutdown). */
  idle(): Promise<void> {
    return this.#chain;
  }

  /**
   * This process' warning work runs one piece at a time (threading, ticks, catch-up), so that two pieces
   * never judge the same signal or thread at once; other processes are kept apart by the per-organisation lock.
   */
  #enqueue(work: () => Promise<void>): Promise<void> {
    const run = this.#chain.then(work);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /** Threads the signals and reconsiders every thread they touched. Idempotent: a signal joins once. */
  process(signalIds: readonly number[], nowMs = this.#now()): Promise<void> {
    return this.#enqueue(async () => {
      const signals = await signalsWithContext(this.#db, signalIds);
      const byOrganisation = new Map<number, Resolved[]>();
      const places = new PlaceCache();
      for (const signal of signals) {
        if (signal.thread_id !== null) continue;
        const resolved = await this.#resolve(signal, places);
        if (resolved === null) continue;
        const list = byOrganisation.get(signal.organisation_id) ?? [];
        list.push(resolved);
        byOrganisation.set(signal.organisation_id, list);
      }
      const touched = new Set<number>();
      for (const [organisationId, batch] of byOrganisation) {
        for (const id of await this.#thread(organisationId, batch)) touched.add(id);
      }
      for (const id of touched) await this.reconsider(id, nowMs);
    });
  }

  /** Threads the signals of the last days that no thread has taken in (after a restart). */
  async catchUp(nowMs = this.#now()): Promise<void> {
    const ids = await unthreadedSignalIds(this.#db, new Date(nowMs - CATCH_UP_MS));
    for (let i = 0; i < ids.length; i += 1000) await this.process(ids.slice(i, i + 1000), nowMs);
    await this.tick(nowMs);
  }

  /** The clock's turn: cancels, expiries, renewals and released holds of every open thread. */
  tick(nowMs = this.#now()): Promise<void> {
    return this.#enqueue(async () => {
      const open = await this.#db
        .selectFrom('warning_thread')
        .select('id')
        .where('status', '=', 'open')
        .execute();
      for (const { id } of open) await this.reconsider(id, nowMs);
    });
  }

  // ---------------------------------------------------------------- from signal to evidence

  async #resolve(signal: SignalWithContext, places: PlaceCache): Promise<Resolved | null> {
    const definition = (signal.rule_definition ?? null) as
      | (RuleDefinition & { warning?: WarningPolicy })
      | null;
    const policyInput = definition?.warning;
    const hazard = hazardOfSignal(signal, definition, policyInput);
    if (hazard === undefined) return null;
    const policy = resolvePolicy(hazard, policyInput, signal.origin === 'detector');
    if (!policy.enabled) return null;
    if (signal.state === 'firing' && signal.score < policy.minScore) return null;
    const area = await this.#areaOf(signal, definition, policy, places);
    if (area === null) return null;
    const sense = signal.sense ?? senseOfEventKind(definition);
    // Remote sensing alone is "likely", not "observed" (a hot roof, a cloud edge): as in Global Forest Watch's
    // integrated alerts, confirmation by a second, independent sense is what makes it high confidence.
    const basis: EvidenceReading['basis'] =
      signal.kind === 'forecast_exceedance'
        ? 'forecast'
        : signal.origin === 'detector' || sense === 'satellite'
          ? 'statistical'
          : 'observed';
    const details = signal.details as Record<string, unknown>;
    const level = typeof details.threshold === 'number' ? details.threshold : null;
    const eventCount = typeof details.count === 'number' ? details.count : null;
    const evidence: Evidence = {
      signalId: signal.id,
      key: `${signal.origin}:${signal.rule_id ?? signal.detector}:${signal.series_id ?? signal.area_id ?? '*'}`,
      state: signal.state,
      timeMs: (signal.state === 'cleared'
        ? (signal.end_time ?? signal.start_time)
        : signal.start_time
      ).getTime(),
      reading: {
        basis,
        score: signal.score,
        leadTimeS: signal.lead_time_s,
        severity: definition?.severity ?? 'Minor',
      },
      sense,
      clearsItself: signal.origin === 'rule',
      ruleId: signal.rule_id,
      measurement:
        signal.observed === null || signal.variable_code === null
          ? null
          : {
              label: SYMBOLS[signal.variable_code] ?? signal.variable_name ?? signal.variable_code,
              value: signal.observed,
              unit: signal.unit ?? '',
              level,
            },
      eventCount,
    };
    return { signal, hazard, policy, evidence, area };
  }

  async #areaOf(
    signal: SignalWithContext,
    definition: RuleDefinition | null,
    policy: ResolvedPolicy,
    places: PlaceCache,
  ): Promise<WarningArea | null> {
    const ruleArea =
      definition !== null && 'area' in definition && typeof definition.area === 'number'
        ? definition.area
        : definition !== null && 'select' in definition && 'area' in definition.select
          ? definition.select.area
          : undefined;
    const areaId = signal.area_id ?? ruleArea;
    if (areaId !== undefined && areaId !== null) {
      const area = await places.area(this.#db, areaId);
      if (area !== undefined && isAreaGeometry(area.geometry)) {
        return {
          ids: [area.id],
          desc: area.name,
          geometry: area.geometry,
          circle: null,
          // An area's signal has no station of its own: the local time is that of the stations in the area.
          timeZone: signal.time_zone ?? (await places.timeZone(this.#db, area.id)),
          geocodes: geocodesOf([area]),
        };
      }
    }
    if (definition?.kind === 'event_density' && definition.bbox !== undefined) {
      const [w, s, e, n] = definition.bbox;
      return {
        ids: [],
        desc: `${s}°, ${w}° to ${n}°, ${e}°`,
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [w, s],
              [e, s],
              [e, n],
              [w, n],
              [w, s],
            ],
          ],
        },
        circle: null,
        timeZone: null,
        geocodes: [],
      };
    }
    if (signal.station_id === null || signal.lon === null || signal.lat === null) return null;
    const areas = await places.stationAreas(this.#db, signal.station_id);
    const local = areas.find((a) => a.kind !== 'country' && isAreaGeometry(a.geometry));
    const countries = areas.filter((a) => a.kind === 'country');
    if (local !== undefined && isAreaGeometry(local.geometry)) {
      return {
        ids: [local.id],
        desc: local.name,
        geometry: local.geometry,
        circle: null,
        timeZone: signal.time_zone,
        geocodes: geocodesOf([...countries, local]),
      };
    }
    return {
      ids: [],
      desc: `${signal.station_name ?? 'station'} (${policy.radiusKm} km)`,
      geometry: circleToPolygon(signal.lon, signal.lat, policy.radiusKm),
      circle: { lon: signal.lon, lat: signal.lat, radiusKm: policy.radiusKm },
      timeZone: signal.time_zone,
      geocodes: geocodesOf(countries),
    };
  }

  // ---------------------------------------------------------------- threading

  /**
   * Adds each piece of evidence (in time order) to the thread of its episode, opening one if none matches:
   * one transaction per organisation, threads changed in memory and written once. Returns the threads touched.
   */
  async #thread(organisationId: number, batch: readonly Resolved[]): Promise<number[]> {
    return this.#db.transaction().execute(async (tx) => {
      await lockOrganisationWarnings(tx, organisationId);
      // Under the lock, what another process has threaded meanwhile is left alone.
      const taken = await threadedAmong(
        tx,
        batch.map((r) => r.signal.id),
      );
      const open = new Map<string, ThreadRow[]>();
      const dirty = new Map<number, ThreadRow>();
      const members: { signal_id: number; thread_id: number }[] = [];
      for (const r of batch) {
        if (taken.has(r.signal.id)) continue;
        let candidates = open.get(r.hazard.code);
        if (candidates === undefined) {
          candidates = await openThreads(tx, organisationId, r.hazard.code);
          open.set(r.hazard.code, candidates);
        }
        let best: { thread: ThreadRow; share: number } | undefined;
        const box = bboxOf(r.area.geometry);
        for (const thread of candidates) {
          if (!sameArea(thread, r.area) && !boxesMeet(thread, box)) continue;
          const share = sameArea(thread, r.area) ? 1 : overlapShare(thread.geometry, r.area.geometry);
          if (share >= JOIN_OVERLAP && (best === undefined || share > best.share)) best = { thread, share };
        }
        const holdS = r.policy.clearAfterS;
        if (best === undefined) {
          if (r.evidence.state === 'cleared') continue; // the end of an episode we never took up
          const thread = await this.#openThread(
            tx,
            r,
            applyEvidence(emptyThreadState(r.evidence.timeMs), r.evidence, holdS),
          );
          candidates.push(thread);
          members.push({ signal_id: r.signal.id, thread_id: thread.id });
          continue;
        }
        let thread = best.thread;
        if (!sameArea(thread, r.area) && coveredShare(thread.geometry, r.area.geometry) < 0.99) {
          thread = await this.#growThread(tx, thread, r.area);
        }
        thread = {
          ...thread,
          state: applyEvidence(thread.state, r.evidence, holdS),
          last_signal_at: new Date(Math.max(thread.last_signal_at.getTime(), r.evidence.timeMs)),
        };
        candidates[candidates.indexOf(best.thread)] = thread;
        dirty.set(thread.id, thread);
        members.push({ signal_id: r.signal.id, thread_id: thread.id });
      }
      for (const thread of dirty.values()) {
        await tx
          .updateTable('warning_thread')
          .set({
            geometry: JSON.stringify(thread.geometry),
            area_ids: thread.area_ids,
            area_desc: thread.area_desc,
            exposure: JSON.stringify(thread.exposure),
            min_lon: thread.min_lon,
            min_lat: thread.min_lat,
            max_lon: thread.max_lon,
            max_lat: thread.max_lat,
            state: JSON.stringify(thread.state),
            last_signal_at: thread.last_signal_at,
          })
          .where('id', '=', thread.id)
          .execute();
      }
      if (members.length > 0) await tx.insertInto('warning_thread_signal').values(members).execute();
      return [...new Set(members.map((m) => m.thread_id))];
    });
  }

  async #openThread(tx: Tx, r: Resolved, state: ThreadState): Promise<ThreadRow> {
    const exposure = await this.#exposure(tx, r.signal.organisation_id, r.area.geometry);
    const box = bboxOf(r.area.geometry);
    const row = await tx
      .insertInto('warning_thread')
      .values({
        organisation_id: r.signal.organisation_id,
        hazard: r.hazard.code,
        status: 'open',
        closed_reason: null,
        rule_id: r.signal.rule_id,
        rule_version: r.signal.rule_version,
        detector: r.signal.detector,
        area_desc: r.area.desc,
        area_ids: [...r.area.ids],
        geometry: JSON.stringify(r.area.geometry),
        min_lon: box[0],
        min_lat: box[1],
        max_lon: box[2],
        max_lat: box[3],
        exposure: JSON.stringify({ ...exposure, circle: r.area.circle, geocodes: r.area.geocodes }),
        state: JSON.stringify(state),
        time_zone: r.area.timeZone,
        first_signal_at: new Date(r.evidence.timeMs),
        last_signal_at: new Date(r.evidence.timeMs),
        closed_at: null,
        verification: null,
        verified_by: null,
        verified_at: null,
        lead_time_s: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(tx, {
      organisationId: r.signal.organisation_id,
      threadId: row.id,
      actor: 'system',
      action: 'thread_opened',
      changes: { hazard: r.hazard.code, area: r.area.desc, signal: r.signal.id },
    });
    return row;
  }

  /** The episode spread: the thread's area becomes the union, and its exposure is counted again. */
  async #growThread(tx: Tx, thread: ThreadRow, area: WarningArea): Promise<ThreadRow> {
    const geometry = unionOf(thread.geometry, area.geometry);
    const exposure = await this.#exposure(tx, thread.organisation_id, geometry);
    const [minLon, minLat, maxLon, maxLat] = bboxOf(geometry);
    const geocodes = uniqueGeocodes([...(thread.exposure as ExposureRecord).geocodes, ...area.geocodes]);
    const areaDesc = joinDesc(thread.area_desc, area.desc);
    await appendAudit(tx, {
      organisationId: thread.organisation_id,
      threadId: thread.id,
      actor: 'system',
      action: 'area_grew',
      changes: { from: thread.area_desc, to: areaDesc },
    });
    return {
      ...thread,
      geometry,
      area_ids: [...new Set([...thread.area_ids, ...area.ids])],
      area_desc: areaDesc,
      exposure: { ...exposure, circle: null, geocodes } as ExposureRecord,
      min_lon: minLon,
      min_lat: minLat,
      max_lon: maxLon,
      max_lat: maxLat,
    };
  }

  async #exposure(tx: Tx, organisationId: number, geometry: AreaGeometry): Promise<Exposure> {
    const box = bboxOf(geometry);
    const sites = await areasInBox(tx, organisationId, ['protected_area', 'vulnerable_site'], box);
    const asSite = (a: (typeof sites)[number]) => ({
      id: a.id,
      name: a.name,
      kind: a.kind,
      geometry: a.geometry,
    });
    return assessExposure(geometry, this.#options.population(), {
      protectedAreas: sites.filter((a) => a.kind === 'protected_area').map(asSite),
      vulnerableSites: sites.filter((a) => a.kind === 'vulnerable_site').map(asSite),
    });
  }

  // ---------------------------------------------------------------- deciding

  /** Decides what the thread should say now, and says it (draft, hold, publish, cancel, close). */
  async reconsider(threadId: number, nowMs = this.#now()): Promise<void> {
    const published: number[] = [];
    await this.#db.transaction().execute(async (tx) => {
      const thread = await threadById(tx, threadId);
      if (thread === undefined) return;
      await lockOrganisationWarnings(tx, thread.organisation_id);
      const locked = await threadById(tx, threadId);
      if (locked === undefined || locked.status !== 'open') return;
      const policy = await this.#policyOf(tx, locked);
      const versions = await versionsOf(tx, threadId);
      const out = lastPublished(versions);
      const pending = versions.find((v) => PENDING_STATUSES.includes(v.status));
      // A rejected draft stands as the reference: only a change of levels drafts again, not the next signal.
      const rejected = versions
        .filter((v) => v.status === 'rejected' && v.version > (out?.version ?? 0))
        .at(-1);
      const reference = pending ?? rejected;
      const threadVersions: ThreadVersions = {
        published:
          out === undefined
            ? null
            : {
                levels: levelsOf(out),
                sinceMs: (out.sent_at ?? out.created_at).getTime(),
                expiresMs: out.expires_at.getTime(),
              },
        draft:
          reference === undefined
            ? null
            : { levels: levelsOf(reference), sinceMs: reference.created_at.getTime() },
      };
      const exposure = locked.exposure as ExposureRecord;
      const impact = impactLevel(exposure, { natureHazard: !policy.hazard.category.includes('Health') });
      const corroborating = await this.#corroboratingSenses(tx, locked, policy, nowMs);
      const decision = decide(locked.state, threadVersions, policy, impact, nowMs, corroborating);
      switch (decision.kind) {
        case 'none':
          if (pending !== undefined) await this.#gate(tx, locked, pending, policy, nowMs, published);
          return;
        case 'issue': {
          const content = await this.#render(
            tx,
            locked,
            policy,
            decision.levels,
            decision.msgType,
            decision.change,
            nowMs,
            corroborating,
          );
          const version = await this.#saveVersion(
            tx,
            locked,
            pending,
            versions,
            decision.msgType,
            decision.change,
            content,
          );
          await this.#gate(tx, locked, version, policy, nowMs, published);
          return;
        }
        case 'cancel': {
          if (pending !== undefined)
            await this.#setStatus(tx, locked, pending, 'withdrawn', 'system', 'superseded by the cancel');
          const last = out as VersionRow;
          const content = await this.#render(
            tx,
            locked,
            policy,
            levelsOf(last),
            'Cancel',
            null,
            nowMs,
            corroborating,
          );
          const version = await this.#saveVersion(tx, locked, undefined, versions, 'Cancel', null, content);
          await this.#publish(tx, locked, version, 'system', nowMs);
          published.push(version.id);
          await this.#close(tx, locked, 'cancelled', nowMs);
          return;
        }
        case 'close':
          if (pending !== undefined)
            await this.#setStatus(
              tx,
              locked,
              pending,
              'withdrawn',
              'system',
              'conditions cleared before publication',
            );
          await this.#close(tx, locked, decision.reason, nowMs);
          return;
      }
    });
    if (published.length > 0) this.#options.onPublished?.(published);
  }

  async #policyOf(tx: Tx, thread: ThreadRow): Promise<ResolvedPolicy> {
    const hazard = findHazard(thread.hazard);
    if (hazard === undefined) throw new Error(`thread ${thread.id}: unknown hazard ${thread.hazard}`);
    if (thread.rule_id === null || thread.rule_version === null)
      return resolvePolicy(hazard, undefined, true);
    const rule = await tx
      .selectFrom('rule')
      .select('definition')
      .where('id', '=', thread.rule_id)
      .where('version', '=', thread.rule_version)
      .executeTakeFirst();
    return resolvePolicy(hazard, (rule?.definition as { warning?: WarningPolicy } | undefined)?.warning);
  }

  /** Senses of recent events of the hazard's kinds inside the thread's area (a smoke report near a fire cluster). */
  async #corroboratingSenses(
    tx: Tx,
    thread: ThreadRow,
    policy: ResolvedPolicy,
    nowMs: number,
  ): Promise<string[]> {
    const since = new Date(nowMs - policy.clearAfterS * 1000 - 86_400_000);
    const events = await recentEventsInBox(
      tx,
      thread.organisation_id,
      policy.hazard.eventKinds,
      [thread.min_lon, thread.min_lat, thread.max_lon, thread.max_lat],
      since,
    );
    const senses = new Set<string>();
    for (const e of events) {
      const sense = e.sense ?? senseOfKind(e.kind);
      if (
        sense !== null &&
        e.geometry.type === 'Point' &&
        coveredShareOfPoint(thread.geometry, e.geometry.coordinates)
      )
        senses.add(sense);
    }
    return [...senses];
  }

  async #render(
    tx: Tx,
    thread: ThreadRow,
    policy: ResolvedPolicy,
    levels: WarningLevels,
    msgType: 'Alert' | 'Update' | 'Cancel',
    change: 'escalated' | 'deescalated' | 'extended' | null,
    nowMs: number,
    corroborating: readonly string[],
  ): Promise<WarningContent> {
    const org = await organisationOf(tx, thread.organisation_id);
    const state = thread.state;
    const lead = leadingStrand(state, nowMs);
    const exposure = thread.exposure as ExposureRecord;
    const leadTimeS = lead?.reading.basis === 'forecast' ? lead.reading.leadTimeS : null;
    const onsetMs = leadTimeS === null ? state.firstMs : nowMs + leadTimeS * 1000;
    const expiresMs = msgType === 'Cancel' ? nowMs + 3_600_000 : nowMs + policy.expiresAfterS * 1000;
    const senses = new Set([...liveSenses(state, nowMs), ...corroborating]);
    const languages = org.languages.filter(isWarningLanguage);
    const texts = (languages.length > 0 ? languages : (['en'] as const)).map(
      (language): WarningText => ({
        language,
        ...warningWords(
          {
            hazard: policy.hazard.code,
            msgType,
            severity: levels.severity,
            urgency: levels.urgency,
            certainty: levels.certainty,
            areaName: thread.area_desc,
            measurement: lead?.measurement ?? null,
            eventCount: lead?.eventCount ?? null,
            onsetMs,
            expiresMs,
            timeZone: thread.time_zone,
            leadTimeS,
            population: exposure.population > 0 ? exposure.population : null,
            corroborated: senses.size >= 2,
            change,
          },
          language,
        ),
      }),
    );
    return {
      hazard: policy.hazard.code,
      levels,
      responseType: policy.hazard.responseType,
      onsetMs,
      expiresMs,
      areaDesc: thread.area_desc,
      geometry: thread.geometry,
      circle: exposure.circle,
      geocodes: exposure.geocodes,
      texts,
      parameters: [
        { valueName: 'EW4E:thread', value: String(thread.id) },
        { valueName: 'EW4E:signals', value: String(state.signalCount) },
        { valueName: 'EW4E:population', value: String(exposure.population) },
        { valueName: 'EW4E:senses', value: [...senses].sort().join(' ') || 'none' },
      ],
    };
  }

  async #saveVersion(
    tx: Tx,
    thread: ThreadRow,
    pending: VersionRow | undefined,
    versions: readonly VersionRow[],
    msgType: 'Alert' | 'Update' | 'Cancel',
    change: string | null,
    content: WarningContent,
  ): Promise<VersionRow> {
    const fields = {
      msg_type: msgType,
      change,
      severity: content.levels.severity,
      urgency: content.levels.urgency,
      certainty: content.levels.certainty,
      content: JSON.stringify(content),
      expires_at: new Date(content.expiresMs),
    };
    if (pending !== undefined) {
      // Still unpublished: revise the draft in place rather than stack versions nobody has seen.
      const row = await tx
        .updateTable('warning')
        .set(fields)
        .where('id', '=', pending.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendAudit(tx, {
        organisationId: thread.organisation_id,
        threadId: thread.id,
        warningId: pending.id,
        actor: 'system',
        action: 'draft_revised',
        changes: diff(levelsOf(pending), content.levels, { change }),
      });
      return row;
    }
    const org = await organisationOf(tx, thread.organisation_id);
    const version = (versions.at(-1)?.version ?? 0) + 1;
    const row = await tx
      .insertInto('warning')
      .values({
        ...fields,
        thread_id: thread.id,
        organisation_id: thread.organisation_id,
        version,
        status: 'draft',
        identifier: `ew4e-${org.code}-${thread.id}-${version}`,
        hazard: thread.hazard,
        sent_at: null,
        cap_xml: null,
        etag: null,
        review_reason: null,
        reviewed_by: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(tx, {
      organisationId: thread.organisation_id,
      threadId: thread.id,
      warningId: row.id,
      actor: 'system',
      action: 'drafted',
      changes: { version, msgType, change, ...content.levels },
    });
    return row;
  }

  /** A pending version: held while a silence or a higher warning applies, else published if policy says so, else left for review. */
  async #gate(
    tx: Tx,
    thread: ThreadRow,
    version: VersionRow,
    policy: ResolvedPolicy,
    nowMs: number,
    published: number[],
  ): Promise<void> {
    const silence = await this.#silenceOver(tx, thread, nowMs);
    const inhibitor = silence === undefined ? await this.#inhibitorOf(tx, thread, version) : undefined;
    const held = silence !== undefined ? 'silenced' : inhibitor !== undefined ? 'inhibited' : 'draft';
    if (held !== version.status) {
      const why =
        silence !== undefined
          ? `silence ${silence.id} by ${silence.author}: ${silence.reason}`
          : inhibitor !== undefined
            ? `inhibited by warning thread ${inhibitor.thread_id} (${inhibitor.severity})`
            : 'hold lifted';
      await this.#setStatus(tx, thread, version, held, 'system', why);
    }
    if (held === 'draft' && policy.autoPublish.includes(version.severity as never)) {
      await this.#publish(tx, thread, { ...version, status: 'draft' }, 'policy', nowMs);
      published.push(version.id);
    }
  }

  async #silenceOver(tx: Tx, thread: ThreadRow, nowMs: number) {
    const silences = await silencesOverOrganisation(tx, thread.organisation_id, new Date(nowMs));
    return silences.find((s) => silenceCovers(s, thread));
  }

  /** The published, still standing version of another thread of the same hazard that outranks this one over its area. */
  async #inhibitorOf(tx: Tx, thread: ThreadRow, version: VersionRow) {
    // Only threads whose published warning outranks this version and whose box meets its box can inhibit it.
    const candidates = await standingWarnings(tx, thread.organisation_id, thread.hazard, thread.id, [
      thread.min_lon,
      thread.min_lat,
      thread.max_lon,
      thread.max_lat,
    ]);
    for (const standing of candidates) {
      if (severityRank(standing.severity as never) <= severityRank(version.severity as never)) continue;
      if (coveredShare(standing.geometry, thread.geometry) >= INHIBIT_COVER) return standing;
    }
    return undefined;
  }

  async #setStatus(
    tx: Tx,
    thread: ThreadRow,
    version: VersionRow,
    status: VersionRow['status'],
    actor: string,
    reason: string,
  ): Promise<void> {
    await tx
      .updateTable('warning')
      .set({ status, review_reason: reason })
      .where('id', '=', version.id)
      .execute();
    await appendAudit(tx, {
      organisationId: thread.organisation_id,
      threadId: thread.id,
      warningId: version.id,
      actor,
      action: status,
      changes: { status: { from: version.status, to: status }, reason },
    });
  }

  /** Writes the CAP message (signed when the organisation has a key) and makes the version public. */
  async #publish(
    tx: Tx,
    thread: ThreadRow,
    version: VersionRow,
    actor: string,
    nowMs: number,
  ): Promise<void> {
    const org = await organisationOf(tx, thread.organisation_id);
    const earlier = (await versionsOf(tx, thread.id)).filter(
      (v) => v.status === 'published' && v.id !== version.id,
    );
    const host = new URL(this.#options.publicUrl).host.replace(/:\d+$/, '');
    const sender = `ew4e-${org.code}@${host}`;
    const references: CapReference[] = earlier.map((v) => ({
      sender,
      identifier: v.identifier,
      sent: capTime(v.sent_at as Date),
    }));
    const msgType =
      earlier.length === 0 ? 'Alert' : version.msg_type === 'Alert' ? 'Update' : version.msg_type;
    const alert = capAlertOf(version.content, {
      identifier: version.identifier,
      sender,
      senderName: org.name,
      sentMs: nowMs,
      status: 'Actual',
      msgType,
      references,
      incident: `ew4e-${org.code}-${thread.id}`,
      web: `${this.#options.publicUrl}/warnings/${thread.id}`,
    });
    let xml = toCapXml(alert);
    const key = await signingKeyOf(tx, thread.organisation_id);
    if (key !== undefined) {
      xml = signCapXml(xml, {
        privateKeyPem: key.private_key_pem,
        ...(key.certificate_pem === null ? {} : { certificatePem: key.certificate_pem }),
        ...(key.public_key_pem === null ? {} : { publicKeyPem: key.public_key_pem }),
      });
    }
    await tx
      .updateTable('warning')
      .set({
        status: 'published',
        msg_type: msgType,
        sent_at: new Date(Math.floor(nowMs / 1000) * 1000),
        cap_xml: xml,
        etag: etagOf(xml),
        signed: key !== undefined,
        reviewed_by: actor,
      })
      .where('id', '=', version.id)
      .execute();
    await appendAudit(tx, {
      organisationId: thread.organisation_id,
      threadId: thread.id,
      warningId: version.id,
      actor,
      action: 'published',
      changes: {
        identifier: version.identifier,
        msgType,
        references: references.map((r) => r.identifier),
        signed: key !== undefined,
      },
    });
    const deliveries = (await this.#options.outbox?.(tx, version.id, nowMs)) ?? 0;
    if (deliveries > 0) {
      await appendAudit(tx, {
        organisationId: thread.organisation_id,
        threadId: thread.id,
        warningId: version.id,
        actor: 'system',
        action: 'deliveries_queued',
        changes: { deliveries },
      });
    }
  }

  async #close(tx: Tx, thread: ThreadRow, reason: string, nowMs: number): Promise<void> {
    const versions = await versionsOf(tx, thread.id);
    const firstOut = versions.find((v) => v.status === 'published' && v.msg_type !== 'Cancel');
    const verdict =
      thread.verification !== null
        ? null
        : verifyEpisode({
            firstObservedMs: thread.state.firstObservedMs,
            firstPublishedMs: firstOut?.sent_at?.getTime() ?? null,
          });
    await tx
      .updateTable('warning_thread')
      .set({
        status: 'closed',
        closed_reason: reason,
        closed_at: new Date(nowMs),
        ...(verdict === null
          ? {}
          : {
              verification: verdict.outcome,
              lead_time_s: verdict.leadTimeS,
              verified_by: 'observations',
              verified_at: new Date(nowMs),
            }),
      })
      .where('id', '=', thread.id)
      .execute();
    await appendAudit(tx, {
      organisationId: thread.organisation_id,
      threadId: thread.id,
      actor: 'system',
      action: 'thread_closed',
      changes: {
        reason,
        ...(verdict === null ? {} : { verification: verdict.outcome, leadTimeS: verdict.leadTimeS }),
      },
    });
  }

  // ---------------------------------------------------------------- review

  /** The approver publishes a pending version, with edits to its words, area name, levels or expiry. */
  async approve(
    threadId: number,
    version: number,
    actor: string,
    readable: readonly number[],
    edits: WarningEdits = {},
    nowMs = this.#now(),
  ): Promise<void> {
    let publishedId: number | undefined;
    await this.#db.transaction().execute(async (tx) => {
      const { thread, row } = await this.#pending(tx, threadId, version, readable);
      const content = row.content;
      const edited = withEdits(content, edits);
      const levels = edited.levels;
      const changes = editDiff(content, edited);
      if (Object.keys(changes).length > 0) {
        await tx
          .updateTable('warning')
          .set({
            content: JSON.stringify(edited),
            severity: levels.severity,
            urgency: levels.urgency,
            certainty: levels.certainty,
            expires_at: new Date(edited.expiresMs),
          })
          .where('id', '=', row.id)
          .execute();
        await appendAudit(tx, {
          organisationId: thread.organisation_id,
          threadId,
          warningId: row.id,
          actor,
          action: 'edited',
          changes,
        });
      }
      const fresh = await tx
        .selectFrom('warning')
        .selectAll()
        .where('id', '=', row.id)
        .executeTakeFirstOrThrow();
      await this.#publish(tx, thread, fresh, actor, nowMs);
      publishedId = row.id;
    });
    if (publishedId !== undefined) this.#options.onPublished?.([publishedId]);
  }

  async reject(
    threadId: number,
    version: number,
    actor: string,
    readable: readonly number[],
    reason: string,
  ): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      const { thread, row } = await this.#pending(tx, threadId, version, readable);
      await this.#setStatus(tx, thread, row, 'rejected', actor, reason);
    });
  }

  /**
   * The approver publishes a CAP Update of the standing warning now, with edits to its words, area name, levels
   * or expiry: a correction, an added instruction, an extension, an escalation the evidence has not shown yet.
   * New levels re-write the words the way the thread would (unless texts are given too). Levels below what the
   * live evidence says are refused: the thread would raise them again at its next turn of the clock; silence or
   * cancel instead. The thread goes on from the Update: a raised level stands `clearAfterS` before the evidence
   * may lower it.
   */
  async amend(
    threadId: number,
    actor: string,
    readable: readonly number[],
    edits: WarningEdits,
    reason: string,
    nowMs = this.#now(),
  ): Promise<number> {
    const published = await this.#db.transaction().execute(async (tx) => {
      const thread = await threadById(tx, threadId);
      if (thread === undefined || !readable.includes(thread.organisation_id)) throw notFound('warning');
      await lockOrganisationWarnings(tx, thread.organisation_id);
      const locked = (await threadById(tx, threadId)) ?? thread;
      if (locked.status !== 'open') throw new Ew4eError('EW4E_CONFLICT', 'the warning thread is closed');
      const versions = await versionsOf(tx, threadId);
      const pending = versions.find((v) => PENDING_STATUSES.includes(v.status));
      if (pending !== undefined)
        throw new Ew4eError(
          'EW4E_CONFLICT',
          `version ${pending.version} awaits review: approve it (with edits) or reject it first`,
        );
      const out = lastPublished(versions);
      if (out === undefined || out.expires_at.getTime() <= nowMs)
        throw new Ew4eError('EW4E_CONFLICT', 'no published warning stands to update');
      const levels = { ...levelsOf(out), ...edits.levels };
      const policy = await this.#policyOf(tx, locked);
      const corroborating = await this.#corroboratingSenses(tx, locked, policy, nowMs);
      const impact = impactLevel(locked.exposure as ExposureRecord, {
        natureHazard: !policy.hazard.category.includes('Health'),
      });
      const evidence = threadLevels(locked.state, nowMs, impact, policy.hazard.onset, corroborating);
      if (quietSince(locked.state, nowMs) === null && levelScore(levels) < levelScore(evidence))
        throw new Ew4eError(
          'EW4E_CONFLICT',
          `the live evidence stands at ${evidence.severity}, ${evidence.certainty}, ${evidence.urgency}: ` +
            'a lower level would be raised again at once; silence the hazard here or cancel the warning instead',
        );
      const before = out.content;
      const relevelled = sameLevels(levels, levelsOf(out))
        ? before
        : await this.#render(
            tx,
            locked,
            policy,
            levels,
            'Update',
            levelScore(levels) > levelScore(levelsOf(out)) ? 'escalated' : 'deescalated',
            nowMs,
            corroborating,
          );
      // Re-written words keep the standing area name and expiry unless the approver changes them.
      const edited = withEdits(
        { ...relevelled, areaDesc: before.areaDesc, expiresMs: before.expiresMs },
        edits,
      );
      const changes = editDiff(before, edited);
      if (Object.keys(changes).length === 0)
        throw new Ew4eError('EW4E_BAD_REQUEST', 'the edits change nothing in the standing warning');
      const version = await this.#saveVersion(tx, locked, undefined, versions, 'Update', 'amended', edited);
      await appendAudit(tx, {
        organisationId: locked.organisation_id,
        threadId,
        warningId: version.id,
        actor,
        action: 'amended',
        changes: { ...changes, reason },
      });
      await this.#publish(tx, locked, version, actor, nowMs);
      return version;
    });
    this.#options.onPublished?.([published.id]);
    return published.version;
  }

  /** An operator ends a thread: its published warning is cancelled at once. */
  async cancel(
    threadId: number,
    actor: string,
    readable: readonly number[],
    reason: string,
    nowMs = this.#now(),
  ): Promise<void> {
    let publishedId: number | undefined;
    await this.#db.transaction().execute(async (tx) => {
      const thread = await threadById(tx, threadId);
      if (thread === undefined || !readable.includes(thread.organisation_id)) throw notFound('warning');
      if (thread.status !== 'open')
        throw new Ew4eError('EW4E_CONFLICT', 'the warning thread is already closed');
      await lockOrganisationWarnings(tx, thread.organisation_id);
      const versions = await versionsOf(tx, threadId);
      for (const v of versions.filter((x) => PENDING_STATUSES.includes(x.status))) {
        await this.#setStatus(tx, thread, v, 'withdrawn', actor, reason);
      }
      const out = lastPublished(versions);
      if (out !== undefined) {
        const policy = await this.#policyOf(tx, thread);
        const content = await this.#render(tx, thread, policy, levelsOf(out), 'Cancel', null, nowMs, []);
        const version = await this.#saveVersion(tx, thread, undefined, versions, 'Cancel', null, content);
        await this.#publish(tx, thread, version, actor, nowMs);
        publishedId = version.id;
      }
      await appendAudit(tx, {
        organisationId: thread.organisation_id,
        threadId,
        actor,
        action: 'cancel_requested',
        changes: { reason },
      });
      await this.#close(tx, thread, 'cancelled', nowMs);
    });
    if (publishedId !== undefined) this.#options.onPublished?.([publishedId]);
  }

  /** An operator's verdict on an episode: confirmed (a hit) or a false alarm. */
  async verify(
    threadId: number,
    actor: string,
    readable: readonly number[],
    outcome: 'confirmed' | 'false_alarm',
    note: string,
    nowMs = this.#now(),
  ): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      const thread = await threadById(tx, threadId);
      if (thread === undefined || !readable.includes(thread.organisation_id)) throw notFound('warning');
      const versions = await versionsOf(tx, threadId);
      const firstOut = versions.find((v) => v.status === 'published' && v.msg_type !== 'Cancel');
      const verification =
        outcome === 'confirmed' ? (firstOut === undefined ? 'miss' : 'hit') : 'false_alarm';
      const firstObserved = thread.state.firstObservedMs;
      const leadTimeS =
        verification === 'hit' && firstObserved !== null && firstOut?.sent_at
          ? Math.max(0, Math.round((firstObserved - firstOut.sent_at.getTime()) / 1000))
          : null;
      await tx
        .updateTable('warning_thread')
        .set({ verification, verified_by: actor, verified_at: new Date(nowMs), lead_time_s: leadTimeS })
        .where('id', '=', threadId)
        .execute();
      await appendAudit(tx, {
        organisationId: thread.organisation_id,
        threadId,
        actor,
        action: 'verified',
        changes: { verification: { from: thread.verification, to: verification }, note },
      });
    });
  }

  // ---------------------------------------------------------------- silences

  /** Records a silence (audited) and re-gates every open thread: drafts under it are held at once. */
  async silence(s: {
    organisationId: number;
    hazard: string | null;
    areaId: number | null;
    geometry: AreaGeometry;
    startsAt: Date;
    endsAt: Date;
    author: string;
    reason: string;
  }): Promise<number> {
    const id = await this.#db.transaction().execute(async (tx) => {
      const row = await tx
        .insertInto('silence')
        .values({
          organisation_id: s.organisationId,
          hazard: s.hazard,
          area_id: s.areaId,
          geometry: JSON.stringify(s.geometry),
          starts_at: s.startsAt,
          ends_at: s.endsAt,
          author: s.author,
          reason: s.reason,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await appendAudit(tx, {
        organisationId: s.organisationId,
        silenceId: row.id,
        actor: s.author,
        action: 'silence_created',
        changes: {
          hazard: s.hazard,
          areaId: s.areaId,
          startsAt: s.startsAt.toISOString(),
          endsAt: s.endsAt.toISOString(),
          reason: s.reason,
        },
      });
      return row.id;
    });
    await this.tick();
    return id;
  }

  /** Ends a silence now; the held drafts it covered are released (and published if policy says so). */
  async liftSilence(
    id: number,
    actor: string,
    readable: readonly number[],
    nowMs = this.#now(),
  ): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      const silence = await tx.selectFrom('silence').selectAll().where('id', '=', id).executeTakeFirst();
      if (silence === undefined || !readable.includes(silence.organisation_id)) throw notFound('silence');
      if (silence.ends_at.getTime() <= nowMs)
        throw new Ew4eError('EW4E_CONFLICT', 'the silence has already ended');
      const endsAt = new Date(Math.max(nowMs, silence.starts_at.getTime() + 1));
      await tx.updateTable('silence').set({ ends_at: endsAt }).where('id', '=', id).execute();
      await appendAudit(tx, {
        organisationId: silence.organisation_id,
        silenceId: id,
        actor,
        action: 'silence_lifted',
        changes: { endsAt: { from: silence.ends_at.toISOString(), to: endsAt.toISOString() } },
      });
    });
    await this.tick(nowMs);
  }

  async #pending(tx: Tx, threadId: number, version: number, readable: readonly number[]) {
    const thread = await threadById(tx, threadId);
    if (thread === undefined || !readable.includes(thread.organisation_id)) throw notFound('warning');
    await lockOrganisationWarnings(tx, thread.organisation_id);
    const row = (await versionsOf(tx, threadId)).find((v) => v.version === version);
    if (row === undefined) throw notFound('warning version');
    if (row.status !== 'draft' && row.status !== 'inhibited' && row.status !== 'silenced') {
      throw new Ew4eError('EW4E_CONFLICT', `version ${version} is ${row.status}, not awaiting review`);
    }
    return { thread, row };
  }
}

// ---------------------------------------------------------------- helpers

/** Areas and zones looked up once per batch: a storm of signals from one station asks once. */
class PlaceCache {
  readonly #areas = new Map<number, ReturnType<typeof areaById>>();
  readonly #stationAreas = new Map<number, ReturnType<typeof areasOfStation>>();
  readonly #zones = new Map<number, Promise<string | null>>();

  area(db: Kysely<Schema>, id: number) {
    return memo(this.#areas, id, () => areaById(db, id));
  }

  stationAreas(db: Kysely<Schema>, stationId: number) {
    return memo(this.#stationAreas, stationId, () => areasOfStation(db, stationId));
  }

  timeZone(db: Kysely<Schema>, areaId: number) {
    return memo(this.#zones, areaId, () => timeZoneOfArea(db, areaId));
  }
}

function memo<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

/** Whether the thread's bounding box meets a box: most threads of a busy organisation are far apart. */
function boxesMeet(
  thread: ThreadRow,
  [minLon, minLat, maxLon, maxLat]: readonly [number, number, number, number],
): boolean {
  return (
    thread.min_lon <= maxLon &&
    thread.max_lon >= minLon &&
    thread.min_lat <= maxLat &&
    thread.max_lat >= minLat
  );
}

/** The same registered area, or the same circle around the same station: no geometry needed. */
function sameArea(thread: ThreadRow, area: WarningArea): boolean {
  if (area.ids.some((id) => thread.area_ids.includes(id))) return true;
  const circle = (thread.exposure as ExposureRecord).circle;
  return (
    circle !== null &&
    area.circle !== null &&
    circle.lon === area.circle.lon &&
    circle.lat === area.circle.lat &&
    circle.radiusKm === area.circle.radiusKm
  );
}

type ExposureRecord = Exposure & {
  readonly circle: WarningContent['circle'];
  readonly geocodes: readonly { valueName: string; value: string }[];
};

function hazardOfSignal(
  signal: SignalWithContext,
  definition: RuleDefinition | null,
  policy: WarningPolicy | undefined,
): Hazard | undefined {
  if (policy?.hazard !== undefined) return findHazard(policy.hazard);
  if (signal.kind === 'stale') return undefined; // a silent sensor is an operations matter, not a hazard
  if (definition?.kind === 'event_density') return hazardsOfEventKind(definition.eventKind)[0];
  if (definition?.kind === 'area_quorum') return hazardOfVariable(definition.variable);
  if (definition !== null && 'select' in definition && 'variable' in definition.select) {
    return hazardOfVariable(definition.select.variable);
  }
  // A signal over an area with no series (a species' population trend) names the variable it evidences.
  const variable = signal.variable_code ?? (signal.details as { variable?: unknown }).variable;
  return typeof variable === 'string' ? hazardOfVariable(variable) : undefined;
}

/** Event kinds name their sense by convention: `*_report` from people, `*_detection` / `*_alert` from satellites. */
function senseOfKind(kind: string): string | null {
  if (kind.endsWith('_report') || kind.endsWith('_sighting')) return 'citizen_report';
  if (kind.endsWith('_detection') || kind.endsWith('_alert')) return 'satellite';
  return null;
}

function senseOfEventKind(definition: RuleDefinition | null): string | null {
  return definition?.kind === 'event_density' ? senseOfKind(definition.eventKind) : null;
}

function isAreaGeometry(g: unknown): g is Polygon | MultiPolygon {
  const type = (g as { type?: unknown } | null)?.type;
  return type === 'Polygon' || type === 'MultiPolygon';
}

function geocodesOf(areas: readonly { kind: string; iso_code: string | null }[]) {
  return uniqueGeocodes(
    areas.flatMap((a) =>
      a.iso_code === null
        ? []
        : [{ valueName: a.kind === 'country' ? 'ISO3166-1' : 'ISO3166-2', value: a.iso_code }],
    ),
  );
}

function uniqueGeocodes(codes: readonly { valueName: string; value: string }[]) {
  const seen = new Map(codes.map((c) => [`${c.valueName}=${c.value}`, c]));
  return [...seen.values()];
}

function coveredShareOfPoint(g: AreaGeometry, point: readonly number[]): boolean {
  const [lon = 0, lat = 0] = point;
  const d = 1e-4;
  const tiny: Polygon = {
    type: 'Polygon',
    coordinates: [
      [
        [lon - d, lat - d],
        [lon + d, lat - d],
        [lon + d, lat + d],
        [lon - d, lat + d],
        [lon - d, lat - d],
      ],
    ],
  };
  return coveredShare(g, tiny) > 0.5;
}

function joinDesc(a: string, b: string): string {
  if (a.split(', ').includes(b)) return a;
  const joined = `${a}, ${b}`;
  return joined.length <= 200 ? joined : `${a.slice(0, 190)} and more`;
}

function levelsOf(v: VersionRow): WarningLevels {
  return v.content.levels;
}

function lastPublished(versions: readonly VersionRow[]): VersionRow | undefined {
  return [...versions].reverse().find((v) => v.status === 'published');
}

/** A version's content with an approver's edits: levels and texts merged, area name and expiry replaced. */
function withEdits(content: WarningContent, edits: WarningEdits): WarningContent {
  return {
    ...content,
    levels: { ...content.levels, ...edits.levels },
    texts: mergeTexts(content.texts, edits.texts ?? []),
    areaDesc: edits.areaDesc ?? content.areaDesc,
    expiresMs: edits.expiresMs ?? content.expiresMs,
  };
}

function mergeTexts(texts: readonly WarningText[], edits: readonly WarningText[]): WarningText[] {
  const byLanguage = new Map(texts.map((t) => [t.language, t]));
  for (const e of edits) byLanguage.set(e.language, e);
  return [...byLanguage.values()];
}

function diff(
  before: WarningLevels,
  after: WarningLevels,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const changes: Record<string, unknown> = { ...extra };
  for (const k of ['severity', 'urgency', 'certainty'] as const) {
    if (before[k] !== after[k]) changes[k] = { from: before[k], to: after[k] };
  }
  return changes;
}

function editDiff(before: WarningContent, after: WarningContent): Record<string, unknown> {
  const changes = diff(before.levels, after.levels, {});
  if (before.areaDesc !== after.areaDesc) changes.areaDesc = { from: before.areaDesc, to: after.areaDesc };
  if (before.expiresMs !== after.expiresMs) {
    changes.expires = {
      from: new Date(before.expiresMs).toISOString(),
      to: new Date(after.expiresMs).toISOString(),
    };
  }
  for (const t of after.texts) {
    const old = before.texts.find((x) => x.language === t.language);
    for (const field of ['event', 'headline', 'description', 'instruction'] as const) {
      if (old?.[field] !== t[field])
        changes[`${t.language}.${field}`] = { from: old?.[field] ?? null, to: t[field] };
    }
  }
  return changes;
}

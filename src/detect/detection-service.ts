/** @module Runs the streaming detectors as data arrives: per series, in time order, from its checkpoint; signals and the new checkpoint commit together. */
import type { Kysely } from 'kysely';
import type { CarriedRows } from '../bus/observation-hint.ts';
import {
  type Checkpoint,
  type CheckpointUpdate,
  loadCheckpoints,
  observationsAfter,
  observationsAfterEach,
  organisationsOfSeries,
  organisationsWithRules,
  type SeriesPoints,
  type SeriesSpan,
  saveCheckpoints,
  seriesBehindCheckpoints,
  seriesCodes,
  seriesContexts,
  seriesToRead,
} from '../store/detection.repository.ts';
import { enabledRules } from '../store/rule-run.repository.ts';
import type { Schema } from '../store/schema.ts';
import { insertSignals } from '../store/signal.repository.ts';
import { joinCarried } from './carried-rows.ts';
import { RuleRunner } from './rule-runner.ts';
import type { RuleDefinition } from './rules/rule-definition.ts';
import { createRuleEvaluator, type RuleEvaluator } from './rules/rule-engine.ts';
import type { DetectorKind, DetectorReading, ForecastLevel, SeriesContext } from './series-detector.ts';
import { describeDetection, formatValue, localMoment, type SignalDraft, type SignalKind } from './signal.ts';

/** Observations read per series per round trip while catching up. */
const CHUNK = 10_000;
/**
 * Series caught up together: one read of their observations and one transaction for their checkpoints and
 * signals. A message batch of the observation stream is at most this many hints.
 */
const GROUP = 16;

/** A pass over a group of series, and the one follow-up pass for those asked for while it ran. */
interface GroupRun {
  done: Promise<void>;
  readonly again: Set<number>;
  followUp: Promise<void> | undefined;
}

/** Rows that came with the observation stream's messages, by series (see carried-rows.ts). */
export type CarriedBySeries = ReadonlyMap<number, readonly CarriedRows[]>;
const NOTHING_CARRIED: CarriedBySeries = new Map();

/** Signals per INSERT: well under PostgreSQL's 65 535 parameters per statement. */
const SIGNALS_PER_INSERT = 1_000;

export interface Firing extends DetectorReading {
  readonly seriesId: number;
  readonly detector: string;
  readonly timeMs: number;
  readonly observed: number;
}

export function signalKindOf(reason: string | null): SignalKind {
  if (reason === null) return 'anomaly';
  if (reason.startsWith('level_shift') || reason.startsWith('drift') || reason.startsWith('change'))
    return 'change';
  if (reason.startsWith('forecast')) return 'forecast_exceedance';
  return 'anomaly';
}

/** A firing in words, with the identity that makes storing it twice harmless. */
export function signalOf(context: SeriesContext, firing: Firing): SignalDraft {
  if (firing.level !== undefined && firing.leadTimeS !== undefined)
    return predictiveSignalOf(context, firing, firing.level, firing.leadTimeS);
  const sentence =
    firing.expected !== null && firing.spread !== null
      ? describeDetection({
          reason: firing.reason,
          variable: context.variableName,
          place: context.stationName,
          observed: firing.observed,
          unit: context.unit,
          expected: firing.expected,
          spread: firing.spread,
          timeMs: firing.timeMs,
          timeZone: context.timeZone,
        })
      : `${context.variableName} at ${context.stationName}: ${firing.observed} ${context.unit} is unusual`;
  return {
    organisationId: context.organisationId,
    seriesId: context.seriesId,
    stationId: context.stationId,
    areaId: null,
    raisedBy: { origin: 'detector', detector: firing.detector },
    kind: signalKindOf(firing.reason),
    state: 'firing',
    startMs: firing.timeMs,
    endMs: firing.timeMs,
    score: Math.min(1, Math.max(0, firing.score)),
    observed: firing.observed,
    expected: firing.expected,
    spread: firing.spread,
    unit: context.unit,
    leadTimeS: null,
    sentence,
    details: firing.reason === null ? {} : { reason: firing.reason },
    dedupeKey: `detector:${firing.detector}:${context.seriesId}:${firing.timeMs}`,
  };
}

/** A forecast that will cross a rule's level: the signal carries the lead time and the rule it anticipates. */
function predictiveSignalOf(
  context: SeriesContext,
  firing: Firing,
  level: ForecastLevel,
  leadTimeS: number,
): SignalDraft {
  const at = firing.timeMs + leadTimeS * 1000;
  const band =
    firing.expected !== null && firing.spread !== null
      ? ` (${formatValue(firing.expected)} ± ${formatValue(firing.spread)} expected then)`
      : '';
  return {
    organisationId: context.organisationId,
    seriesId: context.seriesId,
    stationId: context.stationId,
    areaId: null,
    raisedBy: { origin: 'detector', detector: firing.detector },
    kind: 'forecast_exceedance',
    state: 'firing',
    startMs: firing.timeMs,
    endMs: null,
    score: Math.min(1, Math.max(0, firing.score)),
    observed: firing.observed,
    expected: firing.expected,
    spread: firing.spread,
    unit: context.unit,
    leadTimeS,
    sentence:
      `${context.variableName} at ${context.stationName} is forecast to go ${level.when} ${formatValue(level.level)} ${context.unit} ` +
      `(rule "${level.ruleName}") in about ${formatValue(leadTimeS / 3600)} h, at ${localMoment(at, context.timeZone).slice(2)}${band}; ` +
      `now ${formatValue(firing.observed)} ${context.unit}`,
    details: {
      reason: 'forecast_crossing',
      ruleId: level.ruleId,
      ruleVersion: level.ruleVersion,
      level: level.level,
      when: level.when,
    },
    dedupeKey: `detector:${firing.detector}:${context.seriesId}:${firing.timeMs}:rule${level.ruleId}`,
  };
}

export class DetectionService {
  /** One catch-up at a time per series; requests while one runs share one follow-up run after it. */
  readonly #running = new Map<number, GroupRun>();
  /** Series with new data not yet handed to a catch-up, and the timer that will. */
  readonly #pending = new Set<number>();
  readonly #pendingOrganisations = new Set<number>();
  #timer: NodeJS.Timeout | undefined;
  readonly #rules: RuleRunner;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly detectors: readonly DetectorKind[],
    private readonly onSignals: (signalIds: number[]) => void = () => undefined,
    /** New data is gathered this long before detection runs: one catch-up per series for many batches. */
    private readonly gatherMs = 1000,
    private readonly onError: (error: unknown) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.#rules = new RuleRunner(db, onSignals);
  }

  /** Says that these series have new data; detectors and rules run within `gatherMs`, behind the ingest reply. */
  notify(seriesIds: readonly number[]): void {
    for (const id of seriesIds) this.#pending.add(id);
    this.#arm();
  }

  /** Says that an organisation has new events, for its event rules. */
  notifyOrganisation(organisationId: number): void {
    this.#pendingOrganisations.add(organisationId);
    this.#arm();
  }

  #arm(): void {
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.flush().catch(this.onError);
    }, this.gatherMs).unref();
  }

  /** Runs detection now for everything notified so far: the series' detectors, then their organisations' rules. */
  async flush(): Promise<void> {
    const ids = [...this.#pending];
    const organisations = new Set(this.#pendingOrganisations);
    this.#pending.clear();
    this.#pendingOrganisations.clear();
    for (const id of await organisationsOfSeries(this.db, ids)) organisations.add(id);
    await this.detect(ids, [...organisations]);
  }

  /**
   * Brings these series' detectors and these organisations' rules up to date; resolves when all is stored.
   * Rows carried by the observation stream spare the read of their series when they are all it has after its
   * checkpoint.
   */
  async detect(
    seriesIds: readonly number[],
    organisationIds: readonly number[],
    carried: CarriedBySeries = NOTHING_CARRIED,
  ): Promise<void> {
    await this.catchUp(seriesIds, carried);
    await this.#rules.run(organisationIds, this.now());
  }

  /**
   * Catches up every series with stored data its detectors have not seen: at start, and now and then
   * behind a message stream, for work whose hint was lost (a crash between commit and publish).
   */
  async catchUpBehind(): Promise<void> {
    await this.catchUp(
      await seriesBehindCheckpoints(
        this.db,
        this.detectors.map((d) => d.name),
      ),
    );
  }

  /** The clock for rules that fire on silence or age (stale sensors, quorum expiry, event windows). */
  async tick(): Promise<void> {
    await this.#rules.run(await organisationsWithRules(this.db), this.now());
  }

  /** Stops the timer; what is pending is caught up at the next start (detection works from what is stored). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Brings every detector of these series up to date with their stored observations: resolves once a run that
   * started after this call has passed over each of them.
   */
  async catchUp(seriesIds: readonly number[], carried: CarriedBySeries = NOTHING_CARRIED): Promise<void> {
    if (this.detectors.length === 0) return;
    const waits = new Set<Promise<void>>();
    const idle: number[] = [];
    for (const id of new Set(seriesIds)) {
      const running = this.#running.get(id);
      if (running === undefined) idle.push(id);
      else waits.add(this.#followUp(running, id));
    }
    for (let i = 0; i < idle.length; i += GROUP)
      waits.add(this.#start(idle.slice(i, i + GROUP), carried).done);
    await Promise.all(waits);
  }

  /** One pass over a group of series, registered as running for each of them until it settles. */
  #start(seriesIds: readonly number[], carried: CarriedBySeries): GroupRun {
    const run: GroupRun = { done: Promise.resolve(), again: new Set(), followUp: undefined };
    for (const id of seriesIds) this.#running.set(id, run);
    run.done = this.#runGroup(seriesIds, carried).finally(() => {
      for (const id of seriesIds) if (this.#running.get(id) === run) this.#running.delete(id);
    });
    return run;
  }

  /**
   * A series asked for while a run holds it waits for one follow-up run, shared by everything asked for
   * during that run. Waiting on the running pass itself would miss data stored after it read; looping that
   * pass until nobody asks again never ends under steady load, and its waiters (and their closures) pile up.
   */
  #followUp(running: GroupRun, seriesId: number): Promise<void> {
    running.again.add(seriesId);
    running.followUp ??= running.done.then(() => this.catchUp([...running.again]));
    return running.followUp;
  }

  /**
   * One pass over a group of series: chunk after chunk until each is up to date with what was stored. Carried
   * rows serve the first chunk only; what is left after it (a checkpoint another run moved) is read.
   */
  async #runGroup(seriesIds: readonly number[], carried: CarriedBySeries): Promise<void> {
    let contexts = await seriesContexts(this.db, seriesIds);
    let from = carried;
    while (contexts.length > 0) {
      contexts = await this.#detectChunk(contexts, from);
      from = NOTHING_CARRIED;
    }
  }

  /**
   * One step for a group of series: each series' observations after its earliest checkpoint are read once
   * and fed to every detector kind from its own checkpoint; then the checkpoints and the signals commit in one
   * transaction. Returns the series with more to do (a full chunk read, or a checkpoint lost to another run).
   */
  async #detectChunk(contexts: readonly SeriesContext[], carried: CarriedBySeries): Promise<SeriesContext[]> {
    const seriesIds = contexts.map((c) => c.seriesId);
    const checkpoints = await loadCheckpoints(
      this.db,
      seriesIds,
      this.detectors.map((k) => k.name),
    );
    const points = await this.#pointsAfter(
      contexts.map((c) => ({
        seriesId: c.seriesId,
        afterMs: Math.min(
          ...this.detectors.map(
            (k) => checkpoints.get(c.seriesId)?.get(k.name)?.lastTimeMs ?? Number.NEGATIVE_INFINITY,
          ),
        ),
      })),
      carried,
    );
    const more = new Set<number>();
    const updates: CheckpointUpdate[] = [];
    const signalsOf = new Map<CheckpointUpdate, SignalDraft[]>();
    for (const context of contexts) {
      const series = points.get(context.seriesId);
      if (series === undefined) continue;
      if (series.timeMs.length === CHUNK) more.add(context.seriesId);
      for (const kind of this.detectors) {
        const checkpoint = checkpoints.get(context.seriesId)?.get(kind.name);
        const ran = this.#run(kind, context, checkpoint, series.timeMs, series.value);
        if (ran === undefined) continue;
        updates.push(ran.update);
        signalsOf.set(ran.update, ran.signals);
      }
    }
    if (updates.length === 0) return [];
    // Signals and the checkpoints that produced them commit together: after a crash, a detector resumes from
    // a state that matches the signals stored, and a replay stores nothing twice. Each checkpoint is
    // compared-and-set: when another worker ran a series meanwhile (competing consumers, a redelivery), this
    // run's work for it is dropped and redone from the newer checkpoint, so two runs never both commit from
    // the same state. Nothing is locked while the detectors compute.
    const { stored, lost } = await this.db.transaction().execute(async (tx) => {
      const saved = await saveCheckpoints(tx, updates);
      const drafts = saved.flatMap((u) => signalsOf.get(u) ?? []);
      const ids: number[] = [];
      for (let i = 0; i < drafts.length; i += SIGNALS_PER_INSERT)
        ids.push(...(await insertSignals(tx, drafts.slice(i, i + SIGNALS_PER_INSERT))));
      const kept = new Set(saved);
      return { stored: ids, lost: updates.filter((u) => !kept.has(u)) };
    });
    if (stored.length > 0) this.onSignals(stored);
    for (const u of lost) more.add(u.seriesId);
    return contexts.filter((c) => more.has(c.seriesId));
  }

  /**
   * Each series' usable observations after its earliest checkpoint: the carried rows where nothing else is
   * stored before, between or after them (one index probe per gap), else read from the database.
   */
  async #pointsAfter(
    from: readonly { readonly seriesId: number; readonly afterMs: number }[],
    carried: CarriedBySeries,
  ): Promise<Map<number, SeriesPoints>> {
    const joined = new Map<number, SeriesPoints>();
    const gaps: SeriesSpan[] = [];
    const revisions: { seriesId: number; revision: number }[] = [];
    for (const { seriesId, afterMs } of from) {
      const messages = carried.get(seriesId);
      const join = messages === undefined ? undefined : joinCarried(seriesId, afterMs, messages);
      if (join === undefined) continue;
      joined.set(seriesId, join.points);
      gaps.push(...join.gaps);
      revisions.push({ seriesId, revision: join.revision });
    }
    for (const id of await seriesToRead(this.db, gaps, revisions)) joined.delete(id);
    const points = await observationsAfterEach(
      this.db,
      from.filter((f) => !joined.has(f.seriesId)),
      CHUNK,
    );
    for (const [id, series] of joined) points.set(id, series);
    return points;
  }

  /** One detector kind over the points after its checkpoint; undefined when it has seen them all. */
  #run(
    kind: DetectorKind,
    context: SeriesContext,
    checkpoint: Checkpoint | undefined,
    timeMs: readonly number[],
    value: readonly number[],
  ): { update: CheckpointUpdate; signals: SignalDraft[] } | undefined {
    const afterMs = checkpoint?.lastTimeMs ?? Number.NEGATIVE_INFINITY;
    let i = 0;
    while (i < timeMs.length && timeMs[i]! <= afterMs) i++;
    if (i === timeMs.length) return undefined;
    const detector = kind.create(context, checkpoint?.state);
    const signals: SignalDraft[] = [];
    for (; i < timeMs.length; i++) {
      const reading = detector.update(timeMs[i]!, value[i]!);
      if (reading.score >= kind.threshold) {
        signals.push(
          signalOf(context, {
            seriesId: context.seriesId,
            detector: kind.name,
            timeMs: timeMs[i]!,
            observed: value[i]!,
            ...reading,
          }),
        );
      }
    }
    return {
      update: {
        seriesId: context.seriesId,
        detector: kind.name,
        checkpoint: { lastTimeMs: timeMs[timeMs.length - 1]!, state: detector.snapshot() },
        expectedLastTimeMs: checkpoint?.lastTimeMs,
      },
      signals,
    };
  }

  /** What would have fired over history, from a fresh detector, without storing anything (back-testing). */
  async backtest(seriesId: number, fromMs: number, toMs: number): Promise<Firing[]> {
    const [context] = await seriesContexts(this.db, [seriesId]);
    if (!context) return [];
    const firings: Firing[] = [];
    for (const kind of this.detectors) {
      const detector = kind.create(context, undefined);
      let after = fromMs - 1;
      for (;;) {
        const points = await observationsAfter(this.db, seriesId, after, CHUNK, toMs);
        for (const p of points) {
          const reading = detector.update(p.timeMs, p.value);
          if (reading.score >= kind.threshold) {
            firings.push({ seriesId, detector: kind.name, timeMs: p.timeMs, observed: p.value, ...reading });
          }
        }
        if (points.length < CHUNK) break;
        after = points[points.length - 1]!.timeMs;
      }
    }
    firings.push(...(await this.#backtestRules(context, fromMs, toMs)));
    return firings.sort((a, b) => a.timeMs - b.timeMs);
  }

  /**
   * The organisation's enabled single-series rules (threshold, rate of change, trend) replayed over this series
   * alone from a fresh state; rules over several series or events need the others' history and are left out.
   */
  async #backtestRules(context: SeriesContext, fromMs: number, toMs: number): Promise<Firing[]> {
    const [series] = await seriesCodes(this.db, [context.seriesId]);
    if (!series) return [];
    const firings: Firing[] = [];
    for (const rule of await enabledRules(this.db, [context.organisationId])) {
      if (!['threshold', 'rate_of_change', 'trend'].includes(String(rule.definition.kind))) continue;
      let evaluator: RuleEvaluator;
      try {
        evaluator = createRuleEvaluator(rule.definition as unknown as RuleDefinition);
      } catch {
        continue;
      }
      let after = fromMs - 1;
      for (;;) {
        const points = await observationsAfter(this.db, context.seriesId, after, CHUNK, toMs);
        for (const p of points) {
          const input = {
            series: series.code,
            variable: context.variable,
            areas: series.areas,
            timeMs: p.timeMs,
            value: p.value,
          };
          for (const t of evaluator.observe(input)) {
            firings.push({
              seriesId: context.seriesId,
              detector: `rule ${rule.id} v${rule.version} "${rule.name}"`,
              timeMs: t.atMs,
              observed: t.observed,
              score: t.state === 'firing' ? 1 : 0,
              expected: null,
              spread: null,
              reason: t.state,
            });
          }
        }
        if (points.length < CHUNK) break;
        after = points[points.length - 1]!.timeMs;
      }
    }
    return firings;
  }
}

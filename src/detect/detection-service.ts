/** @module Runs the streaming detectors as data arrives: per series, in time order, from its checkpoint; signals and the new checkpoint commit together. */
import type { Kysely } from 'kysely';
import {
  loadCheckpoint,
  observationsAfter,
  organisationsOfSeries,
  organisationsWithRules,
  saveCheckpoint,
  seriesBehindCheckpoints,
  seriesCodes,
  seriesContexts,
} from '../store/detection.repository.ts';
import { enabledRules } from '../store/rule-run.repository.ts';
import type { Schema } from '../store/schema.ts';
import { insertSignals } from '../store/signal.repository.ts';
import { RuleRunner } from './rule-runner.ts';
import type { RuleDefinition } from './rules/rule-definition.ts';
import { createRuleEvaluator, type RuleEvaluator } from './rules/rule-engine.ts';
import type { DetectorKind, DetectorReading, ForecastLevel, SeriesContext } from './series-detector.ts';
import { describeDetection, formatValue, localMoment, type SignalDraft, type SignalKind } from './signal.ts';

/** Observations read per round trip while catching up. */
const CHUNK = 10_000;

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
  /** One catch-up at a time per series; a request while one runs is folded into one more run after it. */
  readonly #running = new Map<number, Promise<void>>();
  readonly #again = new Set<number>();
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

  /** Brings these series' detectors and these organisations' rules up to date; resolves when all is stored. */
  async detect(seriesIds: readonly number[], organisationIds: readonly number[]): Promise<void> {
    await this.catchUp(seriesIds);
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

  /** Brings every detector of these series up to date with their stored observations. */
  async catchUp(seriesIds: readonly number[]): Promise<void> {
    if (this.detectors.length === 0) return;
    await Promise.all(seriesIds.map((id) => this.#schedule(id)));
  }

  #schedule(seriesId: number): Promise<void> {
    const running = this.#running.get(seriesId);
    if (running) {
      this.#again.add(seriesId);
      return running;
    }
    const run = (async () => {
      try {
        do {
          this.#again.delete(seriesId);
          await this.#catchUpSeries(seriesId);
        } while (this.#again.has(seriesId));
      } finally {
        this.#running.delete(seriesId);
      }
    })();
    this.#running.set(seriesId, run);
    return run;
  }

  async #catchUpSeries(seriesId: number): Promise<void> {
    const [context] = await seriesContexts(this.db, [seriesId]);
    if (!context) return;
    for (const kind of this.detectors) {
      for (;;) {
        const checkpoint = await loadCheckpoint(this.db, seriesId, kind.name);
        const points = await observationsAfter(
          this.db,
          seriesId,
          checkpoint?.lastTimeMs ?? Number.NEGATIVE_INFINITY,
          CHUNK,
        );
        if (points.length === 0) break;
        const detector = kind.create(context, checkpoint?.state);
        const signals: SignalDraft[] = [];
        for (const p of points) {
          const reading = detector.update(p.timeMs, p.value);
          if (reading.score >= kind.threshold) {
            signals.push(
              signalOf(context, {
                seriesId,
                detector: kind.name,
                timeMs: p.timeMs,
                observed: p.value,
                ...reading,
              }),
            );
          }
        }
        const lastTimeMs = points[points.length - 1]!.timeMs;
        // Signals and the checkpoint that produced them commit together: after a crash, the detector
        // resumes from a state that matches the signals stored, and a replay stores nothing twice.
        // The checkpoint is compared-and-set: when another worker ran this series meanwhile (competing
        // consumers, a redelivery), this run's work is dropped and redone from the newer checkpoint, so
        // two runs never both commit from the same state. Nothing is locked while the detectors compute.
        const stored = await this.db.transaction().execute(async (tx) => {
          const moved = await saveCheckpoint(
            tx,
            seriesId,
            kind.name,
            { lastTimeMs, state: detector.snapshot() },
            checkpoint?.lastTimeMs,
          );
          if (!moved) return undefined;
          return insertSignals(tx, signals);
        });
        if (stored === undefined) continue;
        if (stored.length > 0) this.onSignals(stored);
        if (points.length < CHUNK) break;
      }
    }
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

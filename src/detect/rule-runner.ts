/** @module Runs each organisation's enabled rules over what they have not yet seen, from their checkpoints; signals and checkpoints commit together. */
import type { Geometry } from 'geojson';
import type { Kysely } from 'kysely';
import { containsPoint } from '../geo/area-membership.ts';
import {
  enabledRules,
  eventInputsAfter,
  loadRuleCheckpoint,
  lockRuleRun,
  ruleInputsAfter,
  saveRuleCheckpoint,
} from '../store/rule-run.repository.ts';
import type { Schema } from '../store/schema.ts';
import { insertSignals } from '../store/signal.repository.ts';
import type { RuleDefinition } from './rules/rule-definition.ts';
import { createRuleEvaluator, type RuleEvaluator } from './rules/rule-engine.ts';
import type { RuleSnapshot } from './rules/rule-state.ts';
import type { RuleTransition } from './rules/rule-transition.ts';
import { formatValue, type SignalDraft, type SignalKind } from './signal.ts';

const CHUNK = 10_000;
/** A new rule looks this far back, so that it starts with its windows filled rather than empty. */
const NEW_RULE_LOOKBACK_MS = 7 * 86_400_000;

interface RuleRow {
  readonly id: number;
  readonly version: number;
  readonly organisation_id: number;
  readonly name: string;
  readonly definition: Record<string, unknown>;
}

export function ruleSignalOf(
  rule: RuleRow,
  transition: RuleTransition,
  series: { readonly id: number; readonly unit: string } | undefined,
): SignalDraft {
  const kind = String(rule.definition.kind) as SignalKind;
  const unit = series?.unit ?? '';
  const what = transition.series ?? 'the area';
  const over = transition.windowS ? ` over ${formatValue(transition.windowS / 3600)} h` : '';
  const level =
    transition.threshold === null
      ? ''
      : ` (level ${formatValue(transition.threshold)}${unit ? ` ${unit}` : ''})`;
  const sentence =
    transition.state === 'firing'
      ? `${rule.name}: ${what} at ${formatValue(transition.observed)}${unit ? ` ${unit}` : ''}${over}${level}`
      : `${rule.name}: ${what} back to ${formatValue(transition.observed)}${unit ? ` ${unit}` : ''}${over}${level}; cleared`;
  return {
    organisationId: rule.organisation_id,
    seriesId: series?.id ?? null,
    stationId: null,
    areaId: null,
    raisedBy: { origin: 'rule', ruleId: rule.id, ruleVersion: rule.version },
    kind,
    state: transition.state,
    startMs: transition.atMs,
    endMs: transition.state === 'cleared' ? transition.atMs : null,
    score: transition.state === 'firing' ? 1 : 0,
    observed: transition.observed,
    expected: null,
    spread: null,
    unit: unit || null,
    leadTimeS: null,
    sentence,
    details: { ...transition.detail, windowS: transition.windowS, threshold: transition.threshold },
    dedupeKey: `rule:${rule.id}:${rule.version}:${transition.series ?? '*'}:${transition.state}:${transition.atMs}`,
  };
}

export class RuleRunner {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly onSignals: (signalIds: number[]) => void = () => undefined,
  ) {}

  /** Feeds every enabled rule of these organisations what it has not seen, then the clock. */
  async run(organisationIds: readonly number[], nowMs: number): Promise<void> {
    for (const rule of await enabledRules(this.db, organisationIds)) await this.#runRule(rule, nowMs);
  }

  /**
   * One rule in one transaction under a lock of its own: its state changes with the clock as well as with
   * data (a stale sensor fires on a tick), so two processes running it at once could each add a transition.
   * Under the lock the second reads the first one's checkpoint and goes on from there.
   */
  async #runRule(rule: RuleRow, nowMs: number): Promise<void> {
    const stored = await this.db.transaction().execute(async (tx) => {
      await lockRuleRun(tx, rule.id);
      return this.#evaluate(tx, rule, nowMs);
    });
    if (stored.length > 0) this.onSignals(stored);
  }

  async #evaluate(tx: Kysely<Schema>, rule: RuleRow, nowMs: number): Promise<number[]> {
    const checkpoint = await loadRuleCheckpoint(tx, rule.id, rule.version);
    let evaluator: RuleEvaluator;
    try {
      evaluator = createRuleEvaluator(
        rule.definition as unknown as RuleDefinition,
        checkpoint?.state as RuleSnapshot | undefined,
      );
    } catch {
      return []; // a definition the engine refuses was never accepted by the API; nothing to run
    }
    let lastTimeMs = checkpoint?.lastTimeMs ?? nowMs - NEW_RULE_LOOKBACK_MS;
    let lastEventId = checkpoint?.lastEventId ?? 0;
    const transitions: RuleTransition[] = [];
    const seriesByCode = new Map<string, { id: number; unit: string }>();
    for (;;) {
      const inputs = await ruleInputsAfter(tx, rule.organisation_id, lastTimeMs, CHUNK);
      for (const input of inputs) {
        seriesByCode.set(input.series, { id: input.seriesId, unit: input.unit });
        transitions.push(...evaluator.observe(input));
      }
      if (inputs.length > 0) lastTimeMs = inputs[inputs.length - 1]!.timeMs;
      if (inputs.length < CHUNK) break;
    }
    const areaShapes = new Map<number, Geometry | null>();
    for (;;) {
      const events = await eventInputsAfter(tx, rule.organisation_id, lastEventId, CHUNK);
      for (const event of events) {
        const areas: number[] = [];
        for (const id of event.areas) {
          if (!areaShapes.has(id)) {
            const row = await tx
              .selectFrom('area')
              .select('geometry')
              .where('id', '=', id)
              .executeTakeFirst();
            areaShapes.set(id, row?.geometry ?? null);
          }
          const shape = areaShapes.get(id);
          if (shape && containsPoint(shape, event.lon, event.lat)) areas.push(id);
        }
        transitions.push(
          ...evaluator.observeEvent({
            kind: event.kind,
            timeMs: event.timeMs,
            areas,
            lon: event.lon,
            lat: event.lat,
          }),
        );
        lastEventId = event.id;
      }
      if (events.length < CHUNK) break;
    }
    transitions.push(...evaluator.tick(nowMs));
    const signals = transitions.map((t) =>
      ruleSignalOf(rule, t, t.series === null ? undefined : seriesByCode.get(t.series)),
    );
    const ids = await insertSignals(tx, signals);
    await saveRuleCheckpoint(tx, rule.id, rule.version, {
      lastTimeMs,
      lastEventId,
      state: evaluator.snapshot(),
    });
    return ids;
  }
}

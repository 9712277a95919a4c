/**
 * @module The adapter that runs the pure species and soil trend tests over an organisation's stored data and
 * raises the significant ones as signals — stored, then handed to the warning stage on the bus, as detection
 * does. The API's evaluate routes and the demo both call it.
 */
import type { Kysely } from 'kysely';
import type { EventBus } from '../bus/event-bus.ts';
import type { SignalDraft } from '../detect/signal.ts';
import type { Schema } from '../store/schema.ts';
import { insertSignals } from '../store/signal.repository.ts';
import { soilSeries } from '../store/soil.repository.ts';
import { yearlyCounts } from '../store/species.repository.ts';
import { degradationSignal, SOIL_VARIABLES, soilTrend } from './soil-trend.ts';
import { declineSignal, populationsOf, populationTrend } from './species-trend.ts';

export interface Evaluation {
  readonly evaluated: number;
  /** Ids of the signals newly raised (an unchanged record raises nothing again). */
  readonly signalIds: readonly number[];
}

/** Every species × area population of the organisation with 5 years or more, tested for a significant decline. */
export async function evaluateSpeciesTrends(
  db: Kysely<Schema>,
  bus: EventBus,
  organisationId: number,
  nowMs: number,
): Promise<Evaluation> {
  const populations = populationsOf(
    await yearlyCounts(db, { organisations: [organisationId], perArea: true }),
  );
  const drafts: SignalDraft[] = [];
  let evaluated = 0;
  for (const p of populations) {
    const trend = populationTrend(p.years, p.counts);
    if (trend === null) continue;
    evaluated++;
    if (trend.significantDecline) drafts.push(declineSignal(organisationId, p, trend, nowMs));
  }
  return { evaluated, signalIds: await raise(db, bus, drafts) };
}

/** Every soil series of the organisation, tested for a degrading trend of its yearly means. */
export async function evaluateSoilTrends(
  db: Kysely<Schema>,
  bus: EventBus,
  organisationId: number,
  nowMs: number,
): Promise<Evaluation> {
  const rows = await soilSeries(db, [organisationId], SOIL_VARIABLES);
  const drafts: SignalDraft[] = [];
  let evaluated = 0;
  for (const r of rows) {
    const trend = soilTrend(r.variable, r.years, r.means);
    if (trend === null) continue;
    evaluated++;
    const draft = degradationSignal(
      {
        organisationId: r.organisationId,
        seriesId: r.seriesId,
        stationId: r.stationId,
        stationName: r.stationName,
        variable: r.variable,
        unit: r.unit,
        years: r.years,
        means: r.means,
      },
      trend,
      nowMs,
    );
    if (draft !== null) drafts.push(draft);
  }
  return { evaluated, signalIds: await raise(db, bus, drafts) };
}

async function raise(db: Kysely<Schema>, bus: EventBus, drafts: readonly SignalDraft[]): Promise<number[]> {
  const ids = await insertSignals(db, drafts);
  if (ids.length > 0) bus.publish('signals.raised', { signalIds: ids });
  return ids;
}

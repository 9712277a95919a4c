/** @module Series look-ups for ingestion: a batch names series by id or by code, within the caller's organisation only. */
import type { Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import { mergeLimits, type QcLimits } from '../ingest/quality-control.ts';
import type { Schema } from './schema.ts';

export interface SeriesForIngest {
  readonly id: number;
  readonly organisationId: number;
  readonly unit: string;
  readonly qc: QcLimits;
}

const INTEGER = /^[0-9]{1,9}$/;

/** Maps each key of the batch (an id like "42" or a code like "dhaka-agargaon:pm25") to its series, if the organisation owns it. */
export async function seriesForIngest(
  db: Kysely<Schema>,
  organisationId: number,
  keys: readonly string[],
): Promise<Map<string, SeriesForIngest>> {
  const found = new Map<string, SeriesForIngest>();
  if (keys.length === 0) return found;
  const ids = keys.filter((k) => INTEGER.test(k)).map(Number);
  const codes = keys.filter((k) => !INTEGER.test(k));
  const rows = await db
    .selectFrom('series')
    .innerJoin('variable', 'variable.code', 'series.variable_code')
    .select(['series.id', 'series.code', 'series.unit', 'series.qc_override', 'variable.qc'])
    .where('series.organisation_id', '=', organisationId)
    .where((eb) => {
      const anyOf = [];
      if (ids.length > 0) anyOf.push(eb('series.id', 'in', ids));
      if (codes.length > 0) anyOf.push(eb('series.code', 'in', codes));
      return eb.or(anyOf);
    })
    .execute();
  for (const r of rows) {
    const series = { id: r.id, organisationId, unit: r.unit, qc: mergeLimits(r.qc, r.qc_override) };
    found.set(String(r.id), series);
    found.set(r.code, series);
  }
  return found;
}

/**
 * seriesForIngest with a memory of a few seconds: a gateway sends the same series batch after batch, and the
 * look-up is a round trip each time. Only found series are remembered, so a new series is usable at once.
 */
export class SeriesDirectory {
  readonly #found = new LRUCache<string, SeriesForIngest>({ max: 100_000, ttl: 5_000 });

  constructor(private readonly db: Kysely<Schema>) {}

  async resolve(organisationId: number, keys: readonly string[]): Promise<Map<string, SeriesForIngest>> {
    const result = new Map<string, SeriesForIngest>();
    const missing: string[] = [];
    for (const key of keys) {
      const hit = this.#found.get(`${organisationId}/${key}`);
      if (hit) result.set(key, hit);
      else missing.push(key);
    }
    if (missing.length === 0) return result;
    const looked = await seriesForIngest(this.db, organisationId, missing);
    for (const key of missing) {
      const series = looked.get(key);
      if (series === undefined) continue;
      result.set(key, series);
      this.#found.set(`${organisationId}/${key}`, series);
    }
    return result;
  }
}

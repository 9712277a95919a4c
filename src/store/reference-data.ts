/** @module Reference data every installation starts with: the global organisation, the preset variables and the world's countries. */
import type { Kysely } from 'kysely';
import { bboxOf } from '../geo/geojson-validation.ts';
import { NATURAL_EARTH_SOURCE, naturalEarthCountries } from '../geo/natural-earth-countries.ts';
import { VARIABLES } from '../registry/variables.ts';
import type { Schema } from './schema.ts';

export const GLOBAL_ORGANISATION_CODE = 'global';

/** Idempotent: safe on every start. Returns the global organisation's id. */
export async function installReferenceData(db: Kysely<Schema>): Promise<number> {
  return db.transaction().execute(async (tx) => {
    for (const v of VARIABLES) {
      const row = { code: v.code, name: v.name, unit: v.unit, domain: v.domain, qc: JSON.stringify(v.qc) };
      await tx
        .insertInto('variable')
        .values(row)
        .onConflict((oc) =>
          oc.column('code').doUpdateSet({ name: row.name, unit: row.unit, domain: row.domain, qc: row.qc }),
        )
        .execute();
    }
    const existing = await tx
      .selectFrom('organisation')
      .select('id')
      .where('code', '=', GLOBAL_ORGANISATION_CODE)
      .executeTakeFirst();
    const globalId =
      existing?.id ??
      (
        await tx
          .insertInto('organisation')
          .values({
            kind: 'global',
            code: GLOBAL_ORGANISATION_CODE,
            name: 'Global',
            parent_id: null,
            iso_code: null,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const haveCountries = await tx
      .selectFrom('area')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('kind', '=', 'country')
      .where('organisation_id', 'is', null)
      .executeTakeFirstOrThrow();
    if (haveCountries.n === 0) {
      for (const c of naturalEarthCountries()) {
        const [minLon, minLat, maxLon, maxLat] = bboxOf(c.geometry);
        await tx
          .insertInto('area')
          .values({
            organisation_id: null,
            kind: 'country',
            code: c.code,
            name: c.name,
            iso_code: c.isoAlpha2,
            geometry: JSON.stringify(c.geometry),
            min_lon: minLon,
            min_lat: minLat,
            max_lon: maxLon,
            max_lat: maxLat,
            properties: JSON.stringify({ iso_a3: c.isoAlpha3, iso_numeric: c.isoNumeric }),
            source: NATURAL_EARTH_SOURCE,
          })
          .execute();
      }
    }
    return globalId;
  });
}

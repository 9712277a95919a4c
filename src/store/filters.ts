/** @module SQL conditions the listings share: bounding boxes (across the antimeridian too) and text search. */
import { type RawBuilder, sql } from 'kysely';
import { type BBox, splitAtAntimeridian } from '../registry/area.ts';

/** Rows whose point (`table`.lon, `table`.lat) lies in the box. */
export function pointInBBox(table: string, bbox: BBox): RawBuilder<boolean> {
  const lon = sql.ref(`${table}.lon`);
  const lat = sql.ref(`${table}.lat`);
  const boxes = splitAtAntimeridian(bbox).map(
    ([minLon, minLat, maxLon, maxLat]) =>
      sql`(${lon} between ${minLon} and ${maxLon} and ${lat} between ${minLat} and ${maxLat})`,
  );
  return sql<boolean>`(${sql.join(boxes, sql` or `)})`;
}

/** Rows whose own bounding box (`table`.min_lon … max_lat) overlaps the box. */
export function bboxOverlaps(table: string, bbox: BBox): RawBuilder<boolean> {
  const col = (name: string) => sql.ref(`${table}.${name}`);
  const boxes = splitAtAntimeridian(bbox).map(
    ([minLon, minLat, maxLon, maxLat]) =>
      sql`(${col('min_lon')} <= ${maxLon} and ${col('max_lon')} >= ${minLon} and ${col('min_lat')} <= ${maxLat} and ${col('max_lat')} >= ${minLat})`,
  );
  return sql<boolean>`(${sql.join(boxes, sql` or `)})`;
}

/** Case-insensitive substring match on the name or code of `table`, with LIKE's wildcards escaped. */
export function nameOrCodeContains(table: string, text: string): RawBuilder<boolean> {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<boolean>`(${sql.ref(`${table}.name`)} ilike ${pattern} or ${sql.ref(`${table}.code`)} ilike ${pattern})`;
}

/** @module `ew4e import`: a file through the same parsing, checks and storage as the API, in atomic batches, with a progress bar. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Services } from '../app.ts';
import { Ew4eError } from '../errors.ts';
import { validateGeometry } from '../geo/geojson-validation.ts';
import { parseEvents } from '../ingest/event-parser.ts';
import { parseObservations } from '../ingest/observation-parser.ts';
import { type BodyFormat, isJsonObject, type RowProblem } from '../ingest/row-problem.ts';
import type { Caller } from '../registry/access.ts';
import { AREA_KINDS, type AreaKind } from '../registry/area.ts';
import { createArea } from '../store/area.repository.ts';

export interface ImportOptions {
  readonly as?: 'observations' | 'events' | 'areas' | undefined;
  readonly org: string;
  readonly areaKind: string;
  readonly batch: number;
  readonly strict?: boolean | undefined;
}

export interface ImportSummary {
  readonly accepted: number;
  readonly rejected: number;
}

export function formatOfFile(file: string): BodyFormat | undefined {
  switch (path.extname(file).toLowerCase()) {
    case '.csv':
      return 'csv';
    case '.ndjson':
    case '.jsonl':
      return 'ndjson';
    case '.json':
      return 'json';
    case '.geojson':
      return 'geojson';
    default:
      return undefined;
  }
}

export async function importFile(
  services: Services,
  file: string,
  options: ImportOptions,
): Promise<ImportSummary> {
  const format = formatOfFile(file);
  if (format === undefined)
    throw new Error(`cannot tell the format of ${file}: use .csv, .ndjson, .jsonl, .json or .geojson`);
  const org = await services.database.db
    .selectFrom('organisation')
    .select('id')
    .where('code', '=', options.org)
    .executeTakeFirst();
  if (!org) throw new Error(`no organisation with code "${options.org}"`);
  const caller: Caller = {
    keyId: 0,
    organisationId: org.id,
    role: 'admin',
    readableOrganisationIds: [org.id],
  };
  const text = await readFile(file, 'utf8');
  const what = options.as ?? (format === 'geojson' ? 'areas' : 'observations');
  const summary =
    what === 'observations'
      ? await importObservations(services, caller, text, format, options)
      : what === 'events'
        ? await importEvents(services, caller, text, format, options)
        : await importAreas(services, org.id, text, options);
  console.log(`${file}: ${summary.accepted} accepted, ${summary.rejected} rejected`);
  return summary;
}

function report(problems: readonly RowProblem[]): void {
  const shown = problems.slice(0, 50);
  for (const p of shown) {
    const where =
      p.line !== undefined ? `line ${p.line}` : p.pointer !== undefined ? p.pointer : `row ${p.row}`;
    console.error(`  ${where}${p.field ? ` ${p.field}` : ''}: ${p.reason}`);
  }
  if (problems.length > shown.length) console.error(`  … and ${problems.length - shown.length} more`);
}

function progressBar(total: number, unit: string): SingleBar {
  const bar = new SingleBar({
    format: `{bar} {percentage}% | {value}/{total} ${unit} | {rate} ${unit}/s | eta {eta}s`,
    hideCursor: true,
    noTTYOutput: true,
    notTTYSchedule: 2000,
    stream: process.stderr,
  });
  bar.start(total, 0, { rate: 0 });
  return bar;
}

async function importObservations(
  services: Services,
  caller: Caller,
  text: string,
  format: BodyFormat,
  options: ImportOptions,
): Promise<ImportSummary> {
  if (format === 'geojson') throw new Error('observations come as CSV, NDJSON or JSON, not GeoJSON');
  const parsed = parseObservations(text, format);
  const problems: RowProblem[] = [...parsed.problems];
  const ingest = services.observationIngest;
  const chunks = [];
  for (let i = 0; i < parsed.rows.length; i += options.batch) {
    const checked = await ingest.validate(caller, {
      rows: parsed.rows.slice(i, i + options.batch),
      problems: [],
    });
    problems.push(...checked.problems);
    chunks.push(checked.rows);
  }
  const rejected = new Set(problems.map((p) => p.row)).size;
  if (rejected > 0) {
    console.error(`${rejected} row(s) rejected:`);
    report(problems.sort((a, b) => a.row - b.row));
    if (options.strict) return { accepted: 0, rejected };
  }
  const bar = progressBar(
    chunks.reduce((n, c) => n + c.length, 0),
    'rows',
  );
  const started = performance.now();
  let accepted = 0;
  for (const rows of chunks) {
    if (rows.length === 0) continue;
    const stored = await ingest.store(rows);
    accepted += rows.length;
    bar.update(accepted, { rate: Math.round(accepted / ((performance.now() - started) / 1000)) });
    void stored;
  }
  bar.stop();
  return { accepted, rejected };
}

async function importEvents(
  services: Services,
  caller: Caller,
  text: string,
  format: BodyFormat,
  options: ImportOptions,
): Promise<ImportSummary> {
  const parsed = parseEvents(text, format);
  const problems: RowProblem[] = [...parsed.problems];
  const bar = progressBar(parsed.rows.length, 'events');
  let accepted = 0;
  for (let i = 0; i < parsed.rows.length; i += options.batch) {
    let rows = parsed.rows.slice(i, i + options.batch);
    try {
      accepted += (await services.eventIngest.ingest(caller, { rows, problems: [] })).accepted;
    } catch (error) {
      if (!(error instanceof Ew4eError) || error.code !== 'EW4E_INVALID_ROWS' || options.strict) throw error;
      const bad = new Set(error.details.map((d) => d.row));
      problems.push(...error.details.map((d) => ({ ...d, row: d.row ?? -1 })));
      rows = rows.filter((r) => !bad.has(r.row));
      if (rows.length > 0)
        accepted += (await services.eventIngest.ingest(caller, { rows, problems: [] })).accepted;
    }
    bar.update(Math.min(parsed.rows.length, i + options.batch));
  }
  bar.stop();
  const rejected = new Set(problems.map((p) => p.row)).size;
  if (rejected > 0) {
    console.error(`${rejected} event(s) rejected:`);
    report(problems.sort((a, b) => a.row - b.row));
  }
  return { accepted, rejected };
}

async function importAreas(
  services: Services,
  organisationId: number,
  text: string,
  options: ImportOptions,
): Promise<ImportSummary> {
  if (!(AREA_KINDS as readonly string[]).includes(options.areaKind)) {
    throw new Error(`--area-kind must be one of ${AREA_KINDS.join(', ')}`);
  }
  const kind = options.areaKind as AreaKind;
  let collection: unknown;
  try {
    collection = JSON.parse(text);
  } catch (error) {
    throw new Error(`not JSON: ${(error as Error).message}`);
  }
  if (
    !isJsonObject(collection) ||
    collection.type !== 'FeatureCollection' ||
    !Array.isArray(collection.features)
  ) {
    throw new Error('areas come as a GeoJSON FeatureCollection (RFC 7946 §3.3)');
  }
  const features: unknown[] = collection.features;
  const problems: RowProblem[] = [];
  const bar = progressBar(features.length, 'areas');
  let accepted = 0;
  for (const [i, feature] of features.entries()) {
    const pointer = `/features/${i}`;
    if (!isJsonObject(feature) || feature.type !== 'Feature') {
      problems.push({ row: i, pointer, reason: 'expected a GeoJSON Feature object' });
      bar.update(i + 1);
      continue;
    }
    const checked = validateGeometry(feature.geometry, { row: i, pointer: `${pointer}/geometry` });
    const props = (feature.properties ?? {}) as Record<string, unknown>;
    const name = String(props.name ?? props.NAME ?? '');
    const code = String(props.code ?? props.WDPAID ?? feature.id ?? '');
    if ('problems' in checked) problems.push(...checked.problems);
    else if (checked.geometry.type !== 'Polygon' && checked.geometry.type !== 'MultiPolygon') {
      problems.push({
        row: i,
        pointer: `${pointer}/geometry/type`,
        field: 'type',
        reason: 'an area must be a Polygon or MultiPolygon',
      });
    } else if (!name || !code) {
      problems.push({
        row: i,
        pointer: `${pointer}/properties`,
        field: 'properties',
        reason: 'needs a name (name or NAME) and a code (code, WDPAID or feature id)',
      });
    } else {
      try {
        await createArea(services.database.db, organisationId, {
          kind,
          code,
          name,
          geometry: checked.geometry,
          properties: props,
        });
        accepted++;
      } catch (error) {
        if (!(error instanceof Ew4eError)) throw error;
        problems.push({ row: i, pointer, reason: error.message });
      }
    }
    bar.update(i + 1);
  }
  bar.stop();
  if (problems.length > 0) {
    console.error(`${new Set(problems.map((p) => p.row)).size} area(s) rejected:`);
    report(problems);
  }
  return { accepted, rejected: new Set(problems.map((p) => p.row)).size };
}

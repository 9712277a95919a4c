/** @module `ew4e nature`: import WDPA-shaped protected areas (GeoJSON or shapefile) and print a country's 30x30 coverage. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Services } from '../app.ts';
import { Ew4eError } from '../errors.ts';
import type { CountryCoverage } from '../nature/coverage.ts';
import { coverageOfCountry, readAndClean, storeCleaned } from '../nature/protected-area-service.ts';

export interface NatureImportSummary {
  readonly accepted: number;
  readonly excluded: number;
  readonly rejected: number;
}

/** A GeoJSON FeatureCollection from a .geojson/.json file, or from a shapefile (.shp beside its .dbf and .cpg). */
async function readLayer(file: string): Promise<unknown> {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.geojson' || extension === '.json') {
    try {
      return JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw new Error(`${file} is not JSON: ${(error as Error).message}`);
    }
  }
  if (extension === '.shp') {
    const shapefile = await import('shapefile');
    const cpg = file.replace(/\.shp$/i, '.cpg');
    // The WDPA ships UTF-8 and says so in its .cpg; dBASE's default is Windows-1252.
    const encoding = existsSync(cpg) ? (await readFile(cpg, 'utf8')).trim().toLowerCase() : 'windows-1252';
    return shapefile.read(file, file.replace(/\.shp$/i, '.dbf'), {
      encoding: encoding === 'utf8' ? 'utf-8' : encoding,
    });
  }
  throw new Error(`cannot tell the format of ${file}: use .geojson, .json or .shp`);
}

export async function importProtectedAreaFile(
  services: Services,
  file: string,
  options: { org: string },
): Promise<NatureImportSummary> {
  const org = await services.database.db
    .selectFrom('organisation')
    .select('id')
    .where('code', '=', options.org)
    .executeTakeFirst();
  if (!org) throw new Error(`no organisation with code "${options.org}"`);
  const layer = await readLayer(file);
  const bar = new SingleBar({
    format: '{bar} {percentage}% | {value}/{total} sites cleaned | eta {eta}s',
    hideCursor: true,
    noTTYOutput: true,
    notTTYSchedule: 2000,
    stream: process.stderr,
  });
  let started = false;
  let cleaned: ReturnType<typeof readAndClean>;
  try {
    cleaned = readAndClean(layer, new Date().getUTCFullYear(), (done, total) => {
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    });
  } catch (error) {
    if (!(error instanceof Ew4eError) || error.code !== 'EW4E_INVALID_ROWS') throw error;
    const rejected = new Set(error.details.map((d) => d.row)).size;
    console.error(`${rejected} feature(s) rejected; nothing was stored:`);
    for (const d of error.details.slice(0, 50)) {
      console.error(`  ${d.pointer ?? `feature ${d.row}`}${d.field ? ` ${d.field}` : ''}: ${d.reason}`);
    }
    if (error.details.length > 50) console.error(`  … and ${error.details.length - 50} more`);
    console.log(`${file}: 0 accepted, ${rejected} rejected`);
    return { accepted: 0, excluded: 0, rejected };
  } finally {
    if (started) bar.stop();
  }
  const result = await storeCleaned(services.database.db, org.id, cleaned.cleaned, cleaned.excluded);
  const reasons = new Map<string, number>();
  for (const e of result.excluded) reasons.set(e.reason, (reasons.get(e.reason) ?? 0) + 1);
  for (const [reason, n] of reasons) console.error(`  ${n} left out: ${reason}`);
  console.log(
    `${file}: ${result.accepted} accepted (${result.point_sites_buffered} point sites as circles; ` +
      `${Math.round(result.land_km2)} km² on land, ${Math.round(result.sea_km2)} km² at sea before dissolving), ` +
      `${result.excluded.length} left out, 0 rejected`,
  );
  return { accepted: result.accepted, excluded: result.excluded.length, rejected: 0 };
}

const km2 = (n: number) => Math.round(n).toLocaleString('en-GB');
const pct = (n: number | null) => (n === null ? '—' : `${n.toFixed(1)} %`);

/** A bar of `width` characters for `value` %, on a scale that always shows the 30 % mark. */
function bar(value: number, scale: number, width: number): string {
  const filled = Math.round((Math.min(value, scale) / scale) * width);
  const mark = Math.round((30 / scale) * width);
  let out = '';
  for (let i = 0; i < width; i++) out += i === mark ? '|' : i < filled ? '█' : '·';
  return out;
}

/** The coverage as a table and a small text chart of the STATUS_YR series against the 30 % line. */
export function formatCoverage(c: CountryCoverage): string {
  const lines: string[] = [];
  lines.push(
    `${c.country.name} (${c.country.code}/${c.country.iso3 ?? '—'}): ${c.sites} protected areas, 30x30 coverage`,
  );
  lines.push('');
  lines.push(
    `${''.padEnd(12)}${'area km²'.padStart(14)}${'protected km²'.padStart(16)}${'coverage'.padStart(11)}`,
  );
  lines.push(
    `${'terrestrial'.padEnd(12)}${km2(c.terrestrial.land_km2).padStart(14)}${km2(c.terrestrial.protected_km2).padStart(16)}${pct(c.terrestrial.pct).padStart(11)}`,
  );
  lines.push(
    `${'marine'.padEnd(12)}${(c.marine.denominator_km2 === null ? '—' : km2(c.marine.denominator_km2)).padStart(14)}${km2(c.marine.protected_km2).padStart(16)}${pct(c.marine.pct).padStart(11)}`,
  );
  if (c.marine.pct === null) lines.push(`  (${c.marine.note})`);
  lines.push('');
  const t = c.target;
  lines.push(
    `Target 3 (${t.pct} % by ${t.year}): land ${t.gap_pct === 0 ? 'reached' : `${t.gap_pct.toFixed(1)} pp to go, ${t.needed_pp_per_year.toFixed(2)} pp/year needed over ${t.years_left} year(s)`}` +
      (t.recent_pp_per_year === null ? '' : `; last ten years ${t.recent_pp_per_year.toFixed(2)} pp/year`),
  );
  if (t.marine_gap_pct !== null) {
    lines.push(
      `                     sea ${t.marine_gap_pct === 0 ? 'reached' : `${t.marine_gap_pct.toFixed(1)} pp to go, ${t.marine_needed_pp_per_year!.toFixed(2)} pp/year needed`}`,
    );
  }
  if (c.series.length > 0) {
    lines.push('');
    lines.push(
      `Terrestrial coverage by STATUS_YR (| marks 30 %)${c.sites_without_year > 0 ? `; ${c.sites_without_year} site(s) without a year count only today` : ''}`,
    );
    const scale = Math.max(40, ...c.series.map((p) => p.terrestrial_pct));
    // At most 15 rows: the last year of each stretch of the series.
    const step = Math.ceil(c.series.length / 15);
    const shown = c.series.filter((_, i) => (c.series.length - 1 - i) % step === 0);
    for (const p of shown)
      lines.push(`  ${p.year}  ${bar(p.terrestrial_pct, scale, 40)} ${pct(p.terrestrial_pct)}`);
    lines.push(`  now   ${bar(c.terrestrial.pct, scale, 40)} ${pct(c.terrestrial.pct)}`);
  }
  return lines.join('\n');
}

export async function printCoverage(
  services: Services,
  options: { country: string; marineArea?: number | undefined; json?: boolean | undefined },
): Promise<void> {
  // The command line is the operator's: every organisation's sites count.
  const readable = (await services.database.db.selectFrom('organisation').select('id').execute()).map(
    (o) => o.id,
  );
  const coverage = await coverageOfCountry(services.database.db, readable, options.country, {
    marineAreaId: options.marineArea,
    thisYear: new Date().getUTCFullYear(),
  });
  console.log(options.json ? JSON.stringify(coverage, null, 2) : formatCoverage(coverage));
}

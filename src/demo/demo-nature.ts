/**
 * @module The demo's nature side, clearly synthetic: a decade of game counts in Nairobi National Park in which
 * giraffes decline (impala hold steady; black rhino records are sensitive and shown generalised), and ten years
 * of spring soil samples at the Harbin black-soil plot losing organic carbon. Both are then tested for trends,
 * so that the dashboard shows a species-decline and a soil-carbon-loss warning beside the pollution ones.
 */
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import type { Feature, FeatureCollection, MultiPolygon, Point, Polygon } from 'geojson';
import type { Services } from '../app.ts';
import { countryByCode, coverageOfCountry, importProtectedAreas } from '../nature/protected-area-service.ts';
import { parseOccurrences } from '../nature/species-occurrence.ts';
import { evaluateSoilTrends, evaluateSpeciesTrends } from '../nature/trend-evaluation.ts';
import type { Caller } from '../registry/access.ts';
import { upsertOccurrences } from '../store/species.repository.ts';

const YEARS = Array.from({ length: 10 }, (_, i) => 2016 + i);

/** Aerial-count style records: one per species and year, at spots inside the park. */
function gameCountsCsv(): string {
  const lines = [
    'occurrenceID,scientificName,eventDate,decimalLatitude,decimalLongitude,individualCount,basisOfRecord,countryCode,informationWithheld',
  ];
  YEARS.forEach((year, i) => {
    // Giraffes fall about 8 % a year; impala wobble around 900; black rhino steady (and sensitive: poaching).
    const giraffes = Math.round(142 * 0.92 ** i + (i % 2 === 0 ? 3 : -2));
    const impala = 900 + ((i * 37) % 60) - 30;
    const rhino = 14 + (i % 3) - 1;
    lines.push(
      `demo-nnp-${year}-giraffa,Giraffa camelopardalis,${year}-02-15,-1.372,36.853,${giraffes},HumanObservation,KE,`,
      `demo-nnp-${year}-aepyceros,Aepyceros melampus,${year}-02-15,-1.381,36.872,${impala},HumanObservation,KE,`,
      `demo-nnp-${year}-diceros,Diceros bicornis,${year}-02-16,-1.402,36.901,${rhino},HumanObservation,KE,exact location withheld`,
    );
  });
  return `${lines.join('\n')}\n`;
}

/** Installs (idempotently) and evaluates the demo's species and soil records. */
export async function installNatureDemo(
  services: Services,
  callers: { nairobi: Caller; harbin: Caller },
  nowMs: number,
  log: (line: string) => void,
): Promise<void> {
  const db = services.database.db;
  const parsed = parseOccurrences(gameCountsCsv());
  if (parsed.problems.length > 0) throw new Error(`demo occurrences refused: ${parsed.problems[0]?.reason}`);
  const { nairobi, harbin } = callers;
  const accepted = await upsertOccurrences(
    db,
    nairobi.organisationId,
    nairobi.readableOrganisationIds,
    parsed.rows,
  );

  // Spring topsoil samples (0–20 cm), g/kg: about −0.3 g/kg a year, the loss reported for cultivated Mollisols.
  const samples = YEARS.map((year, i) => ({
    row: i,
    series: 'cn-harbin-blacksoil:soil_organic_carbon',
    timeMs: Date.UTC(year, 4, 15, 2),
    value: Math.round((29.6 - 0.31 * i + (i % 2 === 0 ? 0.12 : -0.1)) * 10) / 10,
    unit: undefined,
  }));
  const ready = await services.observationIngest.validate(harbin, { rows: samples, problems: [] });
  if (ready.problems.length > 0) throw new Error(`demo soil samples refused: ${ready.problems[0]?.reason}`);
  await services.observationIngest.store(ready.rows);

  const species = await evaluateSpeciesTrends(db, services.bus, nairobi.organisationId, nowMs);
  const soil = await evaluateSoilTrends(db, services.bus, harbin.organisationId, nowMs);
  log(
    `demo: ${accepted} game-count records in Nairobi National Park and ${samples.length} years of Harbin soil samples; ` +
      `${species.signalIds.length} species-decline and ${soil.signalIds.length} soil signals raised`,
  );
}

/** The first year of the synthetic layer's second wave: before it Kenya stands at about 17 %. */
const SECOND_WAVE_FROM = 2016;

/**
 * A clearly labelled SYNTHETIC protected-area layer for Kenya, shaped like the WDPA: 0.5° blocks inside the
 * country designated over the decades — about 17 % of the land by 2015, then a second wave towards 30 % —
 * plus an overlapping extension (dissolved, not counted twice), two point-only sites with a reported area,
 * a proposed site and a UNESCO-MAB reserve (both left out, as Protected Planet does).
 */
export function syntheticKenyaLayer(
  kenya: Polygon | MultiPolygon,
): FeatureCollection<Polygon | Point | null> {
  const inside = (lon: number, lat: number) => booleanPointInPolygon([lon, lat], kenya);
  const cells: [number, number][] = [];
  for (let lat = -4.5; lat < 4.5; lat += 0.5) {
    for (let lon = 34; lon < 41.5; lon += 0.5) {
      if ([0, 0.5].every((dx) => [0, 0.5].every((dy) => inside(lon + dx, lat + dy)))) cells.push([lon, lat]);
    }
  }
  // Every third block: a scattered estate rather than one slab.
  const chosen = cells.filter((_, i) => i % 3 === 0);
  const firstWave = Math.round(chosen.length * 0.66);
  const box = (lon: number, lat: number, size = 0.5): Polygon => ({
    type: 'Polygon',
    coordinates: [
      [
        [lon, lat],
        [lon + size, lat],
        [lon + size, lat + size],
        [lon, lat + size],
        [lon, lat],
      ],
    ],
  });
  const site = (
    id: number,
    name: string,
    geometry: Polygon | null,
    props: Record<string, unknown>,
  ): Feature<Polygon | Point | null> => ({
    type: 'Feature',
    geometry,
    properties: {
      WDPAID: 9_900_000 + id,
      NAME: `${name} (synthetic demo)`,
      DESIG: 'National Reserve',
      DESIG_ENG: 'National Reserve',
      IUCN_CAT: 'II',
      STATUS: 'Designated',
      MARINE: '0',
      ISO3: 'KEN',
      REP_AREA: geometry === null ? 0 : 3080,
      ...props,
    },
  });
  const features = chosen.map(([lon, lat], i) =>
    site(i, `Synthetic reserve ${i + 1}`, box(lon, lat), {
      STATUS_YR:
        i < firstWave ? 1946 + Math.round((i / firstWave) * 69) : SECOND_WAVE_FROM + ((i - firstWave) % 10),
    }),
  );
  const [lon0, lat0] = chosen[0] ?? [37, 0];
  features.push(
    site(900, 'Synthetic extension overlapping reserve 1', box(lon0 + 0.25, lat0 + 0.25), {
      STATUS_YR: 2019,
    }),
    site(901, 'Synthetic point-only sanctuary', null, {
      STATUS_YR: 2021,
      REP_AREA: 250,
      point: [lon0 + 2, lat0 + 1],
    }),
    site(902, 'Synthetic proposed conservancy', box(lon0 + 1, lat0 - 1), {
      STATUS: 'Proposed',
      STATUS_YR: 0,
    }),
    site(903, 'Synthetic biosphere reserve', box(lon0 + 1.5, lat0 - 1.5), {
      DESIG: 'UNESCO-MAB Biosphere Reserve',
      DESIG_ENG: 'UNESCO-MAB Biosphere Reserve',
      STATUS_YR: 1978,
    }),
  );
  // A point-only site is a Point geometry with its reported area (WDPA point layer).
  for (const f of features) {
    const point = (f.properties as { point?: [number, number] }).point;
    if (point !== undefined) {
      f.geometry = { type: 'Point', coordinates: point };
      delete (f.properties as { point?: unknown }).point;
    }
  }
  return { type: 'FeatureCollection', features };
}

/** Imports the synthetic layer once, as shared reference data of the global organisation, and logs where Kenya stands. */
export async function installProtectedAreaDemo(
  services: Services,
  ownerOrganisationId: number,
  nowMs: number,
  log: (line: string) => void,
): Promise<void> {
  const db = services.database.db;
  const existing = await db
    .selectFrom('protected_area')
    .select('id')
    .where('organisation_id', '=', ownerOrganisationId)
    .limit(1)
    .executeTakeFirst();
  const thisYear = new Date(nowMs).getUTCFullYear();
  if (existing === undefined) {
    const kenya = countryByCode('KE');
    if (kenya === undefined) throw new Error('Kenya is missing from Natural Earth');
    const result = await importProtectedAreas(
      db,
      ownerOrganisationId,
      syntheticKenyaLayer(kenya.geometry),
      thisYear,
    );
    log(
      `demo: synthetic protected-area layer for Kenya: ${result.accepted} sites, ${result.excluded.length} left out`,
    );
  }
  const coverage = await coverageOfCountry(db, [ownerOrganisationId], 'KE', { thisYear });
  const in2015 = coverage.series.filter((p) => p.year < SECOND_WAVE_FROM).at(-1);
  log(
    `demo: Kenya's land protected ${in2015?.terrestrial_pct.toFixed(1)} % in ${in2015?.year}, ` +
      `${coverage.terrestrial.pct.toFixed(1)} % now; ${coverage.target.needed_pp_per_year.toFixed(2)} pp a year still needed for 30 % by 2030`,
  );
}

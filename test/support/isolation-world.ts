/**
 * @module One organisation's "world" for the organisation-isolation test: one of every resource the API names by
 * id, each name carrying the organisation's name token and each code its code token, so that a reply that shows
 * another organisation's data can be recognised by text alone.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { SignalDraft } from '../../src/detect/signal.ts';
import { insertSignals } from '../../src/store/signal.repository.ts';
import { fixtureSignal, type TestPlatform } from './test-platform.ts';

/** Where both organisations' stations stand: the same place, so that nothing geographic keeps them apart. */
export const PLACE = { lon: 90.3795, lat: 23.7781 } as const;

export interface WorldSpec {
  /** Appears in every name, title, text and e-mail of the organisation's resources, and never in a code. */
  readonly name: string;
  /** Appears in every code the organisation's resources are referred to by. */
  readonly code: string;
  readonly isoCode: string;
  /** Half the side of the organisation's square area around PLACE, in degrees. */
  readonly areaHalfSideDeg: number;
}

/** The ids and codes of one organisation's resources, as the routes take them. */
export interface World {
  readonly name: string;
  readonly code: string;
  readonly orgId: number;
  /** An admin key of the organisation: role never explains a refusal. */
  readonly adminKey: string;
  /** A second key, revoked by the DELETE /v1/keys/:id control. */
  readonly spareKeyId: number;
  readonly userId: number;
  readonly sourceId: number;
  readonly sourceCode: string;
  readonly stationId: number;
  readonly stationCode: string;
  readonly seriesId: number;
  readonly seriesCode: string;
  readonly areaId: number;
  readonly ruleId: number;
  readonly signalId: number;
  /** A thread with a published version (and deliveries, an incident, an audit log). */
  readonly publishedThreadId: number;
  readonly publishedIdentifier: string;
  /** Threads whose version 1 awaits review: one to approve, one to reject, one to cancel. */
  readonly approveThreadId: number;
  readonly rejectThreadId: number;
  readonly cancelThreadId: number;
  readonly silenceId: number;
  readonly subscriptionId: number;
  readonly deliveryId: string;
  readonly incidentId: number;
  readonly taskId: number;
  readonly capSourceId: number;
  readonly importedAlertId: number;
  /** Its own published CAP, as pushed to its CAP source. */
  readonly capXml: string;
}

/** Ids and codes that exist nowhere: the answer for another organisation's must be the answer for these. */
export function missingWorld(): World {
  const id = 2_000_000_000;
  return {
    name: 'Nowherenm',
    code: 'nowherecd',
    orgId: id,
    adminKey: '',
    spareKeyId: id,
    userId: id,
    sourceId: id,
    sourceCode: 'nowherecd-src',
    stationId: id,
    stationCode: 'nowherecd-stn',
    seriesId: id,
    seriesCode: 'nowherecd-stn:pm25',
    areaId: id,
    ruleId: id,
    signalId: id,
    publishedThreadId: id,
    publishedIdentifier: 'nowherecd',
    approveThreadId: id,
    rejectThreadId: id,
    cancelThreadId: id,
    silenceId: id,
    subscriptionId: id,
    deliveryId: `dlv_${id}_${id}`,
    incidentId: id,
    taskId: id,
    capSourceId: id,
    importedAlertId: id,
    capXml: '',
  };
}

type Requester = TestPlatform['request'];

async function created(
  request: Requester,
  method: 'POST' | 'PUT',
  url: string,
  options: { key?: string; body: unknown; contentType?: string },
  // biome-ignore lint/suspicious/noExplicitAny: replies of many shapes.
): Promise<any> {
  const r = await request(method, url, options);
  if (r.statusCode >= 300) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body}`);
  return r.body === '' ? undefined : r.json();
}

function square(halfSideDeg: number) {
  const [w, s, e, n] = [
    PLACE.lon - halfSideDeg,
    PLACE.lat - halfSideDeg,
    PLACE.lon + halfSideDeg,
    PLACE.lat + halfSideDeg,
  ];
  return {
    type: 'Polygon',
    coordinates: [
      [
        [w, s],
        [e, s],
        [e, n],
        [w, n],
        [w, s],
      ],
    ],
  };
}

/** The first phase: the organisation and what observes, registered for both before anything happens. */
export interface Registry {
  readonly spec: WorldSpec;
  readonly orgId: number;
  readonly adminKey: string;
  readonly spareKeyId: number;
  readonly userId: number;
  readonly sourceId: number;
  readonly stationId: number;
  readonly seriesId: number;
  readonly seriesCode: string;
  readonly areaId: number;
}

export async function registerOrganisation(t: TestPlatform, spec: WorldSpec): Promise<Registry> {
  const { name, code } = spec;
  const org = await created(t.request, 'POST', '/v1/organisations', {
    body: { kind: 'country', code: `${code}-org`, name: `Ministry ${name}`, iso_code: spec.isoCode },
  });
  const admin = await created(t.request, 'POST', '/v1/keys', {
    body: { name: `admin ${name}`, role: 'admin', organisation_id: org.id },
  });
  const key = admin.key as string;
  const spare = await created(t.request, 'POST', '/v1/keys', {
    key,
    body: { name: `spare ${name}`, role: 'viewer' },
  });
  const user = await created(t.request, 'POST', '/v1/users', {
    key,
    body: { email: `duty.${name.toLowerCase()}@example.org`, name: `Officer ${name}`, role: 'analyst' },
  });
  const area = await created(t.request, 'POST', '/v1/areas', {
    key,
    body: {
      type: 'Feature',
      geometry: square(spec.areaHalfSideDeg),
      properties: { kind: 'custom', code: `${code}-area`, name: `District ${name}` },
    },
  });
  // A protected area at the place: warnings count the protected areas they reach, by name.
  await created(t.request, 'POST', '/v1/areas', {
    key,
    body: {
      type: 'Feature',
      geometry: square(spec.areaHalfSideDeg / 10),
      properties: { kind: 'protected_area', code: `${code}-sanctuary`, name: `Sanctuary ${name}` },
    },
  });
  const source = await created(t.request, 'POST', '/v1/sources', {
    key,
    body: {
      code: `${code}-src`,
      name: `Network ${name}`,
      provider: `Agency ${name}`,
      licence: 'CC-BY-4.0',
      provenance: `Stations of ${name}`,
    },
  });
  const station = await created(t.request, 'POST', '/v1/stations', {
    key,
    body: {
      source_id: source.id,
      code: `${code}-stn`,
      name: `Station ${name}`,
      sense: 'ground_station',
      ...PLACE,
      expected_cadence_s: 3600,
    },
  });
  const series = await created(t.request, 'POST', '/v1/series', {
    key,
    body: { station_id: station.id, variable: 'pm25' },
  });
  return {
    spec,
    orgId: org.id,
    adminKey: key,
    spareKeyId: spare.id,
    userId: user.id,
    sourceId: source.id,
    stationId: station.id,
    seriesId: series.id,
    seriesCode: series.code,
    areaId: area.id,
  };
}

const DAY_MS = 86_400_000;

/** The second phase: data, rules, signals, warnings and everything hanging off them. */
export async function populateOrganisation(t: TestPlatform, r: Registry): Promise<World> {
  const { name, code } = r.spec;
  const key = r.adminKey;
  const post = (url: string, body: unknown, contentType?: string) =>
    created(t.request, 'POST', url, { key, body, ...(contentType === undefined ? {} : { contentType }) });
  const nowMs = Date.now();
  const hours = [3, 2, 1].map((h) => new Date(nowMs - h * 3_600_000).toISOString());

  await post(
    '/v1/observations',
    `series,time,value\n${hours.map((time, i) => `${r.seriesCode},${time},${40 + i}`).join('\n')}`,
    'text/csv',
  );
  // A soil series on the same station makes it a soil site of the black-soil report.
  const soil = await post('/v1/series', { station_id: r.stationId, variable: 'soil_organic_carbon' });
  await post(
    '/v1/observations',
    `series,time,value\n${[2019, 2020, 2021].map((y, i) => `${soil.code},${y}-06-01T00:00:00Z,${30 - i}`).join('\n')}`,
    'text/csv',
  );
  await post('/v1/events', [
    {
      id: `${code}-evt`,
      kind: 'fire_detection',
      time: hours[0],
      ...PLACE,
      source: `${code}-src`,
      station: `${code}-stn`,
      attributes: { note: `Fire seen by ${name}` },
    },
  ]);
  await post(
    '/v1/biodiversity/occurrences',
    [
      'occurrenceID,scientificName,eventDate,decimalLatitude,decimalLongitude,individualCount,basisOfRecord,locality',
      `${code}-occ-1,Panthera ${name},2020-02-10,${PLACE.lat},${PLACE.lon},3,HumanObservation,Marsh of ${name}`,
    ].join('\n'),
    'text/csv',
  );
  await created(t.request, 'PUT', '/v1/biodiversity/sensitive-species', {
    key,
    body: [{ scientific_name: `Panthera ${name}`, sensitivity: 'sensitive' }],
  });
  await post('/v1/nature/protected-areas', {
    type: 'FeatureCollection',
    features: [
      {
        type: 'Feature',
        properties: {
          WDPAID: r.orgId * 1000 + 1,
          NAME: `Reserve ${name}`,
          DESIG: 'National Park',
          IUCN_CAT: 'II',
          STATUS: 'Designated',
          STATUS_YR: 2001,
          MARINE: '0',
          REP_AREA: null,
          GIS_AREA: null,
          ISO3: 'BGD',
        },
        geometry: square(0.1),
      },
    ],
  });

  const subscription = await post('/v1/subscriptions', {
    channel: 'webhook',
    target: `http://127.0.0.1:9/${code}-hook`,
    recipient_name: `Responders ${name}`,
    area: { kind: 'circle', ...PLACE, radius_km: 20 },
  });

  const rule = async (ruleName: string, definition: Record<string, unknown>) =>
    (await post('/v1/rules', { name: `${ruleName} ${name}`, definition })) as { id: number; version: number };
  const threshold = { kind: 'threshold', when: 'above', level: 75, severity: 'Severe' } as const;
  // Selected by area: the warning is issued for the organisation's own district.
  const published = await rule('PM2.5 in the district', {
    ...threshold,
    select: { variable: 'pm25', area: r.areaId },
    warning: { hazard: 'air_pollution', autoPublish: ['Severe'] },
  });
  // Selected by series: the warning's area is the smallest registered area around the station.
  const drafts = await Promise.all(
    (['water_pollution', 'waste_fire', 'chemical_spill'] as const).map((hazard) =>
      rule(`${hazard} at the station`, {
        ...threshold,
        select: { series: r.seriesCode },
        warning: { hazard },
      }),
    ),
  );
  const signal = (raisedBy: { id: number; version: number }, i: number): SignalDraft =>
    fixtureSignal(r, {
      areaId: i === 0 ? r.areaId : null,
      raisedBy: { origin: 'rule', ruleId: raisedBy.id, ruleVersion: raisedBy.version },
      startMs: nowMs,
      sentence: `PM2.5 rose at Station ${name}`,
      dedupeKey: `isolation:${code}:${i}`,
    });
  const signalIds = await insertSignals(
    t.platform.services.database.db,
    [published, ...drafts].map((raisedBy, i) => signal(raisedBy, i)),
  );
  await t.platform.services.warnings.process(signalIds, nowMs);
  const threads = await t.platform.services.database.db
    .selectFrom('warning_thread')
    .select(['id', 'hazard'])
    .where('organisation_id', '=', r.orgId)
    .execute();
  const threadOf = (hazard: string): number => {
    const found = threads.find((x) => x.hazard === hazard);
    if (found === undefined) throw new Error(`no ${hazard} thread for ${name}`);
    return found.id;
  };
  const publishedThreadId = threadOf('air_pollution');
  const versions = await t.request('GET', `/v1/warnings/${publishedThreadId}`, { key });
  const version = versions.json().versions[0];
  if (version?.status !== 'published') throw new Error(`not published: ${versions.body}`);
  const capXml = (await t.request('GET', `/cap/${version.identifier}.xml`, { key: null })).body;

  const delivery = await t.platform.services.database.db
    .selectFrom('delivery')
    .select('id')
    .where('subscription_id', '=', subscription.id)
    .executeTakeFirst();
  if (delivery === undefined) throw new Error(`no delivery to ${name}'s subscription`);

  const silence = await post('/v1/silences', {
    hazard: 'noise_pollution',
    area_id: r.areaId,
    ends_at: new Date(nowMs + DAY_MS).toISOString(),
    reason: `Festival week in ${name}`,
  });
  const incident = await post('/v1/incidents', { warning_id: publishedThreadId, title: `Smog ${name}` });
  const withTask = await post(`/v1/incidents/${incident.id}/tasks`, {
    title: `Close schools of ${name}`,
    assignee_user_id: r.userId,
  });
  await post(`/v1/incidents/${incident.id}/notes`, { text: `Schools of ${name} informed` });
  const capSource = await post('/v1/federation/sources', { name: `Neighbour feed ${name}` });
  const imported = await post(`/v1/federation/sources/${capSource.id}/alerts`, capXml, 'application/cap+xml');
  const { privateKey } = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  await created(t.request, 'PUT', `/v1/organisations/${r.orgId}/signing-key`, {
    key,
    body: { private_key_pem: privateKey },
  });

  return {
    name,
    code,
    orgId: r.orgId,
    adminKey: key,
    spareKeyId: r.spareKeyId,
    userId: r.userId,
    sourceId: r.sourceId,
    sourceCode: `${code}-src`,
    stationId: r.stationId,
    stationCode: `${code}-stn`,
    seriesId: r.seriesId,
    seriesCode: r.seriesCode,
    areaId: r.areaId,
    ruleId: published.id,
    signalId: signalIds[0]!,
    publishedThreadId,
    publishedIdentifier: version.identifier,
    approveThreadId: threadOf('water_pollution'),
    rejectThreadId: threadOf('waste_fire'),
    cancelThreadId: threadOf('chemical_spill'),
    silenceId: silence.id,
    subscriptionId: subscription.id,
    deliveryId: delivery.id,
    incidentId: incident.id,
    taskId: withTask.tasks[0].id,
    capSourceId: capSource.id,
    importedAlertId: imported.id,
    capXml,
  };
}

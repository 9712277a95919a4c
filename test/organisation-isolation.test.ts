/**
 * Organisation isolation, route by route, from the server's own route table: two sibling organisations whose
 * stations stand in the same place, each with one of every resource; every route that declares a role is called
 * as A (an admin, so the role never explains a refusal) with B's ids, and must answer as it does for ids that
 * exist nowhere — 404 or 403 for ids in the path — and show nothing of B. The same call with A's own ids is the
 * control: it must reach A's data, so the test cannot pass by being broken.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  missingWorld,
  PLACE,
  populateOrganisation,
  registerOrganisation,
  type World,
} from './support/isolation-world.ts';
import { BACKENDS } from './support/test-database.ts';
import { ADMIN_KEY, startTestPlatform, type TestPlatform } from './support/test-platform.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface Call {
  readonly url: string;
  readonly body?: unknown;
  readonly contentType?: string;
}

interface Reply {
  readonly statusCode: number;
  readonly body: string;
  // biome-ignore lint/suspicious/noExplicitAny: replies of many shapes.
  json(): any;
}

interface RouteCheck {
  /**
   * The request with `own`'s ids in the path and `ref`'s ids (or codes) in every body or query field that names
   * another resource. Whether a route has such fields is read from the calls themselves: call(A, A) ≠ call(A, B).
   */
  readonly call: (own: World, ref: World, fresh: Fresh) => Call;
  /** A text of the caller's own data that the control answer must contain: proof that it reached that data. */
  readonly shows?: (own: World) => string;
  /** Further checks of the control answer, for what text alone cannot tell (counts). */
  readonly control?: (reply: Reply, own: World) => void;
}

const SOON = () => new Date(Date.now() + 86_400_000).toISOString();
const RECENT = () => new Date(Date.now() - 30 * 60_000).toISOString();
/** Makes a code unique: creating routes are called more than once; comparing two calls, it is left alone. */
type Fresh = (code: string) => string;
let serial = 0;
const unique: Fresh = (code) => `${code}-${++serial}`;
const asIs: Fresh = (code) => code;

const threshold = (ref: World) => ({
  kind: 'threshold',
  select: { variable: 'pm25', area: ref.areaId },
  when: 'above',
  level: 100,
});

function square(lon: number, lat: number, half: number) {
  return {
    type: 'Polygon',
    coordinates: [
      [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
      ],
    ],
  };
}

/** A signing key, made once: generating one per call would only cost time. */
const SIGNING_KEY = generateKeyPairSync('ec', {
  namedCurve: 'prime256v1',
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
}).privateKey;

/**
 * Every route that declares a role, keyed as the OpenAPI document names it. A route missing here fails the
 * completeness test: a new route is checked for isolation from the day it appears.
 */
const ROUTES: Readonly<Record<string, RouteCheck>> = {
  // ---- observations and events
  'POST /v1/observations': {
    call: (_own, ref) => ({
      url: '/v1/observations',
      body: `series,time,value\n${ref.seriesCode},${RECENT()},55`,
      contentType: 'text/csv',
    }),
  },
  'GET /v1/series/{id}/observations': {
    call: (own) => ({ url: `/v1/series/${own.seriesId}/observations` }),
    shows: (own) => own.seriesCode,
  },
  'POST /v1/events': {
    call: (_own, ref) => ({
      url: '/v1/events',
      body: [
        {
          kind: 'fire_detection',
          time: RECENT(),
          ...PLACE,
          source: ref.sourceCode,
          station: ref.stationCode,
        },
      ],
    }),
  },
  'GET /v1/events': { call: () => ({ url: '/v1/events' }), shows: (own) => `Fire seen by ${own.name}` },

  // ---- registry
  'GET /v1/sources': { call: () => ({ url: '/v1/sources' }), shows: (own) => `Network ${own.name}` },
  'POST /v1/sources': {
    call: (own, _ref, fresh) => ({
      url: '/v1/sources',
      body: {
        code: fresh(`${own.code}-src`),
        name: 'Second network',
        provider: 'P',
        licence: 'CC0',
        provenance: 'x',
      },
    }),
  },
  'GET /v1/stations': {
    call: (_own, ref) => ({ url: `/v1/stations?area_id=${ref.areaId}` }),
    shows: (own) => `Station ${own.name}`,
  },
  'POST /v1/stations': {
    call: (own, ref, fresh) => ({
      url: '/v1/stations',
      body: {
        source_id: ref.sourceId,
        code: fresh(`${own.code}-stn`),
        name: 'Second station',
        sense: 'ground_station',
        ...PLACE,
        expected_cadence_s: 60,
      },
    }),
  },
  'GET /v1/stations/{id}': {
    call: (own) => ({ url: `/v1/stations/${own.stationId}` }),
    shows: (own) => `Station ${own.name}`,
  },
  'GET /v1/series': {
    call: (_own, ref) => ({ url: `/v1/series?station_id=${ref.stationId}` }),
    shows: (own) => own.seriesCode,
  },
  'POST /v1/series': {
    call: (own, ref, fresh) => ({
      url: '/v1/series',
      body: { station_id: ref.stationId, variable: 'pm10', code: fresh(`${own.code}-pm10`) },
    }),
  },
  'GET /v1/series/{id}': {
    call: (own) => ({ url: `/v1/series/${own.seriesId}` }),
    shows: (own) => own.seriesCode,
  },
  'GET /v1/variables': { call: () => ({ url: '/v1/variables' }) },

  // ---- areas
  'GET /v1/areas': { call: () => ({ url: '/v1/areas?kind=custom' }), shows: (own) => `District ${own.name}` },
  'POST /v1/areas': {
    call: (own, _ref, fresh) => ({
      url: '/v1/areas',
      body: {
        type: 'Feature',
        geometry: square(PLACE.lon, PLACE.lat, 0.2),
        properties: { kind: 'custom', code: fresh(`${own.code}-area`), name: 'Second district' },
      },
    }),
  },
  'GET /v1/areas/{id}': {
    call: (own) => ({ url: `/v1/areas/${own.areaId}` }),
    shows: (own) => `District ${own.name}`,
  },
  'GET /v1/areas/{id}/observations': {
    call: (own) => ({ url: `/v1/areas/${own.areaId}/observations?variable=pm25&bucket=PT1H` }),
    shows: (own) => `District ${own.name}`,
    // Both organisations' PM2.5 series stand in this area: only the caller's may count.
    control: (reply) => expect(reply.json().series_count).toBe(1),
  },

  // ---- organisations, keys, users
  'GET /v1/organisations': {
    call: () => ({ url: '/v1/organisations' }),
    shows: (own) => `Ministry ${own.name}`,
  },
  'POST /v1/organisations': {
    call: (own, ref, fresh) => ({
      url: '/v1/organisations',
      body: { parent_id: ref.orgId, kind: 'city', code: fresh(`${own.code}-city`), name: 'A city' },
    }),
  },
  'GET /v1/organisations/{id}': {
    call: (own) => ({ url: `/v1/organisations/${own.orgId}` }),
    shows: (own) => `Ministry ${own.name}`,
  },
  'POST /v1/keys': {
    call: (_own, ref) => ({
      url: '/v1/keys',
      body: { name: 'another key', role: 'viewer', organisation_id: ref.orgId },
    }),
  },
  'GET /v1/keys': {
    call: (_own, ref) => ({ url: `/v1/keys?organisation_id=${ref.orgId}` }),
    shows: (own) => `admin ${own.name}`,
  },
  'DELETE /v1/keys/{id}': { call: (own) => ({ url: `/v1/keys/${own.spareKeyId}` }) },
  'GET /v1/users': {
    call: (_own, ref) => ({ url: `/v1/users?organisation_id=${ref.orgId}` }),
    shows: (own) => `Officer ${own.name}`,
  },
  'POST /v1/users': {
    call: (own, ref, fresh) => ({
      url: '/v1/users',
      body: {
        email: `${fresh(`${own.code}-user`)}@example.org`,
        name: 'Another',
        role: 'viewer',
        organisation_id: ref.orgId,
      },
    }),
  },
  'GET /v1/users/{id}': {
    call: (own) => ({ url: `/v1/users/${own.userId}` }),
    shows: (own) => `Officer ${own.name}`,
  },

  // ---- signals and rules
  'GET /v1/signals': {
    call: (_own, ref) => ({
      url: `/v1/signals?series_id=${ref.seriesId}&station_id=${ref.stationId}&area_id=${ref.areaId}`,
    }),
    shows: (own) => `Station ${own.name}`,
  },
  // Checked apart (a stream never ends): see 'streams only the caller's signals'.
  'GET /v1/signals/stream': { call: () => ({ url: '/v1/signals/stream' }) },
  'GET /v1/rules/presets': { call: () => ({ url: '/v1/rules/presets' }) },
  'GET /v1/rules': {
    call: () => ({ url: '/v1/rules' }),
    shows: (own) => `PM2.5 in the district ${own.name}`,
  },
  'POST /v1/rules': {
    call: (_own, ref) => ({ url: '/v1/rules', body: { name: 'Another rule', definition: threshold(ref) } }),
  },
  'GET /v1/rules/{id}': {
    call: (own) => ({ url: `/v1/rules/${own.ruleId}` }),
    shows: (own) => `PM2.5 in the district ${own.name}`,
  },
  'PUT /v1/rules/{id}': {
    call: (own, ref) => ({ url: `/v1/rules/${own.ruleId}`, body: { definition: threshold(ref) } }),
  },

  // ---- warnings
  'GET /v1/warnings': { call: () => ({ url: '/v1/warnings' }), shows: (own) => `District ${own.name}` },
  'GET /v1/warnings/{id}': {
    call: (own) => ({ url: `/v1/warnings/${own.publishedThreadId}` }),
    shows: (own) => `District ${own.name}`,
  },
  'GET /v1/warnings/{id}/audit': {
    call: (own) => ({ url: `/v1/warnings/${own.publishedThreadId}/audit` }),
    shows: (own) => `District ${own.name}`,
  },
  'POST /v1/warnings/{id}/versions/{version}/approve': {
    call: (own) => ({ url: `/v1/warnings/${own.approveThreadId}/versions/1/approve`, body: {} }),
  },
  'POST /v1/warnings/{id}/versions/{version}/reject': {
    call: (own) => ({
      url: `/v1/warnings/${own.rejectThreadId}/versions/1/reject`,
      body: { reason: 'not ours' },
    }),
  },
  'POST /v1/warnings/{id}/cancel': {
    call: (own) => ({ url: `/v1/warnings/${own.cancelThreadId}/cancel`, body: { reason: 'not ours' } }),
  },
  'POST /v1/warnings/{id}/amend': {
    call: (own) => ({
      url: `/v1/warnings/${own.publishedThreadId}/amend`,
      body: { area_desc: 'not ours', reason: 'not ours' },
    }),
  },
  'POST /v1/warnings/{id}/verification': {
    call: (own) => ({
      url: `/v1/warnings/${own.publishedThreadId}/verification`,
      body: { outcome: 'false_alarm', note: '' },
    }),
  },
  'GET /v1/verification': { call: (_own, ref) => ({ url: `/v1/verification?rule_id=${ref.ruleId}` }) },
  'PUT /v1/organisations/{id}/signing-key': {
    call: (own) => ({
      url: `/v1/organisations/${own.orgId}/signing-key`,
      body: { private_key_pem: SIGNING_KEY },
    }),
  },
  'POST /v1/silences': {
    call: (_own, ref) => ({
      url: '/v1/silences',
      body: { hazard: 'algal_bloom', area_id: ref.areaId, ends_at: SOON(), reason: 'maintenance' },
    }),
  },
  'GET /v1/silences': {
    call: () => ({ url: '/v1/silences' }),
    shows: (own) => `Festival week in ${own.name}`,
  },
  'DELETE /v1/silences/{id}': { call: (own) => ({ url: `/v1/silences/${own.silenceId}` }) },

  // ---- federation
  'POST /v1/federation/sources': {
    call: () => ({ url: '/v1/federation/sources', body: { name: 'Another feed' } }),
  },
  'GET /v1/federation/sources': {
    call: () => ({ url: '/v1/federation/sources' }),
    shows: (own) => `Neighbour feed ${own.name}`,
  },
  'POST /v1/federation/sources/{id}/poll': {
    call: (own) => ({ url: `/v1/federation/sources/${own.capSourceId}/poll` }),
  },
  'POST /v1/federation/sources/{id}/alerts': {
    call: (own) => ({
      url: `/v1/federation/sources/${own.capSourceId}/alerts`,
      body: own.capXml,
      contentType: 'application/cap+xml',
    }),
  },
  'GET /v1/federation/alerts': {
    call: (_own, ref) => ({ url: `/v1/federation/alerts?source_id=${ref.capSourceId}` }),
    shows: (own) => `Neighbour feed ${own.name}`,
  },
  'GET /v1/federation/alerts/{id}': {
    call: (own) => ({ url: `/v1/federation/alerts/${own.importedAlertId}` }),
    shows: (own) => `District ${own.name}`,
  },

  // ---- dissemination
  'POST /v1/subscriptions': {
    call: (own, ref, fresh) => ({
      url: '/v1/subscriptions',
      body: {
        channel: 'webhook',
        target: `http://127.0.0.1:9/${fresh(`${own.code}-hook`)}`,
        area: { kind: 'area', area_id: ref.areaId },
        escalate_to: ref.subscriptionId,
      },
    }),
  },
  'GET /v1/subscriptions': {
    call: () => ({ url: '/v1/subscriptions' }),
    shows: (own) => `Responders ${own.name}`,
  },
  'GET /v1/subscriptions/{id}/deliveries': {
    call: (own) => ({ url: `/v1/subscriptions/${own.subscriptionId}/deliveries` }),
    shows: (own) => own.deliveryId,
  },
  'GET /v1/warnings/{id}/deliveries': {
    call: (own) => ({ url: `/v1/warnings/${own.publishedThreadId}/deliveries` }),
    shows: (own) => own.deliveryId,
  },
  'GET /v1/deliveries/{id}/attempts': {
    call: (own) => ({ url: `/v1/deliveries/${own.deliveryId}/attempts` }),
  },
  'POST /v1/deliveries/{id}/acknowledge': {
    call: (own) => ({ url: `/v1/deliveries/${own.deliveryId}/acknowledge` }),
  },

  // ---- response
  'POST /v1/incidents': {
    call: (_own, ref) => ({ url: '/v1/incidents', body: { warning_id: ref.publishedThreadId } }),
  },
  'GET /v1/incidents': { call: () => ({ url: '/v1/incidents' }), shows: (own) => `Smog ${own.name}` },
  'GET /v1/incidents/{id}': {
    call: (own) => ({ url: `/v1/incidents/${own.incidentId}` }),
    shows: (own) => `Schools of ${own.name} informed`,
  },
  'PATCH /v1/incidents/{id}': {
    call: (own) => ({ url: `/v1/incidents/${own.incidentId}`, body: { status: 'monitoring' } }),
  },
  'POST /v1/incidents/{id}/tasks': {
    call: (own, ref) => ({
      url: `/v1/incidents/${own.incidentId}/tasks`,
      body: { title: 'Check the sensors', assignee_user_id: ref.userId },
    }),
  },
  'PATCH /v1/incidents/{id}/tasks/{taskId}': {
    call: (own, ref) => ({
      url: `/v1/incidents/${own.incidentId}/tasks/${own.taskId}`,
      body: { assignee_user_id: ref.userId },
    }),
  },
  'POST /v1/incidents/{id}/notes': {
    call: (own) => ({ url: `/v1/incidents/${own.incidentId}/notes`, body: { text: 'Checked' } }),
  },
  'GET /v1/assignees': {
    call: (_own, ref) => ({ url: `/v1/assignees?incident_id=${ref.incidentId}` }),
    shows: (own) => `Officer ${own.name}`,
  },

  // ---- dashboard
  // Countries and cities at a glance: the caller's own shows in the headline of its highest warning.
  'GET /v1/overview': { call: () => ({ url: '/v1/overview' }), shows: (own) => own.name },
  'GET /v1/map/warnings': {
    call: () => ({ url: '/v1/map/warnings?include=drafts' }),
    shows: (own) => `District ${own.name}`,
  },
  'GET /v1/map/stations': {
    call: () => ({ url: '/v1/map/stations' }),
    shows: (own) => `Station ${own.name}`,
  },
  'GET /v1/map/areas': {
    call: () => ({ url: '/v1/map/areas?kind=custom' }),
    shows: (own) => `District ${own.name}`,
  },
  'GET /v1/series/{id}/explorer': {
    call: (own) => ({ url: `/v1/series/${own.seriesId}/explorer` }),
    shows: (own) => `Station ${own.name}`,
  },
  'GET /v1/reports/situation.pdf': {
    call: (_own, ref) => ({ url: `/v1/reports/situation.pdf?area_id=${ref.areaId}` }),
  },
  'GET /v1/reports/situation.html': {
    call: (_own, ref) => ({ url: `/v1/reports/situation.html?area_id=${ref.areaId}` }),
    shows: (own) => `District ${own.name}`,
  },

  // ---- nature
  'POST /v1/nature/protected-areas': {
    call: (_own, _ref, fresh) => ({
      url: '/v1/nature/protected-areas',
      body: {
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            properties: {
              WDPAID: Number(fresh('900000').replace('-', '')),
              NAME: 'Another reserve',
              DESIG: 'Nature Reserve',
              IUCN_CAT: 'IV',
              STATUS: 'Designated',
              STATUS_YR: 2015,
              MARINE: '0',
              REP_AREA: null,
              GIS_AREA: null,
              ISO3: 'BGD',
            },
            geometry: square(PLACE.lon + 0.5, PLACE.lat, 0.05),
          },
        ],
      },
    }),
  },
  'GET /v1/nature/protected-areas': {
    call: () => ({ url: '/v1/nature/protected-areas?country=BD' }),
    shows: (own) => `Reserve ${own.name}`,
  },
  'GET /v1/nature/coverage': {
    call: (_own, ref) => ({ url: `/v1/nature/coverage?country=BD&marine_area=${ref.areaId}` }),
  },
  'POST /v1/nature/gaps': {
    call: () => ({
      url: '/v1/nature/gaps',
      body: {
        country: 'BD',
        priority: {
          type: 'FeatureCollection',
          features: [
            { type: 'Feature', properties: { name: 'wetland' }, geometry: square(PLACE.lon, PLACE.lat, 0.3) },
          ],
        },
      },
    }),
  },
  'POST /v1/biodiversity/occurrences': {
    call: (own, _ref, fresh) => ({
      url: '/v1/biodiversity/occurrences',
      body: `occurrenceID,scientificName,eventDate,decimalLatitude,decimalLongitude,basisOfRecord\n${fresh(`${own.code}-occ`)},Axis axis,2021-03-01,${PLACE.lat},${PLACE.lon},HumanObservation`,
      contentType: 'text/csv',
    }),
  },
  'GET /v1/biodiversity/occurrences': {
    call: (_own, ref) => ({ url: `/v1/biodiversity/occurrences?area_id=${ref.areaId}` }),
    shows: (own) => `Panthera ${own.name}`,
  },
  'GET /v1/biodiversity/sensitive-species': {
    call: () => ({ url: '/v1/biodiversity/sensitive-species' }),
    shows: (own) => `Panthera ${own.name}`,
  },
  'PUT /v1/biodiversity/sensitive-species': {
    call: (own) => ({
      url: '/v1/biodiversity/sensitive-species',
      body: [{ scientific_name: `Panthera ${own.name}`, sensitivity: 'highly_sensitive' }],
    }),
  },
  'GET /v1/biodiversity/trends': {
    call: (_own, ref) => ({ url: `/v1/biodiversity/trends?area_id=${ref.areaId}&replicates=0` }),
    shows: (own) => `Panthera ${own.name}`,
  },
  'POST /v1/biodiversity/trends/evaluate': { call: () => ({ url: '/v1/biodiversity/trends/evaluate' }) },
  'GET /v1/nature/soil/report': {
    call: () => ({ url: '/v1/nature/soil/report' }),
    shows: (own) => `Station ${own.name}`,
  },
  'POST /v1/nature/soil/evaluate': { call: () => ({ url: '/v1/nature/soil/evaluate' }) },
};

/** Routes without a role, and why they may be public. */
const PUBLIC_ROUTES: Readonly<Record<string, string>> = {
  'POST /auth/login': 'signing in: the caller has no identity yet',
  'GET /auth/me': "answers only about the session of the request's own cookie",
  'POST /auth/logout': "ends only the session of the request's own cookie",
  'GET /health': 'liveness for load balancers; names no data',
  'GET /v1/units': 'reference data: the units the platform converts between',
  'GET /v1/hazards': 'reference data: the hazard taxonomy and its names, as public CAP alerts carry them',
  'GET /cap/{identifier}.xml':
    'published CAP alerts are public by design (CAP 1.2, WMO register of alerting authorities)',
  'GET /cap/{identifier}.json': 'the published CAP alert as JSON, public like its XML',
  'GET /cap/{identifier}.wav': 'the published alert as a spoken bulletin for radio, public like its XML',
  'GET /cap/{identifier}.pdf': 'the published alert as a printable bulletin, public like its XML',
  'GET /feeds/warnings.atom': 'the public feed of published warnings',
  'GET /feeds/warnings.rss': 'the public feed of published warnings',
  'GET /feeds/warnings/stream': 'published warnings as they go out, public like the feeds',
  'POST /public/subscriptions': 'self-service subscription by the public, with double opt-in',
  'GET /public/subscriptions/confirm':
    'opt-in confirmation, authorised by the secret token sent to the subscriber',
  'POST /public/unsubscribe': 'one-click unsubscribe (RFC 8058), authorised by the secret token',
  'GET /public/unsubscribe': 'the unsubscribe page; changes nothing',
  'GET /public/acknowledge': 'acknowledgement from the link in a message, authorised by its secret token',
  'POST /public/sms/inbound': "the SMS gateway's replies; acknowledges only the sender number's own delivery",
};

/** The Fastify route path of an OpenAPI one, as a pattern that a concrete URL's path must match. */
function pathPattern(openApiPath: string): RegExp {
  const escaped = openApiPath
    .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
    .replace(/\\?\{[^}]+\\?\}|\{[^}]+\}/g, '[^/]+');
  return new RegExp(`^${escaped}$`);
}

/** Texts of `world` the answer must not contain, leaving out those the request itself carried. */
function leakedTokens(world: World, call: Call, reply: Reply): string[] {
  const sent =
    `${call.url}\n${typeof call.body === 'string' ? call.body : JSON.stringify(call.body ?? '')}`.toLowerCase();
  const body = reply.body.toLowerCase();
  return [world.name, world.code]
    .map((token) => token.toLowerCase())
    .filter((token) => !sent.includes(token) && body.includes(token));
}

/** What a refusal says: status and problem code, never which resource it found. */
function refusalOf(reply: Reply): { status: number; code: string | undefined; listed: number | undefined } {
  let parsed: unknown;
  try {
    parsed = reply.json();
  } catch {
    parsed = undefined;
  }
  const json = (parsed ?? {}) as Record<string, unknown>;
  const list = json.items ?? json.features ?? json.populations;
  return {
    status: reply.statusCode,
    code: typeof json.code === 'string' ? json.code : undefined,
    listed: Array.isArray(list) ? list.length : Array.isArray(parsed) ? parsed.length : undefined,
  };
}

const sameCall = (a: Call, b: Call) =>
  a.url === b.url && JSON.stringify(a.body) === JSON.stringify(b.body) && a.contentType === b.contentType;

describe.each(BACKENDS)('organisation isolation on %s', (backend) => {
  let t: TestPlatform;
  let a: World;
  let b: World;
  const missing = missingWorld();
  /** Every operation of the OpenAPI document the server serves, with the role its route declares. */
  const operations = new Map<string, string | null>();

  beforeAll(async () => {
    t = await startTestPlatform(backend);
    // Reads the role each route declares from the server itself: a request carrying this header is answered
    // with its route's role by a hook that runs after authentication, before any handler.
    t.platform.server.addHook('onRequest', async (request, reply) => {
      if (request.headers['x-isolation-probe'] === undefined) return;
      // In a header, with no body: a body would meet the route's response schema.
      return reply
        .header('x-route-role', request.routeOptions.config.role ?? '')
        .status(204)
        .send();
    });
    const docs = await t.request('GET', '/docs/json', { key: null });
    expect(docs.statusCode).toBe(200);
    for (const [path, methods] of Object.entries(docs.json().paths as Record<string, object>)) {
      for (const method of Object.keys(methods)) {
        const url = path.replace(/\{[^}]+\}/g, '1');
        const probe = await t.platform.server.inject({
          method: method.toUpperCase() as Method,
          url,
          headers: { authorization: `Bearer ${ADMIN_KEY}`, 'x-isolation-probe': '1' },
        });
        expect(probe.statusCode, `${method} ${path}: ${probe.body}`).toBe(204);
        operations.set(`${method.toUpperCase()} ${path}`, String(probe.headers['x-route-role']) || null);
      }
    }
    // B's area is the smaller one around the shared place: a lookup that forgets whose areas it reads picks it.
    const registryA = await registerOrganisation(t, {
      name: 'Alphanm',
      code: 'alphacd',
      isoCode: 'BD',
      areaHalfSideDeg: 0.5,
    });
    const registryB = await registerOrganisation(t, {
      name: 'Bravonm',
      code: 'bravocd',
      isoCode: 'NP',
      areaHalfSideDeg: 0.25,
    });
    a = await populateOrganisation(t, registryA);
    b = await populateOrganisation(t, registryB);
  }, 120_000);
  afterAll(async () => t?.close());

  const send = (method: Method, call: Call, key = a.adminKey) =>
    t.request(method, call.url, {
      key,
      ...(call.body === undefined ? {} : { body: call.body }),
      ...(call.contentType === undefined ? {} : { contentType: call.contentType }),
    });

  it('knows every route of the server: a role route is checked here, a public one says why it is public', () => {
    const server = [...operations.keys()].sort();
    const known = [...Object.keys(ROUTES), ...Object.keys(PUBLIC_ROUTES)].sort();
    expect(
      server.filter((op) => !known.includes(op)),
      'routes this test does not know how to fill',
    ).toEqual([]);
    expect(
      known.filter((op) => !server.includes(op)),
      'routes the server no longer has',
    ).toEqual([]);
    const roleless = Object.keys(ROUTES).filter((op) => operations.get(op) === null);
    expect(roleless, 'checked as organisation routes, but they declare no role').toEqual([]);
    const withRole = Object.keys(PUBLIC_ROUTES).filter((op) => typeof operations.get(op) === 'string');
    expect(withRole, 'listed as public, but they declare a role').toEqual([]);
  });

  it.each(Object.keys(ROUTES).filter((op) => op !== 'GET /v1/signals/stream'))('%s', async (operation) => {
    const [method, path] = operation.split(' ') as [Method, string];
    const check = ROUTES[operation]!;
    const pattern = pathPattern(path);
    const own = check.call(a, a, unique);
    expect(own.url.split('?')[0], 'the call fills the route').toMatch(pattern);
    const hasPathIds = path.includes('{');
    const hasReferences = !sameCall(check.call(a, a, asIs), check.call(a, b, asIs));

    if (hasPathIds) {
      const theirs = check.call(b, b, unique);
      expect(theirs.url.split('?')[0], "B's ids are in the path").not.toBe(own.url.split('?')[0]);
      const refused = await send(method, theirs);
      expect([403, 404], `${operation} with B's ids: ${refused.body}`).toContain(refused.statusCode);
      expect(leakedTokens(b, theirs, refused), refused.body).toEqual([]);
      const nowhere = await send(method, check.call(missing, missing, unique));
      expect(refusalOf(refused), "B's ids are answered as ids that exist nowhere").toEqual(
        refusalOf(nowhere),
      );
    }

    if (hasReferences) {
      const mixed = check.call(a, b, unique);
      const answered = await send(method, mixed);
      expect(answered.statusCode, answered.body).toBeLessThan(500);
      expect(leakedTokens(b, mixed, answered), answered.body).toEqual([]);
      if (method !== 'GET') {
        // a change that names B's resource must not happen
        expect(
          answered.statusCode,
          `${operation} naming B's resources: ${answered.body}`,
        ).toBeGreaterThanOrEqual(400);
      }
      const nowhere = await send(method, check.call(a, missing, unique));
      expect(refusalOf(answered), "B's resources are answered as resources that exist nowhere").toEqual(
        refusalOf(nowhere),
      );
    }

    const control = await send(method, own);
    expect([401, 403, 404], `control ${operation}: ${control.body}`).not.toContain(control.statusCode);
    expect(control.statusCode, control.body).toBeLessThan(500);
    expect(leakedTokens(b, own, control), control.body).toEqual([]);
    if (check.shows) expect(control.body).toContain(check.shows(a));
    check.control?.(control, a);
  });

  it("streams only the caller's signals (GET /v1/signals/stream)", async () => {
    const stream = await t.platform.server.inject({
      method: 'GET',
      url: '/v1/signals/stream',
      headers: { authorization: `Bearer ${a.adminKey}` },
      payloadAsStream: true,
    });
    expect(stream.statusCode).toBe(200);
    const events = stream.stream();
    let text = '';
    const seen = new Promise<void>((resolve) => {
      events.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        if (text.includes(`id: ${a.signalId}\n`)) resolve();
      });
    });
    t.platform.services.bus.publish('signals.raised', { signalIds: [b.signalId, a.signalId] });
    await seen;
    // Both would be written in one pass over the rows read: a turn of the event loop lets the rest arrive.
    await new Promise((resolve) => setTimeout(resolve, 50));
    events.destroy();
    expect(text).not.toContain(`id: ${b.signalId}\n`);
    expect(text.toLowerCase()).not.toContain(b.name.toLowerCase());
  });
});

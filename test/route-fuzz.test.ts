/**
 * Every route of the OpenAPI document under fast-check, through inject() on PGlite: path ids (the fixture's
 * real ones, or not), query strings and bodies built from each route's schema and then broken (wrong types,
 * out of range, unknown enum values, extra members, long and odd Unicode strings, malformed percent-encoding,
 * duplicated parameters). Whatever is sent, the reply is 2xx, 3xx or 4xx — a 4xx an RFC 9457 problem with an
 * EW4E code — never a 5xx. A route the table below does not name fails the test, so new routes get fuzzed.
 * PGlite only: the routes' SQL is the same on PostgreSQL, and the budget is a minute of CI.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuleDefinition } from '../src/detect/rules/rule-definition.ts';
import { fuzzRuns, fuzzSeed, ROUTE_FUZZ_WEIGHT } from './fuzz/fuzz-budget.ts';
import { brokenJson, brokenText, hostileToken } from './fuzz/mutations.ts';
import { DOCUMENTS } from './fuzz/parser-properties.ts';
import { type JsonSchema, schemaArbitrary } from './fuzz/schema-arbitrary.ts';
import {
  ADMIN_KEY,
  type Fixture,
  publishSevereWarning,
  registerFixture,
  startTestPlatform,
  type TestPlatform,
} from './support/test-platform.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface Parameter {
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly name: string;
  readonly required?: boolean;
  readonly schema?: JsonSchema;
}

interface Operation {
  readonly parameters?: readonly Parameter[];
  readonly requestBody?: { readonly content: Readonly<Record<string, { readonly schema?: JsonSchema }>> };
}

interface Route {
  readonly method: Method;
  /** As the OpenAPI document writes it: `/v1/areas/{id}`. */
  readonly path: string;
  readonly operation: Operation;
}

/** A raw body the route reads itself (text, CSV, XML), with the content types worth sending it as. */
interface RawBody {
  readonly documents: fc.Arbitrary<string>;
  readonly contentTypes: readonly string[];
}

interface RouteInput {
  /** Share of the route budget relative to the others (slow routes less). */
  readonly weight?: number;
  /** A body the schema does not describe (raw ingestion, CAP XML). */
  readonly raw?: RawBody;
  /** Only these path ids, real or malformed, never random small ones (the route would act on them). */
  readonly onlyKnownIds?: boolean;
  /** Why the route is not fuzzed at all. */
  readonly skip?: string;
}

const SAMPLE_CSV_TYPES = ['text/csv', 'text/csv; charset=utf-8', 'application/json', 'text/plain'];

/**
 * How to fuzz each route beyond its OpenAPI schema. Every route of the document must be named here: a new
 * route fails `every route is fuzzed` until someone says how to feed it.
 */
const ROUTE_INPUTS: Readonly<Record<string, RouteInput>> = {
  'POST /auth/login': { weight: 0.1 }, // argon2 verifies every attempt: slow by design
  'GET /auth/me': {},
  'POST /auth/logout': {},
  'GET /health': {},
  'POST /v1/observations': {
    weight: 3,
    raw: {
      documents: fc.oneof(brokenText(DOCUMENTS.observationsCsv), fc.string({ maxLength: 200 })),
      contentTypes: [
        'text/csv',
        'application/json',
        'application/x-ndjson',
        'application/geo+json',
        'text/plain',
      ],
    },
  },
  'GET /v1/series/{id}/observations': { weight: 2 },
  'POST /v1/events': {
    weight: 3,
    raw: {
      documents: fc.oneof(brokenText(DOCUMENTS.eventsGeoJson), brokenText(DOCUMENTS.firmsCsv)),
      contentTypes: ['application/geo+json', 'application/json', 'text/csv', 'application/x-ndjson'],
    },
  },
  'GET /v1/events': {},
  'GET /v1/sources': {},
  'POST /v1/sources': {},
  'GET /v1/stations': {},
  'POST /v1/stations': {},
  'GET /v1/stations/{id}': {},
  'GET /v1/series': {},
  'POST /v1/series': {},
  'GET /v1/series/{id}': {},
  'GET /v1/variables': { weight: 0.2 },
  'GET /v1/units': { weight: 0.2 },
  'GET /v1/areas': {},
  'POST /v1/areas': { weight: 2 },
  'GET /v1/areas/{id}': {},
  'GET /v1/areas/{id}/observations': { weight: 2 },
  'GET /v1/organisations': {},
  'POST /v1/organisations': {},
  'GET /v1/organisations/{id}': {},
  'POST /v1/keys': {},
  'GET /v1/keys': {},
  'DELETE /v1/keys/{id}': { onlyKnownIds: true }, // a random id could revoke the keys this test uses
  'GET /v1/users': {},
  'POST /v1/users': { weight: 0.2 }, // argon2 hashes the password
  'GET /v1/users/{id}': {},
  'GET /v1/signals': { weight: 2 },
  'GET /v1/signals/stream': { skip: 'a server-sent event stream never ends, and it takes no input' },
  'GET /v1/rules/presets': { weight: 0.2 },
  'GET /v1/rules': {},
  'POST /v1/rules': { weight: 2 },
  'GET /v1/rules/{id}': {},
  'PUT /v1/rules/{id}': { weight: 2 },
  'GET /v1/warnings': {},
  'GET /v1/warnings/{id}': {},
  'GET /v1/warnings/{id}/audit': {},
  'POST /v1/warnings/{id}/versions/{version}/approve': {},
  'POST /v1/warnings/{id}/versions/{version}/reject': {},
  'POST /v1/warnings/{id}/cancel': {},
  'POST /v1/warnings/{id}/amend': {},
  'POST /v1/warnings/{id}/verification': {},
  'GET /v1/verification': {},
  'PUT /v1/organisations/{id}/signing-key': {},
  'POST /v1/silences': {},
  'GET /v1/silences': {},
  'DELETE /v1/silences/{id}': {},
  'GET /cap/{identifier}.xml': {},
  'GET /cap/{identifier}.json': {},
  'GET /feeds/warnings.atom': {},
  'GET /feeds/warnings.rss': {},
  'GET /v1/hazards': { weight: 0.2 },
  'GET /feeds/warnings/stream': { skip: 'a server-sent event stream never ends, and it takes no input' },
  'GET /cap/{identifier}.wav': { weight: 0.1 }, // espeak-ng speaks the bulletin
  'GET /cap/{identifier}.pdf': { weight: 0.1 },
  'POST /v1/federation/sources': {},
  'GET /v1/federation/sources': {},
  // Polls the source's URL: only the fixture's (loopback, refused), never a fuzzed source's.
  'POST /v1/federation/sources/{id}/poll': { onlyKnownIds: true, weight: 0.3 },
  'POST /v1/federation/sources/{id}/alerts': {
    weight: 0.5, // the OASIS schema check runs libxml2 in WASM
    raw: {
      documents: fc.oneof(DOCUMENTS.capXml, brokenText(DOCUMENTS.capXml), brokenText(DOCUMENTS.capFeed)),
      contentTypes: ['application/cap+xml', 'application/xml', 'text/xml; charset=iso-8859-1', 'text/plain'],
    },
  },
  'GET /v1/federation/alerts': {},
  'GET /v1/federation/alerts/{id}': {},
  'POST /v1/subscriptions': { weight: 2 },
  'GET /v1/subscriptions': {},
  'GET /v1/subscriptions/{id}/deliveries': {},
  'GET /v1/warnings/{id}/deliveries': {},
  'GET /v1/deliveries/{id}/attempts': {},
  'POST /v1/deliveries/{id}/acknowledge': {},
  'POST /public/subscriptions': {},
  'GET /public/subscriptions/confirm': {},
  'POST /public/unsubscribe': {},
  'GET /public/unsubscribe': {},
  'GET /public/acknowledge': {},
  'POST /public/sms/inbound': {},
  'POST /v1/incidents': {},
  'GET /v1/incidents': {},
  'GET /v1/incidents/{id}': {},
  'PATCH /v1/incidents/{id}': {},
  'POST /v1/incidents/{id}/tasks': {},
  'PATCH /v1/incidents/{id}/tasks/{taskId}': {},
  'POST /v1/incidents/{id}/notes': {},
  'GET /v1/assignees': {},
  'GET /v1/overview': {},
  'GET /v1/map/warnings': {},
  'GET /v1/map/stations': {},
  'GET /v1/map/areas': {},
  'GET /v1/series/{id}/explorer': {},
  'GET /v1/reports/situation.pdf': { weight: 0.1 },
  'GET /v1/reports/situation.html': { weight: 0.3 },
  'POST /v1/nature/protected-areas': { weight: 0.5 },
  'GET /v1/nature/protected-areas': {},
  'GET /v1/nature/coverage': { weight: 0.3 },
  'POST /v1/nature/gaps': { weight: 0.3 },
  'POST /v1/biodiversity/occurrences': {
    weight: 2,
    raw: { documents: brokenText(DOCUMENTS.darwinCoreCsv), contentTypes: SAMPLE_CSV_TYPES },
  },
  'GET /v1/biodiversity/occurrences': {},
  'GET /v1/biodiversity/sensitive-species': {},
  'PUT /v1/biodiversity/sensitive-species': {},
  'GET /v1/biodiversity/trends': { weight: 0.5 },
  'POST /v1/biodiversity/trends/evaluate': { weight: 0.5 },
  'GET /v1/nature/soil/report': { weight: 0.3 },
  'POST /v1/nature/soil/evaluate': { weight: 0.3 },
};

/** Members whose schema says nothing: GeoJSON geometries and rule definitions. */
const OVERRIDES: Readonly<Record<string, fc.Arbitrary<unknown>>> = {
  '/geometry': brokenJson(DOCUMENTS.geometry),
  '/area/geometry': brokenJson(DOCUMENTS.geometry),
  '/definition': schemaArbitrary(RuleDefinition as unknown as JsonSchema, { broken: true }),
};

const routeKey = (r: Pick<Route, 'method' | 'path'>) => `${r.method} ${r.path}`;

/** Text of a query or path value: a schema value as text, or something hostile. */
function parameterText(schema: JsonSchema | undefined): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: schemaArbitrary(schema ?? {}, { broken: true }).map(asText) },
    { weight: 1, arbitrary: hostileToken },
  );
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(asText).join(',');
  return JSON.stringify(value) ?? '';
}

/** Percent-encoded as a client should, or raw: malformed escapes, bare `&`, `#`, `=`. */
function encoded(text: string, raw: boolean): string {
  if (!raw) {
    try {
      return encodeURIComponent(text);
    } catch {
      // A lone surrogate has no UTF-8: send the bytes a broken client would (an unpaired ED A0 80).
      return `${encodeURIComponent(text.replace(/[\uD800-\uDFFF]/g, '\uFFFD'))}%ED%A0%80`;
    }
  }
  return text.replace(/[\s#?]/g, (c) => encodeURIComponent(c));
}

interface Ids {
  readonly [param: string]: readonly (number | string)[];
}

interface FuzzRequest {
  readonly url: string;
  readonly key: string | null;
  readonly body?: string;
  readonly contentType?: string;
}

function requests(
  route: Route,
  input: RouteInput,
  ids: Ids,
  keys: readonly string[],
): fc.Arbitrary<FuzzRequest> {
  const parameters = route.operation.parameters ?? [];
  const pathParams = parameters.filter((p) => p.in === 'path');
  const queryParams = parameters.filter((p) => p.in === 'query');
  const malformedId = fc.constantFrom(
    '0',
    '-1',
    'abc',
    '1.5',
    '%zz',
    '9'.repeat(30),
    '2147483648',
    '%00',
    '',
  );

  const path = fc.tuple(
    ...pathParams.map((p) => {
      const known = ids[`${route.path}:${p.name}`] ?? ids[p.name] ?? [];
      const real = known.length > 0 ? fc.constantFrom(...known.map(String)) : fc.constant('1');
      const candidates: fc.Arbitrary<string>[] = [real, real, malformedId];
      if (!input.onlyKnownIds)
        candidates.push(fc.integer({ min: 1, max: 50 }).map(String), parameterText(p.schema));
      return fc
        .tuple(fc.oneof(...candidates), fc.boolean())
        .map(([text, raw]) => encoded(text, raw && text !== ''));
    }),
  );

  const query = fc
    .tuple(
      fc.tuple(...queryParams.map((p) => fc.option(parameterText(p.schema), { freq: 2 }))),
      fc.array(fc.tuple(fc.constantFrom(...queryParams.map((p) => p.name), 'unknown', ''), hostileToken), {
        maxLength: 2,
      }),
      fc.boolean(),
    )
    .map(([values, extra, raw]) => {
      const pairs: [string, string][] = [];
      queryParams.forEach((p, i) => {
        const value = values[i];
        if (value !== null && value !== undefined) pairs.push([p.name, value]);
      });
      // Extras: unknown names, and known ones again (duplicated parameters).
      for (const pair of extra) pairs.push(pair);
      return pairs.map(([name, value]) => `${encoded(name, false)}=${encoded(value, raw)}`).join('&');
    });

  const schema = route.operation.requestBody?.content['application/json']?.schema;
  const body: fc.Arbitrary<{ body?: string; contentType?: string }> = input.raw
    ? fc.record({ body: input.raw.documents, contentType: fc.constantFrom(...input.raw.contentTypes) })
    : schema !== undefined
      ? fc.record({
          body: fc.oneof(
            {
              weight: 8,
              arbitrary: schemaArbitrary(schema, { broken: true, overrides: OVERRIDES }).map(
                (v) => JSON.stringify(v) ?? '',
              ),
            },
            {
              weight: 2,
              arbitrary: brokenText(
                schemaArbitrary(schema, { overrides: OVERRIDES }).map((v) => JSON.stringify(v) ?? ''),
              ),
            },
          ),
          contentType: fc.constantFrom(
            'application/json',
            'application/json',
            'application/json; charset=utf-8',
            'text/plain',
          ),
        })
      : route.method === 'GET' || route.method === 'DELETE'
        ? fc.constant({})
        : fc.oneof(
            fc.constant({}),
            fc.record({ body: hostileToken, contentType: fc.constantFrom('application/json', 'text/plain') }),
          );

  return fc.record({ path, query, body, key: fc.constantFrom<string | null>(...keys, null) }).map((r) => {
    let p = route.path;
    pathParams.forEach((param, i) => {
      p = p.replace(`{${param.name}}`, r.path[i]!);
    });
    return {
      url: r.query === '' ? p : `${p}?${r.query}`,
      key: r.key,
      ...(r.body.body === undefined ? {} : { body: r.body.body, contentType: r.body.contentType! }),
    };
  });
}

describe('every route under fuzzing (PGlite)', () => {
  let t: TestPlatform;
  let f: Fixture;
  let routes: Route[];
  let ids: Ids;
  let keys: string[];
  let tooMany = 0;

  beforeAll(async () => {
    // Limits out of the way (counted if hit anyway): the fuzzer sends thousands of requests a minute on one key.
    const unlimited = 1_000_000_000;
    t = await startTestPlatform('pglite', {
      rateLimits: {
        perMinute: unlimited,
        signInPerEmail: unlimited,
        signInPerIp: unlimited,
        selfServicePerIp: unlimited,
      },
    });
    f = await registerFixture(t, 'fz', 'BD');
    const post = async (url: string, body: unknown, key = f.key) => {
      const r = await t.request('POST', url, { key, body });
      if (r.statusCode >= 300) throw new Error(`${url}: ${r.statusCode} ${r.body}`);
      return r.json();
    };
    const orgAdmin = (
      await post('/v1/keys', { name: 'fuzz admin', role: 'admin', organisation_id: f.orgId }, ADMIN_KEY)
    ).key as string;
    const doomedKey = await post(
      '/v1/keys',
      { name: 'to revoke', role: 'viewer', organisation_id: f.orgId },
      ADMIN_KEY,
    );
    const area = await post(
      '/v1/areas',
      {
        type: 'Feature',
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [90, 23],
              [91, 23],
              [91, 24],
              [90, 24],
              [90, 23],
            ],
          ],
        },
        properties: { kind: 'city', code: 'dhaka', name: 'Dhaka' },
      },
      orgAdmin,
    );
    const nowMs = Date.now();
    const rule = await publishSevereWarning(t, f, {
      nowMs,
      sentence: 'route fuzzing',
      dedupeKey: `route-fuzz:${nowMs}`,
    });
    const thread = (await t.request('GET', '/v1/warnings', { key: f.key })).json().items[0];
    const identifier = thread.current.identifier as string;
    const incident = await post('/v1/incidents', { warning_id: thread.id });
    const task = await post(`/v1/incidents/${incident.id}/tasks`, { title: 'Check the sensor' });
    const user = await post(
      '/v1/users',
      {
        email: 'fuzz@example.org',
        name: 'Fuzz',
        role: 'analyst',
        organisation_id: f.orgId,
        password: 'correct horse battery',
      },
      ADMIN_KEY,
    );
    const pushSource = await post('/v1/federation/sources', { name: 'pushed' }, orgAdmin);
    // Port 9 (discard) on loopback: a poll is refused at once, and nothing leaves the machine.
    const feedSource = await post(
      '/v1/federation/sources',
      { name: 'feed', url: 'http://127.0.0.1:9/cap.atom' },
      orgAdmin,
    );
    const silence = await post(
      '/v1/silences',
      {
        hazard: 'air_pollution',
        area_id: area.id,
        ends_at: new Date(nowMs + 3_600_000).toISOString(),
        reason: 'maintenance',
      },
      orgAdmin,
    );
    const subscription = await post('/v1/subscriptions', {
      channel: 'webhook',
      target: 'http://127.0.0.1:9/hook',
      area: { kind: 'area', area_id: area.id },
    });
    ids = {
      '/v1/series/{id}/observations:id': [f.seriesId],
      '/v1/series/{id}:id': [f.seriesId],
      '/v1/series/{id}/explorer:id': [f.seriesId],
      '/v1/stations/{id}:id': [f.stationId],
      '/v1/areas/{id}:id': [area.id],
      '/v1/areas/{id}/observations:id': [area.id],
      '/v1/organisations/{id}:id': [f.orgId],
      '/v1/organisations/{id}/signing-key:id': [f.orgId],
      '/v1/keys/{id}:id': [doomedKey.id],
      '/v1/users/{id}:id': [user.id],
      '/v1/rules/{id}:id': [rule.id],
      '/v1/silences/{id}:id': [silence.id],
      '/v1/federation/sources/{id}/poll:id': [feedSource.id, pushSource.id],
      '/v1/federation/sources/{id}/alerts:id': [pushSource.id],
      '/v1/subscriptions/{id}/deliveries:id': [subscription.id],
      '/v1/incidents/{id}:id': [incident.id],
      '/v1/incidents/{id}/tasks:id': [incident.id],
      '/v1/incidents/{id}/notes:id': [incident.id],
      '/v1/incidents/{id}/tasks/{taskId}:id': [incident.id],
      taskId: [task.id],
      version: [1, 2],
      identifier: [identifier],
      id: [thread.id],
    };
    keys = [orgAdmin, orgAdmin, ADMIN_KEY, f.key];
    const document = (await t.platform.server.inject({ method: 'GET', url: '/docs/json' })).json();
    routes = Object.entries(document.paths as Record<string, Record<string, Operation>>).flatMap(
      ([path, ops]) =>
        Object.entries(ops).map(([method, operation]) => ({
          method: method.toUpperCase() as Method,
          path,
          operation,
        })),
    );
  }, 120_000);

  afterAll(async () => {
    if (tooMany > 0)
      console.info(`route fuzzing: ${tooMany} replies were 429 (rate limited), counted as 4xx`);
    await t?.close();
  });

  it('every route is fuzzed, or says why not', () => {
    const documented = routes.map(routeKey).sort();
    expect(documented, 'routes of /docs/json missing from ROUTE_INPUTS (add them)').toEqual(
      expect.arrayContaining(Object.keys(ROUTE_INPUTS)),
    );
    expect(
      Object.keys(ROUTE_INPUTS).sort(),
      'ROUTE_INPUTS names routes that no longer exist, or misses new ones',
    ).toEqual(documented);
  });

  it('answers what the fuzzing found with a 400 problem: NUL in text, ids past 2³¹, ∞, a leap second, %zz', async () => {
    for (const [method, url, body] of [
      ['POST', '/v1/sources', { code: 'a', name: 'n', provider: '\u0000', licence: 'l', provenance: 'p' }],
      ['GET', '/v1/series?station_id=-Infinity', undefined],
      ['GET', '/v1/stations?area_id=99999999999', undefined],
      ['GET', '/v1/events?from=2026-12-31T23%3A59%3A60Z', undefined],
      ['GET', '/v1/areas/%zz/observations', undefined],
    ] as const) {
      const r = await t.request(method, url, { key: keys[0]!, ...(body === undefined ? {} : { body }) });
      expect(r.statusCode, `${url} → ${r.body}`).toBe(400);
      expect(r.json().code).toMatch(/^EW4E_(BAD_REQUEST|INVALID_QUERY)$/);
    }
  });

  it('answers every request with 2xx, 3xx or a 4xx problem, never a 5xx', async () => {
    const fuzzed = routes.filter((r) => ROUTE_INPUTS[routeKey(r)]?.skip === undefined);
    const totalWeight = fuzzed.reduce((sum, r) => sum + (ROUTE_INPUTS[routeKey(r)]?.weight ?? 1), 0);
    const total = Math.round(ROUTE_FUZZ_WEIGHT * fuzzRuns());
    const seed = fuzzSeed();
    for (const route of fuzzed) {
      const input = ROUTE_INPUTS[routeKey(route)] ?? {};
      const numRuns = Math.max(3, Math.round((total * (input.weight ?? 1)) / totalWeight));
      await fc.assert(
        fc.asyncProperty(requests(route, input, ids, keys), async (request) => {
          const r = await t.request(route.method, request.url, {
            key: request.key,
            ...(request.body === undefined ? {} : { body: request.body, contentType: request.contentType! }),
          });
          const where = `${route.method} ${request.url.slice(0, 300)} ${request.contentType ?? ''} ${(request.body ?? '').slice(0, 300)} → ${r.statusCode} ${r.body.slice(0, 300)}`;
          expect(r.statusCode, where).toBeLessThan(500);
          if (r.statusCode === 429) {
            tooMany++;
            return;
          }
          if (r.statusCode >= 400) {
            expect(String(r.headers['content-type']), where).toMatch(/^application\/problem\+json/);
            const problem = r.json();
            expect(problem.code, where).toMatch(/^EW4E_[A-Z_]+$/);
            expect(problem.status, where).toBe(r.statusCode);
            expect(typeof problem.detail, where).toBe('string');
          }
        }),
        { numRuns, ...(seed === undefined ? {} : { seed }) },
      );
    }
  }, 600_000);
});

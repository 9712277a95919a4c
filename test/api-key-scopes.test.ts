/** API key scopes: a key restricted to some scopes reaches only their routes; keys without scopes keep their role's power. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpServer } from '../src/server/http-server.ts';
import { BACKENDS } from './support/test-database.ts';
import {
  type Fixture,
  registerFixture,
  startTestPlatform,
  type TestPlatform,
} from './support/test-platform.ts';

describe.each(BACKENDS)('API key scopes on %s', (backend) => {
  let t: TestPlatform;
  let f: Fixture;

  beforeAll(async () => {
    t = await startTestPlatform(backend);
    f = await registerFixture(t, 'bd', 'BD');
  }, 60_000);
  afterAll(async () => t?.close());

  async function keyWith(role: string, scopes?: string[], key?: string) {
    const r = await t.request('POST', '/v1/keys', {
      ...(key === undefined ? {} : { key }),
      body: {
        name: `${role} ${scopes?.join('+') ?? 'all'}`,
        role,
        organisation_id: f.orgId,
        ...(scopes ? { scopes } : {}),
      },
    });
    return r;
  }

  it('lets a gateway key send observations and nothing else, with a 403 that names the scope', async () => {
    const created = await keyWith('analyst', ['observations:write']);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ role: 'analyst', scopes: ['observations:write'] });
    const gateway = created.json().key as string;

    const sent = await t.request('POST', '/v1/observations', {
      key: gateway,
      body: [{ series: f.seriesCode, time: new Date().toISOString(), value: 12.5 }],
    });
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.json().accepted).toBe(1);

    const read = await t.request('GET', '/v1/stations', { key: gateway });
    expect(read.statusCode).toBe(403);
    expect(read.json()).toMatchObject({
      code: 'EW4E_FORBIDDEN',
      detail: 'this action needs the scope "read"; the key has "observations:write"',
    });
    const station = await t.request('POST', '/v1/stations', {
      key: gateway,
      body: {
        source_id: f.sourceId,
        code: 'mirpur',
        name: 'Mirpur',
        sense: 'ground_station',
        lon: 90.36,
        lat: 23.8,
      },
    });
    expect(station.statusCode).toBe(403);
    expect(station.json().detail).toContain('"monitoring:write"');
    // the role still bounds the scope: a viewer's key with observations:write cannot send observations
    const viewer = await keyWith('viewer', ['observations:write']);
    const refused = await t.request('POST', '/v1/observations', {
      key: viewer.json().key,
      body: [{ series: f.seriesCode, time: new Date().toISOString(), value: 1 }],
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().detail).toContain('role "analyst"');
  });

  it('keeps a key without scopes at its full role, as keys made before scopes were', async () => {
    const created = await keyWith('analyst');
    expect(created.json().scopes).toBeNull();
    const key = created.json().key as string;
    expect((await t.request('GET', '/v1/stations', { key })).statusCode).toBe(200);
    const station = await t.request('POST', '/v1/stations', {
      key,
      body: {
        source_id: f.sourceId,
        code: 'uttara',
        name: 'Uttara',
        sense: 'ground_station',
        lon: 90.4,
        lat: 23.87,
        expected_cadence_s: 60,
      },
    });
    expect(station.statusCode, station.body).toBe(201);
    // and the fixture's key, made without scopes, works as before
    expect((await t.request('GET', '/v1/series', { key: f.key })).statusCode).toBe(200);
  });

  it('lists scopes with the keys, and refuses unknown or empty ones', async () => {
    const listed = await t.request('GET', `/v1/keys?organisation_id=${f.orgId}`);
    expect(listed.statusCode).toBe(200);
    const items = listed.json().items as { scopes: string[] | null }[];
    expect(items.some((k) => k.scopes === null)).toBe(true);
    expect(items.some((k) => k.scopes?.[0] === 'observations:write')).toBe(true);
    for (const scopes of [['fly'], []]) {
      const r = await keyWith('viewer', scopes);
      expect(r.statusCode, JSON.stringify(scopes)).toBe(400);
      expect(r.json().code).toBe('EW4E_BAD_REQUEST');
    }
  });

  it('lets a scoped admin key hand out only scopes it holds, and never an unrestricted key', async () => {
    const admin = await keyWith('admin', ['admin', 'read']);
    expect(admin.statusCode, admin.body).toBe(201);
    const key = admin.json().key as string;
    expect((await keyWith('viewer', ['read'], key)).statusCode).toBe(201);
    const wider = await keyWith('analyst', ['read', 'events:write'], key);
    expect(wider.statusCode).toBe(403);
    expect(wider.json().detail).toBe('a key with the scopes read, admin cannot grant events:write');
    const unrestricted = await keyWith('viewer', undefined, key);
    expect(unrestricted.statusCode).toBe(403);
  });

  it('refuses, at start, a route that needs a role but names no scope', async () => {
    // A server of its own, not yet started: routes can still be added to it.
    const server = await buildHttpServer(t.platform.services, {
      logger: false,
      maxBodyBytes: 1024,
      maxBatchRows: 10,
    });
    try {
      expect(() => server.get('/v1/unscoped', { config: { role: 'viewer' } }, async () => ({}))).toThrow(
        'GET /v1/unscoped declares a role but no scope',
      );
      expect(() =>
        server.get('/v1/scoped', { config: { role: 'viewer', scope: 'read' } }, async () => ({})),
      ).not.toThrow();
    } finally {
      await server.close();
    }
  });
});

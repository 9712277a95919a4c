/** Rules through HTTP on every backend: created from presets or definitions, validated with pointers, versioned on edit. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from './support/test-database.ts';
import {
  type Fixture,
  registerFixture,
  startTestPlatform,
  type TestPlatform,
} from './support/test-platform.ts';

describe.each(BACKENDS)('rules on %s', (backend) => {
  let t: TestPlatform;
  let a: Fixture;
  let b: Fixture;

  beforeAll(async () => {
    t = await startTestPlatform(backend);
    a = await registerFixture(t, 'aa', 'BD');
    b = await registerFixture(t, 'bb', 'KE');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists presets that cite their sources', async () => {
    const r = await t.request('GET', '/v1/rules/presets', { key: a.key });
    expect(r.statusCode).toBe(200);
    const presets = r.json().items as { code: string; source: string }[];
    expect(presets.length).toBeGreaterThan(10);
    expect(presets.every((p) => p.source.length > 0)).toBe(true);
    expect(presets.some((p) => /WHO/.test(p.source))).toBe(true);
  });

  it('creates a rule from a preset, edits it into version 2, and keeps version 1', async () => {
    const preset = (await t.request('GET', '/v1/rules/presets', { key: a.key })).json().items[0];
    const created = await t.request('POST', '/v1/rules', {
      key: a.key,
      body: { name: 'Dhaka PM2.5', preset: preset.code },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ version: 1, enabled: true, definition: preset.rule });
    const id = created.json().id;
    const edited = await t.request('PUT', `/v1/rules/${id}`, { key: a.key, body: { enabled: false } });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({ id, version: 2, enabled: false, name: 'Dhaka PM2.5' });
    const got = await t.request('GET', `/v1/rules/${id}`, { key: a.key });
    expect(got.json().versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const listed = await t.request('GET', '/v1/rules', { key: a.key });
    expect(listed.json().items.filter((r: { id: number }) => r.id === id)).toHaveLength(1);
    expect((await t.request('GET', `/v1/rules/${id}`, { key: b.key })).statusCode).toBe(404);
    expect(
      (await t.request('PUT', `/v1/rules/${id}`, { key: b.key, body: { enabled: true } })).statusCode,
    ).toBe(404);
  });

  it('refuses an invalid definition, naming the place', async () => {
    const r = await t.request('POST', '/v1/rules', {
      key: a.key,
      body: {
        name: 'bad',
        definition: { kind: 'threshold', selector: { variable: 'pm25' }, when: 'above', level: 'high' },
      },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().errors.some((e: { pointer: string }) => e.pointer.startsWith('/definition'))).toBe(true);
    const none = await t.request('POST', '/v1/rules', { key: a.key, body: { name: 'empty' } });
    expect(none.statusCode).toBe(400);
    const viewer = (
      await t.request('POST', '/v1/keys', { body: { name: 'v', role: 'viewer', organisation_id: a.orgId } })
    ).json().key;
    expect(
      (await t.request('POST', '/v1/rules', { key: viewer, body: { name: 'x', preset: 'who_pm25_24h' } }))
        .statusCode,
    ).toBe(403);
  });
});

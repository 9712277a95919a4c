/** The committed OpenAPI document (docs/openapi.json) is the one the server serves; regenerate on purpose with REGEN=1. */
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './support/test-platform.ts';

const FILE = 'docs/openapi.json';

describe('docs/openapi.json', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform('pglite');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('matches what /docs/json serves', async () => {
    const served = `${JSON.stringify((await t.platform.server.inject({ method: 'GET', url: '/docs/json' })).json(), null, 2)}\n`;
    if (process.env.REGEN === '1') await writeFile(FILE, served);
    const committed = await readFile(FILE, 'utf8').catch(() => '');
    expect(
      served === committed,
      'the API changed: run `REGEN=1 npx vitest run test/openapi-drift.test.ts` and commit docs/openapi.json',
    ).toBe(true);
  });

  it('bounds every integer id a client sends by the range its column holds', async () => {
    const document = (await t.platform.server.inject({ method: 'GET', url: '/docs/json' })).json();
    const unbounded: string[] = [];
    // Walks parameters and request bodies: an integer named id, *_id or after is a row id.
    const visit = (node: unknown, where: string, name: string): void => {
      if (node === null || typeof node !== 'object') return;
      const schema = node as Record<string, unknown>;
      const isId = name === 'id' || name === 'after' || name.endsWith('_id') || name === 'organisation';
      if (isId && schema.type === 'integer' && typeof schema.maximum !== 'number')
        unbounded.push(`${where} ${name}`);
      for (const [key, value] of Object.entries(schema)) {
        if (key === 'responses') continue;
        if (key === 'parameters' && Array.isArray(value)) {
          for (const p of value as { name: string; schema: unknown }[]) visit(p.schema, where, p.name);
        } else if (key === 'properties' && value !== null && typeof value === 'object') {
          for (const [property, sub] of Object.entries(value)) visit(sub, where, property);
        } else visit(value, where, Array.isArray(schema) ? name : key);
      }
    };
    for (const [path, operations] of Object.entries(document.paths as Record<string, object>))
      for (const [method, operation] of Object.entries(operations)) visit(operation, `${method} ${path}`, '');
    expect(unbounded).toEqual([]);
  });
});

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
});

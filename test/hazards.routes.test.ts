/** GET /v1/hazards on every backend: the whole taxonomy, public, with the very names the CAP texts use. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAZARD_CODES, HAZARDS } from '../src/warn/hazards.ts';
import { hazardName, WARNING_LANGUAGES } from '../src/warn/words/warning-words.ts';
import { BACKENDS } from './support/test-database.ts';
import { startTestPlatform, type TestPlatform } from './support/test-platform.ts';

describe.each(BACKENDS)('hazards on %s', (backend) => {
  let t: TestPlatform;

  beforeAll(async () => {
    t = await startTestPlatform(backend);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists every hazard with its CAP categories and its name in the six languages, without a key', async () => {
    const r = await t.request('GET', '/v1/hazards', { key: null });
    expect(r.statusCode).toBe(200);
    const items = r.json().items as { code: string; category: string[]; names: Record<string, string> }[];
    expect(items.map((h) => h.code)).toEqual([...HAZARD_CODES]);
    for (const hazard of HAZARDS) {
      const item = items.find((h) => h.code === hazard.code)!;
      expect(item.category).toEqual(hazard.category);
      expect(Object.keys(item.names).sort()).toEqual([...WARNING_LANGUAGES].sort());
      for (const language of WARNING_LANGUAGES)
        expect(item.names[language]).toBe(hazardName(hazard.code, language));
    }
    expect(items.find((h) => h.code === 'noise_pollution')?.names.fr).toBe('Pollution sonore');
  });
});

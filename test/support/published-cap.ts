/** @module A published warning's CAP as the public reads it: valid against the OASIS schema (real xmllint) and the CAP rules. */
import { expect } from 'vitest';
import type { CapAlert } from '../../src/warn/cap/cap-alert.ts';
import { checkCapRules } from '../../src/warn/cap/cap-validation.ts';
import { parseCapXml } from '../../src/warn/cap/cap-xml.ts';
import { xmllintValidate } from './cap-tools.ts';
import type { TestPlatform } from './test-platform.ts';

/** GET /cap/:identifier.xml, checked; its text, the alert read back and the ETag. */
export async function publishedCap(
  t: Pick<TestPlatform, 'request'>,
  identifier: string,
): Promise<{ xml: string; alert: CapAlert; etag: string }> {
  const r = await t.request('GET', `/cap/${identifier}.xml`);
  expect(r.statusCode).toBe(200);
  expect(String(r.headers['content-type'])).toContain('application/cap+xml');
  const lint = await xmllintValidate(r.body);
  expect(lint.ok, lint.output).toBe(true);
  const parsed = parseCapXml(r.body);
  if (!('alert' in parsed)) throw new Error(JSON.stringify(parsed.problems));
  expect(checkCapRules(parsed.alert)).toEqual([]);
  return { xml: r.body, alert: parsed.alert, etag: String(r.headers.etag) };
}
